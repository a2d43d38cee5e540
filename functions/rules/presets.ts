import {
  type BusinessHours,
  hhmmOf,
  minutesOf,
  type TimeWindow,
  WEEKDAY_NAMES,
  WEEKDAYS,
  type Weekday,
  windowWithin,
} from '../calendar/business-hours';

/**
 * Legal presets a billing rule can name (`"preset": "BR-SP"`). A preset supplies defaults for the fields a rule
 * leaves out, and a rule looser than its preset is rejected at validation, naming the field and the limit.
 */
export const PRESET_NAMES = ['BR-SP', 'US-RegF'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface ContactPolicyLimits {
  readonly maxContacts: number;
  readonly windowDays: number;
  readonly minHoursBetween: number;
}

export interface Preset {
  readonly name: PresetName;
  /** The law it encodes. */
  readonly law: string;
  /**
   * The widest contact hours the law allows, debtor-local wall clock; a weekday left out forbids contact that day
   * (business hours whose days are never undefined: `copyHours` copies each).
   */
  readonly hours: Partial<Record<Weekday, readonly TimeWindow[]>>;
  /** The country whose public holidays are closed (required: another country would drop them). */
  readonly country: string;
  /** The region whose public holidays are closed too, when the law is regional. */
  readonly region?: string;
  /** Default time zone of a rule that names none. */
  readonly timezone?: string;
  /** Default contact policy of a rule that sets none. */
  readonly contactPolicy?: ContactPolicyLimits;
  /** At most this many contacts in any 7 days. */
  readonly maxContactsPer7Days?: number;
  /** The late-fee fine may be at most this percentage of the amount due. */
  readonly fineCapPercent?: number;
}

const weekdays = (window: TimeWindow) => [window];

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  /*
   * São Paulo state Lei 15.426/2014: no collection contact on weekdays before 08:00 or after 20:00, on Saturdays
   * before 08:00 or after 14:00, nor on Sundays and public holidays. CDC (Lei 8.078/1990) art. 52 §1: the fine for
   * late payment may not exceed 2% of the amount.
   */
  'BR-SP': {
    name: 'BR-SP',
    law: 'São Paulo Lei 15.426/2014 and CDC art. 52 §1',
    hours: {
      mon: weekdays(['08:00', '20:00']),
      tue: weekdays(['08:00', '20:00']),
      wed: weekdays(['08:00', '20:00']),
      thu: weekdays(['08:00', '20:00']),
      fri: weekdays(['08:00', '20:00']),
      sat: weekdays(['08:00', '14:00']),
      sun: [],
    },
    country: 'BR',
    region: 'SP',
    timezone: 'America/Sao_Paulo',
    fineCapPercent: 2,
  },
  /*
   * CFPB Regulation F (12 CFR 1006): no communication at a time inconvenient to the consumer, presumed to be before
   * 08:00 or after 21:00 at the consumer's location (§1006.6(b)(1)(i)); at most 7 call attempts within 7
   * consecutive days (§1006.14(b)(2)), applied here to every contact.
   */
  'US-RegF': {
    name: 'US-RegF',
    law: 'CFPB Regulation F (12 CFR 1006)',
    hours: Object.fromEntries(WEEKDAYS.map((day) => [day, weekdays(['08:00', '21:00'])])),
    country: 'US',
    contactPolicy: { maxContacts: 7, windowDays: 7, minHoursBetween: 0 },
    maxContactsPer7Days: 7,
  },
};

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

/** A copy of hours, so that no rule shares (or could change) a preset's arrays. */
function copyHours(hours: Preset['hours']): BusinessHours {
  return Object.fromEntries(Object.entries(hours).map(([day, windows]) => [day, windows.map(([s, e]) => [s, e])]));
}

/**
 * A raw rule with its preset's defaults filled in for the fields it leaves out: time zone, country, region (when the
 * country is the preset's), business hours and contact policy. Anything that is not an object naming a known preset
 * is returned as is, so the schema reports it.
 */
export function withPresetDefaults(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const rule = input as Record<string, unknown>;
  if (!isPresetName(rule.preset)) return input;
  const preset = PRESETS[rule.preset];
  const filled: Record<string, unknown> = { ...rule };
  if (filled.timezone === undefined && preset.timezone) filled.timezone = preset.timezone;
  if (filled.country === undefined) filled.country = preset.country;
  if (filled.region === undefined && preset.region && filled.country === preset.country) filled.region = preset.region;
  if (filled.businessHours === undefined) filled.businessHours = copyHours(preset.hours);
  if (filled.contactPolicy === undefined && preset.contactPolicy) filled.contactPolicy = { ...preset.contactPolicy };
  return filled;
}

/** The parts of a rule a preset limits; each only when it is valid on its own (otherwise its own error shows). */
export interface PresetLimitedFields {
  readonly country?: string | undefined;
  readonly region?: string | undefined;
  readonly businessHours?: BusinessHours | undefined;
  readonly channelHours?: Readonly<Record<string, BusinessHours | undefined>> | undefined;
  readonly contactPolicy?: ContactPolicyLimits | undefined;
  readonly lateFee?: { readonly finePercent: number } | undefined;
}

export interface PresetIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Every way the rule is looser than its preset: hours outside the law's, another country, a higher cap or fine. */
export function presetIssues(preset: Preset, fields: PresetLimitedFields): PresetIssue[] {
  const issues: PresetIssue[] = [];
  const { name } = preset;
  if (fields.country !== undefined && fields.country !== preset.country) {
    issues.push({
      path: ['country'],
      message: `${name} requires country "${preset.country}", got "${fields.country}"`,
    });
  }
  if (preset.region && fields.region !== undefined && fields.region !== preset.region) {
    issues.push({ path: ['region'], message: `${name} requires region "${preset.region}", got "${fields.region}"` });
  }
  if (fields.businessHours) issues.push(...hoursIssues(preset, ['businessHours'], fields.businessHours));
  for (const [channel, hours] of Object.entries(fields.channelHours ?? {})) {
    if (hours) issues.push(...hoursIssues(preset, ['channelHours', channel], hours));
  }
  if (fields.contactPolicy && preset.maxContactsPer7Days !== undefined) {
    const issue = weeklyCapIssue(preset, preset.maxContactsPer7Days, fields.contactPolicy);
    if (issue) issues.push(issue);
  }
  if (fields.lateFee && preset.fineCapPercent !== undefined && fields.lateFee.finePercent > preset.fineCapPercent) {
    issues.push({
      path: ['lateFee', 'finePercent'],
      message: `${name} caps the fine at ${preset.fineCapPercent}%, got ${fields.lateFee.finePercent}`,
    });
  }
  return issues;
}

function hoursIssues(preset: Preset, path: (string | number)[], hours: BusinessHours): PresetIssue[] {
  const issues: PresetIssue[] = [];
  for (const day of WEEKDAYS) {
    const windows = hours[day] ?? [];
    const allowed = preset.hours[day] ?? [];
    if (windows.length === 0) continue;
    if (allowed.length === 0) {
      issues.push({ path: [...path, day], message: `${preset.name} forbids contact on ${WEEKDAY_NAMES[day]}s` });
      continue;
    }
    windows.forEach((window, index) => {
      if (windowWithin(window, allowed)) return;
      issues.push({
        path: [...path, day, index],
        message: `${preset.name} allows contact on ${WEEKDAY_NAMES[day]}s only ${allowed.map(showWindow).join(', ')}, got ${showWindow(window)}`,
      });
    });
  }
  return issues;
}

const showWindow = ([start, end]: TimeWindow) => `${hhmmOf(minutesOf(start))}–${hhmmOf(minutesOf(end))}`;

/**
 * The most contacts a policy lets through in any 7 days: `maxContacts` per window, times the windows needed to
 * cover 7 days, and, with a minimum gap of g hours, ceil(168 / g) (points g apart in a half-open 7-day span).
 * An upper bound (the smaller of two bounds), so a policy within it never exceeds the cap.
 */
export function maxContactsIn7Days(policy: ContactPolicyLimits): number {
  const byWindow = policy.maxContacts * Math.ceil(7 / policy.windowDays);
  const byGap = policy.minHoursBetween > 0 ? Math.ceil((7 * 24) / policy.minHoursBetween) : Number.POSITIVE_INFINITY;
  return Math.min(byWindow, byGap);
}

function weeklyCapIssue(preset: Preset, cap: number, policy: ContactPolicyLimits): PresetIssue | undefined {
  const allowed = maxContactsIn7Days(policy);
  if (allowed <= cap) return undefined;
  if (policy.windowDays >= 7) {
    return {
      path: ['contactPolicy', 'maxContacts'],
      message: `${preset.name} allows at most ${cap} contacts in 7 days, got ${policy.maxContacts}`,
    };
  }
  return {
    path: ['contactPolicy', 'windowDays'],
    message: `${preset.name} allows at most ${cap} contacts in 7 days; ${policy.maxContacts} per ${policy.windowDays} day${policy.windowDays > 1 ? 's' : ''} allow up to ${allowed}`,
  };
}
