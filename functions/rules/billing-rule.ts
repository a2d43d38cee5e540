import { hasHolidayData, holidayRegionsOf } from '../calendar/holiday-data';
import { type FieldIssue, fieldIssuesFromZod } from '../values/field-issue';
import { type BillingRule, billingRuleSchema } from './billing-rule-schema';

export {
  type BillingRule,
  type BusinessHours,
  type ChannelHours,
  channelsOf,
  contactHours,
  isValidTimeZone,
  type LateFee,
  MESSAGE_CHANNELS,
  type MessageChannel,
  messageChannelsOf,
  minutesOf,
  type Stage,
  type StageAction,
  type TimeWindow,
  WEEKDAYS,
  type Weekday,
  WorkflowRuleSchema,
} from './billing-rule-schema';

/* ------------------------------------------------------------------------------------------------------------------
 * Holiday data: a rule whose country (or region) the holiday table does not know would silently contact on holidays.
 * ---------------------------------------------------------------------------------------------------------------- */

function holidayDataIssues(value: unknown): { path: string; message: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  const { country, region } = value as { country?: unknown; region?: unknown };
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) return [];
  if (!hasHolidayData(country)) {
    return [
      {
        path: 'country',
        message: `no public-holiday data for "${country}" in the holiday table (from date-holidays): holidays could not be respected`,
      },
    ];
  }
  if (typeof region !== 'string') return [];
  const regions = holidayRegionsOf(country);
  if (regions.includes(region)) return [];
  return [
    {
      path: 'region',
      message:
        regions.length > 0
          ? `unknown region "${region}" for ${country}; known: ${regions.join(', ')}`
          : `${country} has no regions in the holiday data; remove "region"`,
    },
  ];
}

/**
 * The billing rule schema (docs/formats.md, see ./billing-rule-schema.ts), with the holiday area checked against the
 * holiday table (generated from date-holidays): for the rule files, the API and the synth.
 */
export const BillingRuleSchema = billingRuleSchema(holidayDataIssues);

/** A billing rule that does not validate; `issues` names every bad field, and so does the message. */
export class InvalidBillingRule extends Error {
  override readonly name = 'InvalidBillingRule';
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid billing rule:\n${issues.map((i) => `  - ${i.path}: ${i.issue}`).join('\n')}`);
  }
}

/**
 * Validates a billing rule (docs/formats.md) and returns it typed.
 * @throws InvalidBillingRule listing every problem as `path: issue` (e.g. `stages.1.at: must be HH:MM (24h), got "9am"`).
 */
export function parseBillingRule(input: unknown): BillingRule {
  const result = BillingRuleSchema.safeParse(input);
  if (!result.success) throw new InvalidBillingRule(fieldIssuesFromZod(result.error));
  return result.data;
}
