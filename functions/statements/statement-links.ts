import type { CustomerStore } from '../invoices/customer-store';
import type { Customer } from '../invoices/invoice';
import type { InvoiceStore } from '../invoices/invoice-store';
import { type RuleTermsBook, termsFor } from '../rules/rule-terms';
import { buildStatement, type Statement } from './statement';
import { isValidStatementToken, parseStatementToken, statementLinkExpiry, statementUrl } from './statement-token';

export interface StatementDeps {
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly now: () => Date;
  /** The late-fee and calendar terms of each billing rule (`RULE_TERMS`). */
  readonly terms: RuleTermsBook;
  /** The rule an invoice registered under an unknown rule walks (`RULE_ID`). */
  readonly defaultRuleId: string;
}

/** Compared against when the customer is unknown, so an unknown id costs the same work as a known one. */
const NO_SECRET = 'no-statement-secret-for-this-customer';

/**
 * The statement a link's token opens (`GET /statements/{token}`), or undefined when the link is not valid: not shaped
 * like a token, an unknown customer (or one without a statement secret), a signature that does not match (compared in
 * constant time) or an expired link — one answer for every reason. Reads the customer (its secret) and the customer's
 * invoices (`gsi1`, eventually consistent: a payment of the last second may not show yet).
 */
export async function readStatement(token: string, deps: StatementDeps): Promise<Statement | undefined> {
  const parsed = parseStatementToken(token);
  if (!parsed) return undefined;
  const now = deps.now();
  const customer = await deps.customers.getCustomer(parsed.customerId);
  const valid = isValidStatementToken(parsed, customer?.statementSecret ?? NO_SECRET, now);
  if (!customer?.statementSecret || !valid) return undefined;
  const invoices = await deps.invoices.customerInvoices(customer.customerId);
  return buildStatement({
    customer,
    invoices,
    termsOf: (ruleId) => termsFor(deps.terms, ruleId, deps.defaultRuleId),
    defaultTimezone: termsFor(deps.terms, deps.defaultRuleId, deps.defaultRuleId).timezone,
    now,
    expiresAtEpochSeconds: parsed.expires,
  });
}

/**
 * The customer's statement link for a message sent now: `<baseUrl>/statements/<token>`, valid for
 * STATEMENT_LINK_DAYS (30) days, signed with the customer's statement secret — made (one write) the first time, read
 * from `customer.statementSecret` afterwards. Undefined without a public base URL or when the customer does not exist.
 */
export async function statementLinkFor(
  customer: Pick<Customer, 'customerId' | 'statementSecret'>,
  baseUrl: string | undefined,
  deps: { readonly customers: CustomerStore; readonly now: () => Date },
): Promise<string | undefined> {
  if (!baseUrl) return undefined;
  const secret = customer.statementSecret ?? (await deps.customers.statementSecret(customer.customerId));
  if (!secret) return undefined;
  return statementUrl({
    baseUrl,
    customerId: customer.customerId,
    secret,
    expiresAtEpochSeconds: statementLinkExpiry(deps.now()),
  });
}
