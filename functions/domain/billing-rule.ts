import { IANAZone } from 'luxon';
import { z } from 'zod';
import { type FieldIssue, fieldIssuesFromZod } from './field-issue';
import { TEMPLATE_NAMES } from './template-names';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_OR_24 = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Minutes since midnight of an `HH:MM` (or `24:00`) string. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

const TimeOfDay = z.string().regex(HHMM, { error: (i) => `must be HH:MM (24h), got ${JSON.stringify(i.input)}` });
const WindowEnd = z.string().regex(HHMM_OR_24, { error: (i) => `must be HH:MM (24h) or 24:00, got ${JSON.stringify(i.input)}` });

const TimeWindowSchema = z
  .tuple([TimeOfDay, WindowEnd])
  .refine(([start, end]) => minutesOf(start) < minutesOf(end), { error: 'window must start before it ends' });
export type TimeWindow = readonly [string, string];

const DayWindows = z.array(TimeWindowSchema).superRefine((windows, ctx) => {
  for (let i = 1; i < windows.length; i++) {
    const prev = windows[i - 1];
    const cur = windows[i];
    if (prev && cur && minutesOf(cur[0]) < minutesOf(prev[1])) {
      ctx.addIssue({ code: 'custom', path: [i], message: 'windows must be sorted and must not overlap' });
    }
  }
});

const BusinessHoursSchema = z
  .strictObject({
    mon: DayWindows.optional(),
    tue: DayWindows.optional(),
    wed: DayWindows.optional(),
    thu: DayWindows.optional(),
    fri: DayWindows.optional(),
    sat: DayWindows.optional(),
    sun: DayWindows.optional(),
  })
  .refine((hours) => Object.values(hours).some((w) => w !== undefined && w.length > 0), {
    error: 'businessHours has no open hours: no message could ever be sent',
  });
export type BusinessHours = Partial<Record<Weekday, readonly TimeWindow[]>>;

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (i) => `must be YYYY-MM-DD, got ${JSON.stringify(i.input)}` })
  .refine((d) => isRealDate(d), { error: (i) => `not a real date: ${JSON.stringify(i.input)}` });

function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return false;
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d;
}

const TimeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  error: (i) => `must be an IANA time zone like "America/Sao_Paulo", got ${JSON.stringify(i.input)}`,
});

const templateError = (i: { input: unknown }) =>
  `unknown template ${JSON.stringify(i.input)}; known: ${TEMPLATE_NAMES.join(', ')}`;
const Template = z.enum(TEMPLATE_NAMES, { error: templateError });

const ActionSchema = z.discriminatedUnion(
  'channel',
  [
    z.strictObject({ channel: z.literal('email'), template: Template }),
    z.strictObject({ channel: z.literal('sms'), template: Template }),
    z.strictObject({ channel: z.literal('escalate'), to: z.string().trim().min(1, { error: 'escalate needs a "to"' }) }),
  ],
  { error: 'channel must be one of email, sms, escalate' },
);

const StageSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9+\-_.]{1,20}$/, {
    error: (i) => `must be 1-20 characters of letters, digits, + - _ . (like "D+7"), got ${JSON.stringify(i.input)}`,
  }),
  offsetDays: z.int({ error: 'must be a whole number of days' }).min(-90).max(365),
  at: TimeOfDay,
  actions: z
    .array(ActionSchema)
    .min(1, { error: 'a stage needs at least one action' })
    .max(5)
    .superRefine((actions, ctx) => {
      const seen = new Set<string>();
      actions.forEach((a, index) => {
        const key = a.channel === 'escalate' ? `escalate:${a.to}` : a.channel;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index, 'channel'], message: `duplicate ${a.channel} action in one stage` });
        seen.add(key);
      });
    }),
});

const ContactPolicySchema = z.strictObject({
  maxContacts: z.int().min(1),
  windowDays: z.int().min(1).max(365),
  minHoursBetween: z.number().min(0).max(24 * 365),
});

export const BillingRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
      error: (i) => `must be a slug of letters, digits, - and _ (max 64), got ${JSON.stringify(i.input)}`,
    }),
    name: z.string().max(200).optional(),
    timezone: TimeZone,
    country: z.string().regex(/^[A-Z]{2}$/, { error: (i) => `must be an ISO 3166 alpha-2 code like "BR", got ${JSON.stringify(i.input)}` }),
    region: z.string().min(1).max(10).optional(),
    businessHours: BusinessHoursSchema,
    contactPolicy: ContactPolicySchema.optional(),
    extraHolidays: z.array(IsoDate).optional(),
    stages: z
      .array(StageSchema)
      .min(1, { error: 'a billing rule needs at least one stage' })
      .max(20)
      .superRefine((stages, ctx) => {
        const ids = new Set<string>();
        stages.forEach((stage, index) => {
          if (ids.has(stage.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate stage id "${stage.id}"` });
          ids.add(stage.id);
          const prev = stages[index - 1];
          if (prev) {
            const before = prev.offsetDays * 1440 + minutesOf(prev.at);
            const here = stage.offsetDays * 1440 + minutesOf(stage.at);
            if (here <= before) {
              ctx.addIssue({
                code: 'custom',
                path: [index, 'offsetDays'],
                message: `stages must be in time order: "${stage.id}" is not after "${prev.id}"`,
              });
            }
          }
        });
      }),
  });

export type BillingRule = z.infer<typeof BillingRuleSchema>;
export type Stage = BillingRule['stages'][number];
export type StageAction = Stage['actions'][number];

/** A billing rule that does not validate; `issues` names every bad field. */
export class InvalidBillingRule extends Error {
  override readonly name = 'InvalidBillingRule';
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid billing rule:\n${issues.map((i) => `  - ${i.path}: ${i.issue}`).join('\n')}`);
  }
}

/** Validates a billing rule (DESIGN §8), throwing InvalidBillingRule with every problem. */
export function parseBillingRule(input: unknown): BillingRule {
  const result = BillingRuleSchema.safeParse(input);
  if (!result.success) throw new InvalidBillingRule(fieldIssuesFromZod(result.error));
  return result.data;
}

/** Distinct channels of a stage, in order. */
export function channelsOf(stage: Stage): string[] {
  return [...new Set(stage.actions.map((a) => a.channel))];
}
