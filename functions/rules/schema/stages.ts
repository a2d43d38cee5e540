import * as z from 'zod';
import { minutesOf } from '../../calendar/business-hours';
import { ActionSchema } from './actions';
import { show, TimeOfDay, wholeNumber } from './fields';
import { checkStageOffer, OfferSchema } from './offer';
import { strictObject } from './strict-object';

/** The stages of a billing rule: when each acts (days from the due date, time of day) and what it does. */

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
}).superRefine(checkStageOffer);

/** Stage position in time, for ordering: days then minutes. */
const stageMinutes = (stage: { offsetDays: number; at: string }) => stage.offsetDays * 1440 + minutesOf(stage.at);

export const StagesSchema = z
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
