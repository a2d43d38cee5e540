import type { InvoiceRegistration } from '../invoices/invoice';
import { ENV, optionalEnv } from '../platform/environment';
import { chooseRule, type Segment } from '../rules/segments';
import { ruleId } from './company';

/**
 * The billing rule of a registration: with a rule file's segments (RULE_SEGMENTS), the first segment matching the
 * customer and the invoice; else the one rule (RULE_ID).
 */
export const ruleChooser = (): string | ((registration: InvoiceRegistration) => string) => {
  const segmentsJson = optionalEnv(ENV.RULE_SEGMENTS);
  if (!segmentsJson) return ruleId();
  const segments = JSON.parse(segmentsJson) as Segment[];
  return (registration) =>
    chooseRule(segments, {
      segment: registration.customer.segment,
      riskScore: registration.customer.riskScore,
      country: registration.customer.country,
      amount: registration.amount,
    });
};
