import middy from '@middy/core';
import * as z from 'zod';
import { sendStage } from '../contact/send-stage';
import { cachedSendingBreakers } from '../contact/sending-breakers';
import type { StepResult } from '../contracts/step-result';
import { withinExecutionLife } from '../executions/execution-life';
import { behindSchedule } from '../executions/wait-schedules';
import { interruptResult } from '../executions/workflow-steps';
import { now } from '../platform/clock';
import { ENV, optionalEnv } from '../platform/environment';
import { WorkflowRuleSchema } from '../rules/billing-rule-schema';
import { companyIdentity } from '../wiring/company';
import { mailer } from '../wiring/mailer';
import { operatorsNotifier } from '../wiring/operators-notifier';
import { smsSender } from '../wiring/sms-sender';
import { stores } from '../wiring/stores';

const Input = z.object({
  invoiceId: z.string().min(1),
  rule: WorkflowRuleSchema,
  stageId: z.string().min(1),
  /** The execution's start (`$$.Execution.StartTime`): a deferral is kept inside the execution's year. */
  startedAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * What ended the stage's wait (`$.interrupt`): `{ event: 'due' }` from its schedule, the caught safety-net timeout
   * (`{ Error, Cause }`), or a change — `paid`, `changed` — which this step routes without sending anything.
   */
  interrupt: z.object({ event: z.string().optional() }).loose().optional(),
});
const tables = stores();
const deps = {
  ...tables,
  // read once a minute per container, not once per send step (contact/sending-breakers.ts)
  sendingBreakers: cachedSendingBreakers(tables.sendingBreakers, now),
  mailer: mailer(),
  sms: smsSender(),
  operators: operatorsNotifier(),
  company: companyIdentity(),
  unsubscribeBaseUrl: optionalEnv(ENV.UNSUBSCRIBE_BASE_URL),
  now,
};

/**
 * Workflow step `<stage> · send …`, entered when the stage's wait ended. A change that ended it (a payment, a pause…)
 * is routed at once (`interruptResult`: `paid` or `changed`), nothing sent. At the stage's instant: policy check, then
 * every action of the stage, each at most once; the next wait is kept inside the execution's year
 * (`withinExecutionLife`) and its task timeout is a safety net behind its schedule (`behindSchedule`).
 */
export const handler = middy<unknown, StepResult>().handler(async (event) => {
  const input = Input.parse(event);
  const interrupted = interruptResult(input.interrupt);
  if (interrupted) return interrupted;
  return behindSchedule(withinExecutionLife(await sendStage(input, deps), input.startedAt, now()));
});
