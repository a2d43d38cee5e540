import * as z from 'zod';
import { isExactPercent } from '../values/percent';
import type { BillingRule } from './billing-rule';
import { type LateFeeTerms, lateFeeTermsOf } from './late-fee';

/**
 * What the API's handlers need of a billing rule besides its stages (which only the workflow walks): the zone its
 * days are counted in when the debtor names none, the late fees it charges, and how long after the due date its last
 * stage comes (a renegotiated walk must fit in a Standard execution's year). Small enough for an environment variable.
 */
export interface RuleTerms {
  /** The rule's time zone (the debtor's own zone comes first when valid). */
  readonly timezone: string;
  /** The late fees the rule charges, with its preset's fine cap; absent: none. */
  readonly lateFee?: LateFeeTerms;
  /** offsetDays of the rule's last stage: how many days after the due date a walk still acts. */
  readonly lastStageOffsetDays: number;
}

/** The terms of each billing rule, by rule id. */
export type RuleTermsBook = Readonly<Record<string, RuleTerms>>;

/** The terms of a (validated) billing rule. */
export function ruleTermsOf(rule: BillingRule): RuleTerms {
  const lateFee = lateFeeTermsOf(rule);
  const last = rule.stages.at(-1);
  return {
    timezone: rule.timezone,
    ...(lateFee ? { lateFee } : {}),
    lastStageOffsetDays: last ? last.offsetDays : 0,
  };
}

/** The terms of each rule, by id (what the CDK stack and the local runtime put into `RULE_TERMS`). */
export function ruleTermsBook(rules: readonly BillingRule[]): RuleTermsBook {
  return Object.fromEntries(rules.map((rule) => [rule.id, ruleTermsOf(rule)]));
}

const Percent = z.number().refine(isExactPercent, { error: 'must be a percentage with at most 4 decimal places' });

const RuleTermsSchema = z.record(
  z.string().min(1),
  z.strictObject({
    timezone: z.string().min(1),
    lateFee: z
      .strictObject({
        finePercent: Percent,
        monthlyInterestPercent: Percent,
        fineCapPercent: Percent.optional(),
      })
      .optional(),
    lastStageOffsetDays: z.int(),
  }),
);

/**
 * Reads `RULE_TERMS` (JSON, see {@link ruleTermsBook}).
 * @throws Error naming the variable and what is wrong, so a misconfigured function fails at its cold start.
 */
export function parseRuleTermsBook(json: string, variable = 'RULE_TERMS'): RuleTermsBook {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${variable} is not JSON: ${(error as Error).message}`);
  }
  const parsed = RuleTermsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${variable} is not a map of rule terms: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data as RuleTermsBook;
}

/**
 * The terms of the rule an invoice walks. An invoice names the rule it was registered with; one registered under a
 * rule the deployment no longer has is walked by the default rule (the state machine's first), and so are its terms.
 * @throws Error when neither is known (a deployment whose RULE_TERMS misses its own default rule).
 */
export function termsFor(book: RuleTermsBook, ruleId: string, defaultRuleId: string): RuleTerms {
  const terms = book[ruleId] ?? book[defaultRuleId];
  if (!terms) throw new Error(`No terms for billing rule "${ruleId}" nor the default "${defaultRuleId}"`);
  return terms;
}
