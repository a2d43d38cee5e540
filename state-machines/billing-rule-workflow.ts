import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  type IChainable,
  IntegrationPattern,
  JsonPath,
  Pass,
  Result,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, type LambdaInvokeProps } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { BillingRule } from '../functions/rules/billing-rule';
import { STATE } from './state-names';

/** The Lambda functions the workflow calls. */
export interface WorkflowFunctions {
  /** Reads the invoice and picks the stage to wait for (skipping superseded ones). */
  readonly planStage: IFunction;
  /** Stores the task token on the invoice; a payment, pause, dispute… resumes it with SendTaskSuccess. */
  readonly waitForEvent: IFunction;
  /** Re-reads the invoice, asks the contact policy, sends the stage's messages (idempotently). */
  readonly sendStage: IFunction;
  /** Records an unhandled error on the invoice and notifies the operators' topic. */
  readonly handleFailure: IFunction;
  /** Starts the walk's next execution before this one's one-year limit (continue-as-new). */
  readonly continueWalk: IFunction;
}

export interface BillingRuleWorkflowProps {
  /**
   * The rules invoices may walk; the first is the default (an execution whose input names no `ruleId`, or an unknown
   * one, walks it). One rule: the states are named as the rule's stages; several: prefixed with the rule's id.
   */
  readonly rules: readonly BillingRule[];
  readonly functions: WorkflowFunctions;
}

/** Error a send throws when a provider throttles or fails transiently: nothing was sent, try again later. */
export const TRANSIENT_SEND_ERROR = 'TransientSendError';

/** Errors of the Lambda service itself that are always safe to retry. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * A function that crashed (its runtime exited, ran out of memory or time): `Lambda.Unknown`. Every step is safe to run
 * again — plan and the waits re-read the invoice, the send step finds its send claims (a message sent before the
 * crash is in doubt and never sent again) — so a crash is retried a few times before the walk fails.
 */
const LAMBDA_CRASH = 'Lambda.Unknown';

/** Path of the last step result ({ outcome, stageId, seconds, until, reason }) in the state data. */
const STEP = '$.step';

/** The execution's start, from the context object: plan and send keep every wait inside the execution's year. */
const STARTED_AT = '$$.Execution.StartTime';

/**
 * Builds the per-invoice workflow from a billing rule. One readable group of states per stage:
 *
 *   `D-3 · wait or payment` (task token) → `D-3 · send email` → `D-3 · sent or deferred?`
 *
 * which is three state transitions per stage on the happy path, none of them an error: the wait step sets a one-time
 * schedule that resumes the token with `due` at the stage's instant (functions/executions/wait-schedules.ts); the
 * task's timeout, a few minutes later, is only a safety net (caught, it goes on to the send step all the same). A
 * payment resumes the wait at once with `paid`: the send step sends nothing and routes it, and the execution ends in
 * `Invoice paid`. A deferral (outside business hours, holiday, frequency cap) loops back to the stage's wait.
 *
 * An operator's pause or a dispute resumes the wait with `changed`: `Plan next stage` finds the invoice on hold and
 * the walk parks in `Paused or disputed (wait for resume)` (no timeout: nothing goes out until a resume or resolve
 * resumes it, and `Plan next stage` picks the stage that is due). A promise to pay parks in `Promise to pay (wait
 * until the promised date)`, whose timeout is the promise's deadline: a payment keeps it (or ends the walk), the
 * timeout sends the walk back to `Plan next stage`, which records the broken promise and resumes dunning.
 */
export function buildBillingRuleWorkflow(scope: Construct, props: BillingRuleWorkflowProps): IChainable {
  const { rules, functions } = props;
  const [defaultRule] = rules;
  if (!defaultRule) throw new Error('buildBillingRuleWorkflow needs at least one billing rule');
  const several = rules.length > 1;

  const paid = new Succeed(scope, STATE.paid, { comment: 'The invoice was paid: no further contact.' });
  const stopped = new Succeed(scope, STATE.stopped, {
    comment: 'The invoice is no longer open (written off, renegotiated, …): no further contact.',
  });
  const completed = new Succeed(scope, STATE.completed, { comment: 'Every stage of the billing rule was walked.' });
  const failed = new Fail(scope, STATE.failed, {
    error: 'DunningFailed',
    cause: 'An unhandled error stopped this invoice; it was recorded on the invoice and sent to the operators topic.',
  });

  const recordFailure = invoke(scope, STATE.recordFailure, functions.handleFailure, {
    invoiceId: JsonPath.stringAt('$.invoiceId'),
    failure: JsonPath.objectAt('$.failure'),
  });
  recordFailure.addCatch(failed, { resultPath: '$.failureOfFailureHandler' });
  recordFailure.next(failed);

  const onError = <T extends LambdaInvoke>(task: T): T => {
    task.addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.failure' });
    return task;
  };
  // The waits (`.waitForTaskToken`) invoke wait-for-event like any task: a throttled or failed invocation
  // (Lambda.TooManyRequestsException at a peak, a 5xx, a crash) is retried, never the end of the walk.
  const waitTask = (id: string, props: Omit<LambdaInvokeProps, 'lambdaFunction' | 'integrationPattern'>) =>
    retriedLambda(
      onError(
        new LambdaInvoke(scope, id, {
          ...props,
          lambdaFunction: functions.waitForEvent,
          integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          retryOnServiceExceptions: false,
        }),
      ),
    );

  const plan = onError(
    invoke(
      scope,
      STATE.plan,
      functions.planStage,
      {
        invoiceId: JsonPath.stringAt('$.invoiceId'),
        // One rule: written into the step's parameters (no state spends a transition loading it). Several: the one
        // this invoice walks, which its `Billing rule · <id>` state put into the data.
        rule: several ? JsonPath.objectAt('$.rule') : ruleLiteral(defaultRule),
        startedAt: JsonPath.stringAt(STARTED_AT),
      },
      STEP,
    ),
  );

  // Continue-as-new: a Standard execution ends TIMED_OUT after one year, so a walk whose next wait would outlive it
  // goes on in a new execution (functions/executions/execution-life.ts, functions/executions/walks.ts).
  const continued = new Succeed(scope, STATE.continued, {
    comment: "The walk goes on in the invoice's next execution (started before this one's one-year limit).",
  });
  const continueWalk = onError(
    invoke(scope, STATE.continueWalk, functions.continueWalk, {
      invoiceId: JsonPath.stringAt('$.invoiceId'),
      executionArn: JsonPath.stringAt('$$.Execution.Id'),
      stateMachineArn: JsonPath.stringAt('$$.StateMachine.Id'),
    }),
  );
  // StartExecution throttled or failed: the step is idempotent (the next walk is recorded, then started by name).
  continueWalk.addRetry({
    errors: [Errors.TASKS_FAILED],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 6,
  });
  continueWalk.next(continued);

  // After a hold (paused, disputed, promised): a payment ends the walk; anything else — the promise's deadline (`due`),
  // a resume, a resolve — plans again from the invoice as it now is.
  const interrupted = new Choice(scope, STATE.interrupted)
    .when(Condition.stringEquals('$.interrupt.event', 'paid'), paid)
    .otherwise(plan);

  const waitToContinue = waitTask(STATE.waitToContinue, {
    comment:
      "The next stage is due after this execution's one-year limit: wait until shortly before it (a payment or " +
      'other event still resumes this task), then continue the walk in a new execution.',
    payload: TaskInput.fromObject({
      invoiceId: JsonPath.stringAt('$.invoiceId'),
      stageId: JsonPath.stringAt(`${STEP}.stageId`),
      until: JsonPath.stringAt(`${STEP}.until`),
      taskToken: JsonPath.taskToken,
    }),
    taskTimeout: Timeout.at(`${STEP}.seconds`),
    resultPath: '$.interrupt',
  });
  waitToContinue.addCatch(continueWalk, { errors: [Errors.TIMEOUT], resultPath: '$.waited' });
  waitToContinue.next(
    new Choice(scope, STATE.yearEndOrEvent)
      .when(Condition.stringEquals('$.interrupt.event', 'due'), continueWalk)
      .when(Condition.stringEquals('$.interrupt.event', 'paid'), paid)
      .otherwise(plan),
  );
  const continuing = (choice: Choice): Choice =>
    choice
      .when(Condition.stringEquals(`${STEP}.outcome`, 'continue'), continueWalk)
      .when(Condition.stringEquals(`${STEP}.outcome`, 'wait-then-continue'), waitToContinue);

  // Holds: the token is parked on the invoice as for a stage's wait; a change of the invoice resumes it.
  const holdPayload = (until: string) =>
    TaskInput.fromObject({
      invoiceId: JsonPath.stringAt('$.invoiceId'),
      stageId: JsonPath.stringAt(`${STEP}.stageId`),
      kind: 'hold',
      until,
      taskToken: JsonPath.taskToken,
    });
  const held = waitTask(STATE.held, {
    comment:
      'Paused or disputed: no contact until a resume (or resolve, payment, write-off) resumes this task. The ' +
      "timeout is the execution's year: then plan again (and continue in a new execution).",
    payload: holdPayload(''),
    taskTimeout: Timeout.at(`${STEP}.seconds`),
    resultPath: '$.interrupt',
  });
  held.addCatch(plan, { errors: [Errors.TIMEOUT], resultPath: '$.waited' });
  held.next(interrupted);
  const promised = waitTask(STATE.promised, {
    comment: 'A promise to pay is pending: a payment resumes this task; the timeout is the promise deadline.',
    payload: holdPayload(JsonPath.stringAt(`${STEP}.until`)),
    taskTimeout: Timeout.at(`${STEP}.seconds`),
    resultPath: '$.interrupt',
  });
  // The deadline passed: plan again, which records the broken promise and resumes dunning at the stage that is due.
  promised.addCatch(plan, { errors: [Errors.TIMEOUT], resultPath: '$.waited' });
  promised.next(interrupted);

  // Build each rule's stages back to front so each can point at the next one's wait.
  const startAt = new Choice(scope, STATE.startAt);
  const loaders = new Map<string, Pass>();
  for (const rule of rules) {
    const prefix = several ? `${rule.id} · ` : '';
    let nextWait: IChainable = completed;
    const waits: { stageId: string; wait: IChainable }[] = [];
    for (const stage of [...rule.stages].reverse()) {
      const wait = waitTask(STATE.wait(stage, prefix), {
        comment:
          `Waits until stage ${stage.id} is due (its one-time schedule resumes the task token with "due"; the ` +
          'timeout, minutes later, is a safety net) or a payment / other event resumes it.',
        payload: TaskInput.fromObject({
          invoiceId: JsonPath.stringAt('$.invoiceId'),
          stageId: stage.id,
          until: JsonPath.stringAt(`${STEP}.until`),
          taskToken: JsonPath.taskToken,
        }),
        taskTimeout: Timeout.at(`${STEP}.seconds`),
        resultPath: '$.interrupt',
      });

      const act = onError(
        invoke(
          scope,
          STATE.act(stage, prefix),
          functions.sendStage,
          {
            invoiceId: JsonPath.stringAt('$.invoiceId'),
            rule: ruleLiteral(rule),
            stageId: stage.id,
            startedAt: JsonPath.stringAt(STARTED_AT),
            // what ended the wait: `due`, the caught safety-net timeout, or a payment / change to route
            interrupt: JsonPath.objectAt('$.interrupt'),
          },
          STEP,
        ),
      );
      act.addRetry({
        errors: [TRANSIENT_SEND_ERROR],
        interval: Duration.seconds(30),
        backoffRate: 2,
        maxAttempts: 8,
        maxDelay: Duration.minutes(30),
      });

      const outcome = continuing(new Choice(scope, STATE.outcome(stage, prefix)))
        .when(Condition.stringEquals(`${STEP}.outcome`, 'deferred'), wait)
        .when(Condition.stringEquals(`${STEP}.outcome`, 'paid'), paid)
        .when(Condition.stringEquals(`${STEP}.outcome`, 'closed'), stopped)
        .when(Condition.stringEquals(`${STEP}.outcome`, 'held'), plan)
        .when(Condition.stringEquals(`${STEP}.outcome`, 'changed'), plan)
        .otherwise(nextWait);

      // The wait ends in the send step whatever ended it: its schedule (`due`), a payment or a change (the send step
      // routes them), or — the safety net — its timeout, caught into the same `$.interrupt`.
      wait.addCatch(act, { errors: [Errors.TIMEOUT], resultPath: '$.interrupt' });
      wait.next(act);
      act.next(outcome);

      waits.unshift({ stageId: stage.id, wait });
      nextWait = wait;
    }
    for (const { stageId, wait } of waits) {
      const atStage = Condition.and(
        Condition.stringEquals(`${STEP}.outcome`, 'wait'),
        Condition.stringEquals(`${STEP}.stageId`, stageId),
      );
      startAt.when(several ? Condition.and(Condition.stringEquals('$.rule.id', rule.id), atStage) : atStage, wait);
    }
    if (several) {
      loaders.set(
        rule.id,
        new Pass(scope, STATE.rule(rule.id), {
          comment: `Billing rule ${rule.id}, which this invoice walks; planning reads it from here.`,
          result: Result.fromObject(ruleLiteral(rule)),
          resultPath: '$.rule',
        }),
      );
    }
  }
  continuing(startAt)
    .when(Condition.stringEquals(`${STEP}.outcome`, 'paid'), paid)
    .when(Condition.stringEquals(`${STEP}.outcome`, 'closed'), stopped)
    .when(Condition.stringEquals(`${STEP}.outcome`, 'held'), held)
    .when(Condition.stringEquals(`${STEP}.outcome`, 'promised'), promised)
    .otherwise(completed);

  for (const loader of loaders.values()) loader.next(plan);
  plan.next(startAt);
  if (!several) return plan;
  const defaultLoader = loaders.get(defaultRule.id) as Pass;
  // The rule chosen at registration (the invoice's segment) comes in the execution input as `ruleId`.
  const choose = new Choice(scope, STATE.chooseRule, {
    comment: 'The billing rule the invoice walks, chosen by its segment at registration (the input names it).',
  });
  for (const rule of rules.slice(1)) {
    const named = Condition.and(Condition.isPresent('$.ruleId'), Condition.stringEquals('$.ruleId', rule.id));
    choose.when(named, loaders.get(rule.id) as Pass);
  }
  return choose.otherwise(defaultLoader);
}

/** The rule as a literal of the definition (a step's parameters, a Pass state's result). */
function ruleLiteral(rule: BillingRule): Record<string, unknown> {
  return rule as unknown as Record<string, unknown>;
}

/** A Lambda task whose result (the handler's StepResult) lands at `resultPath`, retried on Lambda service errors. */
function invoke(
  scope: Construct,
  name: string,
  fn: IFunction,
  payload: Record<string, unknown>,
  resultPath?: string,
): LambdaInvoke {
  const task = new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: TaskInput.fromObject(payload),
    retryOnServiceExceptions: false,
    ...(resultPath
      ? {
          resultSelector: {
            outcome: JsonPath.stringAt('$.Payload.outcome'),
            stageId: JsonPath.stringAt('$.Payload.stageId'),
            seconds: JsonPath.numberAt('$.Payload.seconds'),
            until: JsonPath.stringAt('$.Payload.until'),
            reason: JsonPath.stringAt('$.Payload.reason'),
          },
          resultPath,
        }
      : { resultPath: JsonPath.DISCARD }),
  });
  return retriedLambda(task);
}

/** Lambda's own service errors (throttled invocation, 5xx: 2 s, ×2, 6 attempts) and a crashed function (3 attempts). */
function retriedLambda<T extends LambdaInvoke>(task: T): T {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
  });
  task.addRetry({ errors: [LAMBDA_CRASH], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 });
  return task;
}
