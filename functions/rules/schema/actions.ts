import * as z from 'zod';
import { TEMPLATE_NAMES } from '../../messages/template-names';
import type { MessageChannel } from './business-hours';
import { show } from './fields';
import { strictObject } from './strict-object';

/** What a stage does: send an email or an SMS with a template, or escalate to the operators. */

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

export const ActionSchema = z.discriminatedUnion(
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

/** `{ channel: 'email' | 'sms', template }` or `{ channel: 'escalate', to }`. */
type Action = z.output<typeof ActionSchema>;

/** The distinct channels of a stage, in the order of its actions. */
export function channelsOf(stage: { readonly actions: readonly Action[] }): string[] {
  return [...new Set(stage.actions.map((a) => a.channel))];
}

/** The channels of a stage that send a message to the debtor (not `escalate`), in the order of its actions. */
export function messageChannelsOf(stage: { readonly actions: readonly Action[] }): MessageChannel[] {
  const channels: MessageChannel[] = [];
  for (const { channel } of stage.actions)
    if (channel !== 'escalate' && !channels.includes(channel)) channels.push(channel);
  return channels;
}
