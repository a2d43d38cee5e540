import * as z from 'zod';
import { PRESET_NAMES, withPresetDefaults } from './presets';
import { BusinessHoursSchema, ChannelHoursSchema } from './schema/business-hours';
import { ContactPolicySchema } from './schema/contact-policy';
import { crossFieldIssues } from './schema/cross-field';
import { CountrySchema, IsoDate, RegionSchema, show, TimeZone, wholeNumber } from './schema/fields';
import { LateFeeSchema } from './schema/late-fee';
import { StagesSchema } from './schema/stages';
import { strictObject } from './schema/strict-object';

export {
  type BusinessHours,
  minutesOf,
  type TimeWindow,
  WEEKDAYS,
  type Weekday,
} from '../calendar/business-hours';
export { isValidTimeZone } from '../calendar/time-zone';
export { channelsOf, messageChannelsOf } from './schema/actions';
export { type ChannelHours, contactHours, MESSAGE_CHANNELS, type MessageChannel } from './schema/business-hours';

/**
 * The billing rule's schema (docs/formats.md): the rule's own fields below, each part of the rule in ./schema/ —
 * business-hours.ts (businessHours, channelHours, contactHours), stages.ts (stages), actions.ts (a stage's actions:
 * email, sms, escalate), offer.ts (a stage's early-payment offer), late-fee.ts, contact-policy.ts, fields.ts (times,
 * dates, zones, places, counts), cross-field.ts (limits across fields: contact hours common to a stage's channels, a
 * preset's limits) and strict-object.ts (unknown keys named, with the key probably meant).
 */

const PresetSchema = z.enum(PRESET_NAMES, {
  error: (i) => `unknown preset ${show(i.input)}; known: ${PRESET_NAMES.join(', ')}`,
});

/* ------------------------------------------------------------------------------------------------------------------
 * The billing rule (docs/formats.md).
 * ---------------------------------------------------------------------------------------------------------------- */

const RuleFieldsSchema = strictObject({
  id: z.string({ error: 'a billing rule needs an id like "standard"' }).regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    error: (i) =>
      `must be a slug of letters, digits, - and _ (1-64, starting with a letter or digit), got ${show(i.input)}`,
  }),
  name: z.string({ error: 'must be a text' }).max(200, { error: 'must be at most 200 characters' }).optional(),
  preset: PresetSchema.optional(),
  timezone: TimeZone,
  country: CountrySchema,
  region: RegionSchema.optional(),
  businessHours: BusinessHoursSchema,
  channelHours: ChannelHoursSchema.optional(),
  contactPolicy: ContactPolicySchema.optional(),
  extraHolidays: z.array(IsoDate, { error: 'must be a list of dates YYYY-MM-DD' }).optional(),
  lateFee: LateFeeSchema.optional(),
  /**
   * Days after a promised payment date the debtor still has to pay before the promise counts as broken and dunning
   * resumes. @default 0
   */
  promiseGraceDays: wholeNumber('days', 0, 30).optional(),
  stages: StagesSchema,
});

/** Problems of a raw rule's fields, each at its top-level field (`country`, `region`). */
export type RuleFieldCheck = (value: unknown) => { path: string; message: string }[];

/**
 * The billing rule schema (docs/formats.md, plus `preset`, `channelHours` and `lateFee`). A rule naming a preset gets
 * the preset's defaults for the fields it leaves out before it is validated, so a parsed rule validates again
 * unchanged (the workflow passes the parsed rule to its steps, which parse it again).
 *
 * `areaIssues` checks the rule's holiday area (country, region) against the holiday catalogue, before the limits
 * across fields: ./billing-rule.ts gives it (`BillingRuleSchema`). This module does not import the catalogue, so a
 * Lambda that only re-reads an already validated rule does not bundle it (issue #6: bundle size).
 */
export function billingRuleSchema(areaIssues?: RuleFieldCheck) {
  const fields = areaIssues
    ? RuleFieldsSchema.superRefine(
        (_rule, ctx) => {
          for (const { path, message } of areaIssues(ctx.value))
            ctx.addIssue({ code: 'custom', path: [path], message });
        },
        { when: (payload) => areaIssues(payload.value).length > 0 },
      )
    : RuleFieldsSchema;
  return z.preprocess(
    withPresetDefaults,
    fields.superRefine(
      (_rule, ctx) => {
        for (const { path, message } of crossFieldIssues(ctx.value)) ctx.addIssue({ code: 'custom', path, message });
      },
      // Also when other fields have errors, so that every problem is listed (crossFieldIssues reads leniently).
      { when: () => true },
    ),
  );
}

/**
 * The rule a workflow step receives in its input: the state machine carries rules validated in full at synth
 * (`BillingRuleSchema`, holiday area included), so the steps re-read them for their shape and defaults without the
 * holiday catalogue's check.
 */
export const WorkflowRuleSchema = /* @__PURE__ */ billingRuleSchema();

export type BillingRule = z.infer<typeof WorkflowRuleSchema>;
export type LateFee = z.infer<typeof LateFeeSchema>;
export type Stage = BillingRule['stages'][number];
/** `{ channel: 'email' | 'sms', template }` or `{ channel: 'escalate', to }`. */
export type StageAction = Stage['actions'][number];
