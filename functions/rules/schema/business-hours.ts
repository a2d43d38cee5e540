import * as z from 'zod';
import { type BusinessHours, intersectHours, minutesOf } from '../../calendar/business-hours';
import { show, TimeOfDay } from './fields';
import { strictObject } from './strict-object';

/**
 * When the rule may contact a debtor: `businessHours` (windows per weekday) and, per message channel, `channelHours`
 * that replace them for that channel (e.g. SMS narrower than email).
 */

const HHMM_OR_24 = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

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

export const BusinessHoursSchema = hoursSchema('businessHours');

/** The channels that send a message to the debtor (and so have contact hours). */
export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** Per-channel windows: each replaces `businessHours` for its channel (e.g. SMS narrower than email). */
export const ChannelHoursSchema = strictObject({
  email: hoursSchema('channelHours.email').optional(),
  sms: hoursSchema('channelHours.sms').optional(),
});

export type ChannelHours = Partial<Record<MessageChannel, BusinessHours | undefined>>;

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
