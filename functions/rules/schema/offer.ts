import * as z from 'zod';
import { OFFER_TEMPLATES } from '../../messages/template-names';
import { isOfferPercent, MAX_DISCOUNT_PERCENT } from '../../values/percent';
import { type ActionSchema, messageChannelsOf } from './actions';
import { show } from './fields';
import { strictObject } from './strict-object';

/**
 * An early-payment incentive on a stage before the due date (issue #5): paying the discounted amount by the end of the
 * due date, in the debtor's zone, settles the invoice (see `early-payment.ts`).
 */
export const OfferSchema = strictObject({
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

/**
 * A stage's offer, against the rest of the stage: only a stage before the due date can make one, and it must say so
 * to the debtor in a message whose template states it.
 */
export function checkStageOffer(
  stage: {
    readonly offsetDays: number;
    readonly actions: readonly z.output<typeof ActionSchema>[];
    readonly offer?: z.output<typeof OfferSchema> | undefined;
  },
  ctx: z.RefinementCtx,
): void {
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
}
