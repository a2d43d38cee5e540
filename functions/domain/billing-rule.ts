import Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { type FieldIssue, fieldIssuesFromZod } from './field-issue';
import { TEMPLATE_NAMES } from './template-names';

/** The weekday keys of `businessHours`, Monday first (ISO order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `["08:00","20:00"]`: wall-clock HH:MM (24 h), half-open [start, end); `"24:00"` is allowed as an end. */
export type TimeWindow = readonly [string, string];
/** Windows per weekday; a missing weekday or `[]` is closed. */
export type BusinessHours = Partial<Record<Weekday, readonly TimeWindow[]>>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_OR_24 = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Minutes since midnight of an `HH:MM` (or `24:00`) string. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

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

const BusinessHoursSchema = strictObject({
  mon: DayWindows.optional(),
  tue: DayWindows.optional(),
  wed: DayWindows.optional(),
  thu: DayWindows.optional(),
  fri: DayWindows.optional(),
  sat: DayWindows.optional(),
  sun: DayWindows.optional(),
}).refine((hours) => Object.values(hours).some((w) => w !== undefined && w.length > 0), {
  error: 'businessHours has no open hours: no message could ever be sent',
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

const zoneValidity = new Map<string, boolean>();

/** True for a valid IANA time zone name (luxon/Intl; cached, the check costs ~0.1 ms). */
export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size >= 10_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

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
 * Holiday data: a rule whose country (or region) date-holidays does not know would silently contact on holidays.
 * ---------------------------------------------------------------------------------------------------------------- */

let holidayCatalog: Holidays | undefined;
let holidayCountries: ReadonlySet<string> | undefined;
const holidayRegions = new Map<string, readonly string[]>();

function hasHolidayData(country: string): boolean {
  holidayCatalog ??= new Holidays();
  holidayCountries ??= new Set(Object.keys(holidayCatalog.getCountries()));
  return holidayCountries.has(country);
}

function regionsOf(country: string): readonly string[] {
  let regions = holidayRegions.get(country);
  if (!regions) {
    holidayCatalog ??= new Holidays();
    regions = Object.keys(holidayCatalog.getStates(country) ?? {});
    holidayRegions.set(country, regions);
  }
  return regions;
}

function holidayDataIssues(value: unknown): { path: string; message: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  const { country, region } = value as { country?: unknown; region?: unknown };
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) return [];
  if (!hasHolidayData(country)) {
    return [
      {
        path: 'country',
        message: `no public-holiday data for "${country}" (date-holidays): holidays could not be respected`,
      },
    ];
  }
  if (typeof region !== 'string') return [];
  const regions = regionsOf(country);
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

/* ------------------------------------------------------------------------------------------------------------------
 * The billing rule (DESIGN §8).
 * ---------------------------------------------------------------------------------------------------------------- */

export const BillingRuleSchema = strictObject({
  id: z.string({ error: 'a billing rule needs an id like "standard"' }).regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    error: (i) =>
      `must be a slug of letters, digits, - and _ (1-64, starting with a letter or digit), got ${show(i.input)}`,
  }),
  name: z.string({ error: 'must be a text' }).max(200, { error: 'must be at most 200 characters' }).optional(),
  timezone: TimeZone,
  country: z
    .string({ error: (i) => `must be an ISO 3166 alpha-2 code like "BR", got ${show(i.input)}` })
    .regex(/^[A-Z]{2}$/, {
      error: (i) => `must be an ISO 3166 alpha-2 code like "BR" (uppercase), got ${show(i.input)}`,
    }),
  region: z
    .string({ error: (i) => `must be a region code like "SP", got ${show(i.input)}` })
    .regex(/^[A-Za-z0-9]{1,10}$/, { error: (i) => `must be a region code like "SP", got ${show(i.input)}` })
    .optional(),
  businessHours: BusinessHoursSchema,
  contactPolicy: ContactPolicySchema.optional(),
  extraHolidays: z.array(IsoDate, { error: 'must be a list of dates YYYY-MM-DD' }).optional(),
  stages: StagesSchema,
}).superRefine(
  (_rule, ctx) => {
    for (const { path, message } of holidayDataIssues(ctx.value))
      ctx.addIssue({ code: 'custom', path: [path], message });
  },
  { when: (payload) => holidayDataIssues(payload.value).length > 0 },
);

export type BillingRule = z.infer<typeof BillingRuleSchema>;
export type Stage = BillingRule['stages'][number];
/** `{ channel: 'email' | 'sms', template }` or `{ channel: 'escalate', to }`. */
export type StageAction = Stage['actions'][number];

/** A billing rule that does not validate; `issues` names every bad field, and so does the message. */
export class InvalidBillingRule extends Error {
  override readonly name = 'InvalidBillingRule';
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid billing rule:\n${issues.map((i) => `  - ${i.path}: ${i.issue}`).join('\n')}`);
  }
}

/**
 * Validates a billing rule (DESIGN §8) and returns it typed.
 * @throws InvalidBillingRule listing every problem as `path: issue` (e.g. `stages.1.at: must be HH:MM (24h), got "9am"`).
 */
export function parseBillingRule(input: unknown): BillingRule {
  const result = BillingRuleSchema.safeParse(input);
  if (!result.success) throw new InvalidBillingRule(fieldIssuesFromZod(result.error));
  return result.data;
}

/** The distinct channels of a stage, in the order of its actions. */
export function channelsOf(stage: Stage): string[] {
  return [...new Set(stage.actions.map((a) => a.channel))];
}
