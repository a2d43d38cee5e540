import * as z from 'zod';
import { fieldIssuesFromZod } from '../values/field-issue';
import { isKnownCurrency, parseDecimalAmount } from '../values/money';
import { type BillingRule, BillingRuleSchema, InvalidBillingRule } from './billing-rule';
import type { Segment } from './segments';

export { chooseRule, type Segment, type SegmentConditions, type SegmentSubject } from './segments';

/**
 * Several billing rules and the segments that choose one per invoice (issue 5: "the rule file may hold several
 * rules and a segments list choosing one by customer fields"). A rule file is either one billing rule (docs/formats.md, as
 * always) or `{ "rules": [...], "segments": [...] }`:
 *
 * ```json
 * { "rules": [ { "id": "standard", … }, { "id": "gentle", … }, { "id": "firm", … } ],
 *   "segments": [
 *     { "rule": "gentle", "when": { "segment": ["vip"] } },
 *     { "rule": "firm", "when": { "riskScore": { "min": 700 } } },
 *     { "rule": "firm", "when": { "amount": { "currency": "BRL", "min": "5000.00" } } },
 *     { "rule": "standard" } ] }
 * ```
 *
 * The first segment whose conditions all hold chooses the rule; the last segment has no `when` (the default).
 */

export interface RuleSet {
  /** The rules; every segment names one of them. */
  readonly rules: readonly BillingRule[];
  /** In order; the last one has no conditions. */
  readonly segments: readonly Segment[];
}

const SegmentName = z
  .string({ error: 'must be a segment name' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be 1-64 letters, digits, . _ -' });

const Score = z.number({ error: 'must be a number from 0 to 1000' }).min(0).max(1000);

const ConditionsSchema = z
  .strictObject({
    segment: z.array(SegmentName).min(1, { error: 'must list at least one segment' }).optional(),
    riskScore: z
      .strictObject({ min: Score.optional(), max: Score.optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'needs min or max' })
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { error: 'min is above max' })
      .optional(),
    amount: z
      .strictObject({
        currency: z.string().refine(isKnownCurrency, { error: (i) => `unknown currency ${JSON.stringify(i.input)}` }),
        min: z.string().optional(),
        max: z.string().optional(),
      })
      .superRefine((range, ctx) => {
        if (range.min === undefined && range.max === undefined) {
          ctx.addIssue({ code: 'custom', message: 'needs min or max' });
          return;
        }
        for (const bound of ['min', 'max'] as const) {
          const text = range[bound];
          if (text === undefined || !isKnownCurrency(range.currency)) continue;
          const parsed = parseDecimalAmount(text, range.currency);
          if (!parsed.ok) ctx.addIssue({ code: 'custom', path: [bound], message: parsed.issue });
        }
      })
      .optional(),
    country: z
      .array(z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code like "BR"' }))
      .min(1)
      .optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { error: 'a segment needs at least one condition (or no `when` at all)' });

const RuleSetSchema = z
  .strictObject({
    rules: z.array(BillingRuleSchema, { error: 'must be a list of billing rules' }).min(1),
    segments: z
      .array(z.strictObject({ rule: z.string({ error: 'must name a rule id' }), when: ConditionsSchema.optional() }))
      .min(1, { error: 'must end with a default segment (no `when`)' }),
  })
  .superRefine((set, ctx) => {
    const ids = set.rules.map((r) => r.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `${id} twice` });
    });
    set.segments.forEach((segment, i) => {
      if (!ids.includes(segment.rule)) {
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i, 'rule'],
          message: `no rule "${segment.rule}"; rules: ${ids.join(', ')}`,
        });
      }
      const last = i === set.segments.length - 1;
      if (last && segment.when !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['segments', i], message: 'the last segment is the default: no `when`' });
      }
      if (!last && segment.when === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i],
          message: 'only the last segment may have no `when` (the ones after it would never be chosen)',
        });
      }
    });
  });

/** A rule file that does not validate; `issues` names every bad field. */
export class InvalidRuleSet extends InvalidBillingRule {}

/**
 * Reads a rule file: one billing rule (a set of one, every invoice walks it) or `{ rules, segments }`.
 * @throws InvalidRuleSet listing every problem (`rules.1.stages.0.at: …`, `segments.0.rule: no rule "x"`).
 */
export function parseRuleSet(input: unknown): RuleSet {
  const isSet = typeof input === 'object' && input !== null && 'rules' in input;
  if (!isSet) {
    const rule = BillingRuleSchema.safeParse(input);
    if (!rule.success) throw new InvalidRuleSet(fieldIssuesFromZod(rule.error));
    return { rules: [rule.data], segments: [{ rule: rule.data.id }] };
  }
  const set = RuleSetSchema.safeParse(input);
  if (!set.success) throw new InvalidRuleSet(fieldIssuesFromZod(set.error));
  return set.data;
}

/** The rule invoices walk when no segment condition picks another: the last segment's. */
export function defaultRuleOf(set: RuleSet): BillingRule {
  const id = set.segments.at(-1)?.rule;
  const rule = set.rules.find((r) => r.id === id) ?? set.rules[0];
  if (!rule) throw new Error('A rule set holds at least one rule');
  return rule;
}
