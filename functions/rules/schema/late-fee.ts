import { percent } from './fields';
import { strictObject } from './strict-object';

/** Late fees on an overdue balance (see `late-fee.ts`): a one-off fine and simple interest per 30 days, in percent. */
export const LateFeeSchema = strictObject({
  finePercent: percent(20),
  monthlyInterestPercent: percent(10),
});
