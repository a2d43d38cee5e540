import type * as z from 'zod';
import { hasOpenHours } from '../../calendar/business-hours';
import { isPresetName, PRESETS, presetIssues } from '../presets';
import {
  BusinessHoursSchema,
  ChannelHoursSchema,
  contactHours,
  MESSAGE_CHANNELS,
  type MessageChannel,
} from './business-hours';
import { ContactPolicySchema } from './contact-policy';
import { CountrySchema, RegionSchema } from './fields';
import { LateFeeSchema } from './late-fee';

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

export function crossFieldIssues(value: unknown): RuleIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const rule = value as Record<string, unknown>;
  return [...stageHoursIssues(rule), ...presetLimitIssues(rule)];
}
