import * as z from 'zod';
import { type BusinessHours, hasOpenHours, intersectHours, minutesOf } from '../calendar/business-hours';
import { isValidTimeZone } from '../calendar/time-zone';
import { OFFER_TEMPLATES, TEMPLATE_NAMES } from '../messages/template-names';
import { isExactPercent, isOfferPercent, MAX_DISCOUNT_PERCENT } from '../values/percent';
import { isPresetName, PRESET_NAMES, PRESETS, presetIssues, withPresetDefaults } from './presets';

export {
  type BusinessHours,
  minutesOf,
  type TimeWindow,
  WEEKDAYS,
  type Weekday,
} from '../calendar/business-hours';
export { isValidTimeZone } from '../calendar/time-zone';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_OR_24 = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

/* ------------------------------------------------------------------------------------------------------------------
 * Unknown keys: a typo must not pass silently, so every object is strict and the message names the key, suggests
 * the closest allowed one and lists them all.
 * ---------------------------------------------------------------------------------------------------------------- */

/** Levenshtein distance, small strings only. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The allowed key a typo most likely meant: same letters in another case, or at most 2 edits away. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const sameLetters = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
  if (sameLetters) return sameLetters;
  const ranked = allowed
    .map((a) => ({ a, d: editDistance(a.toLowerCase(), key.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.min(2, Math.floor(key.length / 2)) ? best.a : undefined;
}

function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const described = keys.map((key) => {
    const close = closestKey(key, allowed);
    return close ? `"${key}" (did you mean "${close}"?)` : `"${key}"`;
  });
  return `unknown key${keys.length > 1 ? 's' : ''} ${described.join(', ')}; allowed: ${allowed.join(', ')}`;
}

/** `z.strictObject` whose unknown-key error names the keys, a likely intended key, and the allowed ones. */
function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, allowed) : undefined),
  });
}

/* ------------------------------------------------------------------------------------------------------------------
 * Field schemas.
 * ---------------------------------------------------------------------------------------------------------------- */

const TimeOfDay = z.string({ error: (i) => `must be HH:MM (24h), got ${show(i.input)}` }).regex(HHMM, {
  error: (i) => `must be HH:MM (24h), got ${show(i.input)}`,
});
const WindowEnd = z.string({ error: (i) => `must be HH:MM (24h) or 24:00, got ${show(i.input)}` }).regex(HHMM_OR_24, {
  error: (i) => `must be HH:MM (24h) or 24:00, got ${show(i.input)}`,
});

const TimeWindowSchema = z
  .tuple([TimeOfDay, WindowEnd], { error: (i) => `a window is a pair like ["08:00", "20:00"], got ${show(i.input)}` })
  .refine(([start, end]) => minutesOf(start) < minutesOf(end), { error: 'window must start before it ends' });

const DayWindows = z
  .array(TimeWindowSchema, {
    error: (i) => `must be a list of windows like [["08:00", "20:00"]], got ${show(i.input)}`,
  })
  .superRefine((windows, ctx) => {
    for (let i = 1; i < windows.length; i++) {
      const prev = windows[i - 1];
      const cur = windows[i];
      if (prev && cur && minutesOf(cur[0]) < minutesOf(prev[1])) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `windows must be sorted and must not overlap: ${cur[0]}-${cur[1]} starts before ${prev[0]}-${prev[1]} ends`,
        });
      }
    }
  });

/** Windows per weekday; `field` names the hours in the "no open hours" error. */
const hoursSchema = (field: string) =>
  strictObject({
    mon: DayWindows.optional(),
    tue: DayWindows.optional(),
    wed: DayWindows.optional(),
    thu: DayWindows.optional(),
    fri: DayWindows.optional(),
    sat: DayWindows.optional(),
    sun: DayWindows.optional(),
  }).refine((hours) => Object.values(hours).some((w) => w !== undefined && w.length > 0), {
    error: `${field} has no open hours: no message could ever be sent`,
  });

const BusinessHoursSchema = hoursSchema('businessHours');

/** The channels that send a message to the debtor (and so have contact hours). */
export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** Per-channel windows: each replaces `businessHours` for its channel (e.g. SMS narrower than email). */
const ChannelHoursSchema = strictObject({
  email: hoursSchema('channelHours.email').optional(),
  sms: hoursSchema('channelHours.sms').optional(),
});

function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return false;
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d;
}

const IsoDate = z
  .string({ error: (i) => `must be a date YYYY-MM-DD, got ${show(i.input)}` })
  .regex(ISO_DATE, { error: (i) => `must be a date YYYY-MM-DD, got ${show(i.input)}` })
  .refine((date) => !ISO_DATE.test(date) || isRealDate(date), { error: (i) => `not a real date: ${show(i.input)}` });

const TimeZone = z
  .string({ error: (i) => `must be an IANA time zone like "America/Sao_Paulo", got ${show(i.input)}` })
  .refine(isValidTimeZone, {
    error: (i) => `must be an IANA time zone like "America/Sao_Paulo", got ${show(i.input)}`,
  });

const Template = z.enum(TEMPLATE_NAMES, {
  error: (i) =>
    i.input === undefined
      ? `a message action needs a template; known: ${TEMPLATE_NAMES.join(', ')}`
      : `unknown template ${show(i.input)}; known: ${TEMPLATE_NAMES.join(', ')}`,
});

const EscalationTarget = z
  .string({ error: 'escalate needs "to": the operators\' queue or team to notify, e.g. "collections"' })
  .trim()
  .min(1, { error: 'escalate needs "to": the operators\' queue or team to notify, e.g. "collections"' });

const CHANNELS = ['email', 'sms', 'escalate'] as const;

const ActionSchema = z.discriminatedUnion(
  'channel',
  [
    strictObject({ channel: z.literal('email'), template: Template }),
    strictObject({ channel: z.literal('sms'), template: Template }),
    strictObject({ channel: z.literal('escalate'), to: EscalationTarget }),
  ],
  {
    error: (i) => {
      const channel =
        typeof i.input === 'object' && i.input !== null ? (i.input as { channel?: unknown }).channel : undefined;
      return `channel must be one of ${CHANNELS.join(', ')}, got ${show(channel)}`;
    },
  },
);

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .int({ error: `must be a whole number of ${what} from ${min} to ${max}` })
    .min(min)
    .max(max);

/**
 * An early-payment incentive on a stage before the due date (issue #5): paying the discounted amount by the end of the
 * due date, in the debtor's zone, settles the invoice (see `early-payment.ts`).
 */
const OfferSchema = strictObject({
  discountPercent: z
    .number({
      error: (i) =>
        `${i.input === undefined ? 'is required: ' : 'must be '}a percentage more than 0 and at most ${MAX_DISCOUNT_PERCENT}, e.g. 5`,
    })
    .refine(isOfferPercent, {
      error: (i) =>
        `must be a percentage more than 0 and at most ${MAX_DISCOUNT_PERCENT} with at most 4 decimal places, got ${show(i.input)}`,
    }),
});

const StageSchema = strictObject({
  id: z.string({ error: 'a stage needs an id like "D+7"' }).regex(/^[A-Za-z0-9+\-_.]{1,20}$/, {
    error: (i) => `must be 1-20 letters, digits or + - _ . (like "D+7"), got ${show(i.input)}`,
  }),
  offsetDays: wholeNumber('days', -90, 365),
  at: TimeOfDay,
  actions: z
    .array(ActionSchema, { error: 'must be a list of actions' })
    .min(1, { error: 'a stage needs at least one action' })
    .max(5, { error: 'a stage has at most 5 actions' })
    .superRefine((actions, ctx) => {
      const seen = new Set<string>();
      actions.forEach((action, index) => {
        if (seen.has(action.channel)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'channel'],
            message: `duplicate channel "${action.channel}" in one stage (each channel at most once per stage)`,
          });
        }
        seen.add(action.channel);
      });
    }),
  offer: OfferSchema.optional(),
}).superRefine((stage, ctx) => {
  if (!stage.offer) return;
  if (stage.offsetDays >= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['offer'],
      message: `an early-payment offer is valid until the due date, so only a stage before it (offsetDays < 0) can make one; this stage has offsetDays ${stage.offsetDays}`,
    });
  }
  if (messageChannelsOf(stage).length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['offer'],
      message: 'an early-payment offer needs a message to the debtor: add an email or sms action to this stage',
    });
  }
  stage.actions.forEach((action, index) => {
    if (action.channel === 'escalate' || OFFER_TEMPLATES.includes(action.template)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['actions', index, 'template'],
      message: `a stage with an early-payment offer states it in its messages, and only ${OFFER_TEMPLATES.join(' and ')} can; got "${action.template}"`,
    });
  });
});

const percent = (max: number) => {
  const message = `must be a percentage from 0 to ${max} with at most 4 decimal places, e.g. 2 or 0.033`;
  return z.number({ error: message }).refine((value) => isExactPercent(value) && value <= max, { error: message });
};

/** Late fees on an overdue balance (see `late-fee.ts`): a one-off fine and simple interest per 30 days, in percent. */
const LateFeeSchema = strictObject({
  finePercent: percent(20),
  monthlyInterestPercent: percent(10),
});

const PresetSchema = z.enum(PRESET_NAMES, {
  error: (i) => `unknown preset ${show(i.input)}; known: ${PRESET_NAMES.join(', ')}`,
});

const ContactPolicySchema = strictObject({
  maxContacts: wholeNumber('contacts', 1, 1000),
  windowDays: wholeNumber('days', 1, 365),
  minHoursBetween: z
    .number({ error: 'must be a number of hours from 0 to 8760' })
    .min(0, { error: 'must be a number of hours from 0 to 8760' })
    .max(24 * 365, { error: 'must be a number of hours from 0 to 8760' }),
});

/** Stage position in time, for ordering: days then minutes. */
const stageMinutes = (stage: { offsetDays: number; at: string }) => stage.offsetDays * 1440 + minutesOf(stage.at);

const StagesSchema = z
  .array(StageSchema, { error: 'must be a list of stages' })
  .min(1, { error: 'a billing rule needs at least one stage' })
  .max(20, { error: 'a billing rule has at most 20 stages' })
  .superRefine((stages, ctx) => {
    const ids = new Set<string>();
    stages.forEach((stage, index) => {
      if (ids.has(stage.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate stage id "${stage.id}"` });
      ids.add(stage.id);
      const prev = stages[index - 1];
      if (prev && stageMinutes(stage) <= stageMinutes(prev)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'offsetDays'],
          message: `stages must be in strictly increasing time order (offsetDays, at): "${stage.id}" (${stage.offsetDays}d ${stage.at}) is not after "${prev.id}" (${prev.offsetDays}d ${prev.at})`,
        });
      }
    });
  });

/* ------------------------------------------------------------------------------------------------------------------
 * The billing rule (docs/formats.md).
 * ---------------------------------------------------------------------------------------------------------------- */

const CountrySchema = z
  .string({ error: (i) => `must be an ISO 3166 alpha-2 code like "BR", got ${show(i.input)}` })
  .regex(/^[A-Z]{2}$/, {
    error: (i) => `must be an ISO 3166 alpha-2 code like "BR" (uppercase), got ${show(i.input)}`,
  });

const RegionSchema = z
  .string({ error: (i) => `must be a region code like "SP", got ${show(i.input)}` })
  .regex(/^[A-Za-z0-9]{1,10}$/, { error: (i) => `must be a region code like "SP", got ${show(i.input)}` });

/* ------------------------------------------------------------------------------------------------------------------
 * Limits across fields: every stage must have contact hours common to its channels, and a rule may not be looser
 * than its preset. Each field is checked only when it is valid on its own (otherwise its own error says why).
 * ---------------------------------------------------------------------------------------------------------------- */

function validOrUndefined<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

interface RuleIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The message channels of each raw stage, read leniently (a malformed stage has its own errors). */
function rawStageChannels(stages: unknown): MessageChannel[][] {
  if (!Array.isArray(stages)) return [];
  return stages.map((stage: unknown) => {
    const actions = typeof stage === 'object' && stage !== null ? (stage as { actions?: unknown }).actions : undefined;
    if (!Array.isArray(actions)) return [];
    const channels = actions.map((a: unknown) =>
      typeof a === 'object' && a !== null ? (a as { channel?: unknown }).channel : undefined,
    );
    return MESSAGE_CHANNELS.filter((c) => channels.includes(c)).sort(
      (a, b) => channels.indexOf(a) - channels.indexOf(b),
    );
  });
}

function stageHoursIssues(rule: Record<string, unknown>): RuleIssue[] {
  const businessHours = validOrUndefined(BusinessHoursSchema, rule.businessHours);
  const channelHours = validOrUndefined(ChannelHoursSchema, rule.channelHours);
  if (!businessHours || (rule.channelHours !== undefined && !channelHours)) return [];
  const issues: RuleIssue[] = [];
  rawStageChannels(rule.stages).forEach((channels, index) => {
    if (channels.length < 2 || hasOpenHours(contactHours({ businessHours, channelHours }, channels))) return;
    const sources = channels.map((c) => (channelHours?.[c] ? `channelHours.${c}` : `businessHours (${c})`));
    issues.push({
      path: ['stages', index, 'actions'],
      message: `${channels.join(' and ')} are never open at the same time (${sources.join(' vs ')}): all actions of a stage go out together, so this stage could never be sent`,
    });
  });
  return issues;
}

function presetLimitIssues(rule: Record<string, unknown>): RuleIssue[] {
  if (!isPresetName(rule.preset)) return [];
  return presetIssues(PRESETS[rule.preset], {
    country: validOrUndefined(CountrySchema, rule.country),
    region: validOrUndefined(RegionSchema, rule.region),
    businessHours: validOrUndefined(BusinessHoursSchema, rule.businessHours),
    channelHours: validOrUndefined(ChannelHoursSchema, rule.channelHours),
    contactPolicy: validOrUndefined(ContactPolicySchema, rule.contactPolicy),
    lateFee: validOrUndefined(LateFeeSchema, rule.lateFee),
  });
}

function crossFieldIssues(value: unknown): RuleIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const rule = value as Record<string, unknown>;
  return [...stageHoursIssues(rule), ...presetLimitIssues(rule)];
}

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
export type ChannelHours = Partial<Record<MessageChannel, BusinessHours>>;
export type LateFee = z.infer<typeof LateFeeSchema>;
export type Stage = BillingRule['stages'][number];
/** `{ channel: 'email' | 'sms', template }` or `{ channel: 'escalate', to }`. */
export type StageAction = Stage['actions'][number];

/** The distinct channels of a stage, in the order of its actions. */
export function channelsOf(stage: Stage): string[] {
  return [...new Set(stage.actions.map((a) => a.channel))];
}

/** The channels of a stage that send a message to the debtor (not `escalate`), in the order of its actions. */
export function messageChannelsOf(stage: Pick<Stage, 'actions'>): MessageChannel[] {
  const channels: MessageChannel[] = [];
  for (const { channel } of stage.actions)
    if (channel !== 'escalate' && !channels.includes(channel)) channels.push(channel);
  return channels;
}

/**
 * When a message may go out on all of `channels` together: the intersection of each channel's hours, where a
 * channel's hours are its `channelHours` entry, else `businessHours`. No channels: `businessHours`.
 */
export function contactHours(
  rule: { readonly businessHours: BusinessHours; readonly channelHours?: ChannelHours | undefined },
  channels: readonly MessageChannel[] = [],
): BusinessHours {
  const [first, ...rest] = channels.map((c) => rule.channelHours?.[c] ?? rule.businessHours);
  return rest.reduce(intersectHours, first ?? rule.businessHours);
}
