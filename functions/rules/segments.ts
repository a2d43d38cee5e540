import { type Money, parseDecimalAmount } from '../values/money';

/**
 * The segments of a rule file choosing one billing rule per invoice (see ./rule-set.ts for the file and its
 * validation). Apart from the rule file's schema so that the handlers registering invoices choose a rule without
 * bundling the billing-rule schema and its holiday data (issue #6: bundle size).
 */

/** Conditions of a segment on the customer and the invoice (all given ones must hold). */
export interface SegmentConditions {
  /** The customer's `segment` is one of these. */
  readonly segment?: readonly string[] | undefined;
  /** The customer's `riskScore` (0–1000) is within [min, max]. A customer without a score does not match. */
  readonly riskScore?: { readonly min?: number | undefined; readonly max?: number | undefined } | undefined;
  /** The invoice amount, in `currency`, is within [min, max] (decimal strings); other currencies do not match. */
  readonly amount?:
    | { readonly currency: string; readonly min?: string | undefined; readonly max?: string | undefined }
    | undefined;
  /** The customer's country (ISO alpha-2) is one of these. */
  readonly country?: readonly string[] | undefined;
}

export interface Segment {
  /** Id of the rule this segment chooses. */
  readonly rule: string;
  readonly when?: SegmentConditions | undefined;
}

/** What the segments look at. */
export interface SegmentSubject {
  readonly segment?: string | undefined;
  readonly riskScore?: number | undefined;
  readonly country?: string | undefined;
  readonly amount: Money;
}

/** Id of the rule the first matching segment chooses for `subject`. */
export function chooseRule(segments: readonly Segment[], subject: SegmentSubject): string {
  const chosen = segments.find((s) => s.when === undefined || matches(s.when, subject));
  if (!chosen) throw new Error('The segments have no default (a last segment without `when`)');
  return chosen.rule;
}

function matches(when: SegmentConditions, subject: SegmentSubject): boolean {
  if (when.segment && (subject.segment === undefined || !when.segment.includes(subject.segment))) return false;
  if (when.riskScore) {
    const score = subject.riskScore;
    if (score === undefined) return false;
    if (when.riskScore.min !== undefined && score < when.riskScore.min) return false;
    if (when.riskScore.max !== undefined && score > when.riskScore.max) return false;
  }
  if (when.amount) {
    if (subject.amount.currency !== when.amount.currency) return false;
    const bound = (text: string | undefined) => {
      if (text === undefined) return undefined;
      const parsed = parseDecimalAmount(text, when.amount?.currency ?? '');
      return parsed.ok ? parsed.minor : undefined;
    };
    const min = bound(when.amount.min);
    const max = bound(when.amount.max);
    if (min !== undefined && subject.amount.minor < min) return false;
    if (max !== undefined && subject.amount.minor > max) return false;
  }
  if (when.country && (subject.country === undefined || !when.country.includes(subject.country.toUpperCase()))) {
    return false;
  }
  return true;
}
