import { asText, cachedTextCheck, type FieldCheck, quote } from './field-reader';

/** Checks of a customer's contact details: e-mail, phone, time zone, locale, country, region, risk score. */

const EMAIL_LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL_DOMAIN = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

export const checkEmail: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const email = text.value;

  if (email.length > 254) return { issue: `is longer than 254 characters: ${quote(email)}` };
  const at = email.lastIndexOf('@');
  if (at <= 0 || at > 64) return badEmail(email);
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (!EMAIL_LOCAL.test(local) || labels.length < 2 || !TOP_LEVEL_DOMAIN.test(tld)) return badEmail(email);
  for (const label of labels) if (!DOMAIN_LABEL.test(label)) return badEmail(email);
  return { value: email };
};

function badEmail(email: string): { issue: string } {
  return { issue: `is not a valid e-mail address: ${quote(email)}` };
}

const PHONE_SEPARATORS = /[\s\-().]/g;
const E164 = /^\+[1-9]\d{7,14}$/;

export const checkPhone: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  const phone = text.value.replace(PHONE_SEPARATORS, '');
  if (!E164.test(phone)) {
    return { issue: `must be an E.164 number like "+5511987654321", got ${quote(text.value)}` };
  }
  return { value: phone };
};

const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

export const checkTimezone = cachedTextCheck((zone) => {
  const bad = { issue: `is not an IANA time zone like "America/Sao_Paulo": ${quote(zone)}` };
  if (zone.length > 64 || !TIME_ZONE_SHAPE.test(zone)) return bad;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return bad;
  }
  // Keep the name as given unless Intl only fixed its letter case ("america/sao_paulo").
  return { value: resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone };
});

const LOCALE_SHAPE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/;

export const checkLocale = cachedTextCheck((locale) => {
  const bad = { issue: `is not a locale like "pt-BR", "en" or "es-MX": ${quote(locale)}` };
  if (locale.length > 35 || !LOCALE_SHAPE.test(locale)) return bad;
  try {
    const [canonical] = Intl.getCanonicalLocales(locale.replaceAll('_', '-'));
    return canonical === undefined ? bad : { value: canonical };
  } catch {
    return bad;
  }
});

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Codes Intl names that are not countries. */
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO']);

export const checkCountry = cachedTextCheck((country) => {
  const code = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code) || regionNames.of(code) === undefined) {
    return { issue: `is not an ISO 3166-1 alpha-2 country code like "BR": ${quote(country)}` };
  }
  return { value: code };
});

const REGION_CODE = /^[A-Za-z0-9]{1,3}(?:-[A-Za-z0-9]{1,3})?$/;

export const checkRegion: FieldCheck<string> = (value) => {
  const text = asText(value);
  if ('issue' in text) return text;
  if (!REGION_CODE.test(text.value)) {
    return { issue: `is not a region code like "SP" (state/province code used for holidays): ${quote(text.value)}` };
  }
  return { value: text.value.toUpperCase() };
};

/** A risk score from 0 to 1000 (a number, or its text in a CSV cell). */
export const checkRiskScore: FieldCheck<number> = (value) => {
  let shown: string;
  if (typeof value === 'number') {
    shown = String(value);
  } else {
    const text = asText(value);
    if ('issue' in text) return text;
    shown = text.value;
  }
  const score = /^\d{1,4}(\.\d{1,3})?$/.test(shown) ? Number(shown) : Number.NaN;
  return score >= 0 && score <= 1000
    ? { value: score }
    : { issue: `must be a number from 0 to 1000, got ${quote(shown)}` };
};
