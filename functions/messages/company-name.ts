// Legal-form suffixes (Brazil, Spanish-speaking countries, English-speaking countries), at the end of a name.
const LEGAL_FORM_SUFFIX =
  /[\s,]+(?:ltda|s\/a|s\.?a\.?|me|epp|eireli|s\.?a\.?s\.?|s\.?l\.?u?|s\.? de r\.?l\.?(?: de c\.?v\.?)?|s\.?a\.? de c\.?v\.?|inc|llc|ltd|plc|corp|co|gmbh)\.?$/i;

/**
 * The name people know a company by: its legal name without the legal-form suffix
 * (`Exemplo Cobranças Ltda` → `Exemplo Cobranças`, `Acme, Inc.` → `Acme`). The legal name itself when
 * nothing would be left.
 */
export function companyShortName(legalName: string): string {
  let name = legalName.trim();
  for (let stripped = name.replace(LEGAL_FORM_SUFFIX, ''); stripped !== name && stripped !== ''; ) {
    name = stripped;
    stripped = name.replace(LEGAL_FORM_SUFFIX, '');
  }
  return name;
}
