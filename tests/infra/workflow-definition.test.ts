import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBillingRule } from '../../functions/rules/billing-rule';
import { parseRuleSet } from '../../functions/rules/rule-set';
import { PROJECT_ROOT } from '../../lib/config';
import { workflowFor, workflowForSet } from '../support/definition';
import { defaultRule } from '../support/fixtures';

const { definition } = workflowFor(defaultRule);
// The states as plain JSON objects (their shapes differ per type).
const states: Record<string, unknown> = definition.States;

describe('the workflow generated from the billing rule', () => {
  it('reads like the rule: one wait / act / outcome group per stage, named for people', () => {
    const names = Object.keys(states);
    for (const [stage, act] of [
      ['D-3', 'send email'],
      ['D0', 'send email + sms'],
      ['D+3', 'send sms'],
      ['D+7', 'send email + sms'],
      ['D+15', 'send email'],
      ['D+30', 'escalate to collections'],
    ]) {
      expect(names).toContain(`${stage} · wait or payment`);
      expect(names).toContain(`${stage} · ${act}`);
      expect(names).toContain(`${stage} · sent or deferred?`);
    }
    expect(names).toEqual(
      expect.arrayContaining(['Plan next stage', 'Start at stage', 'Invoice paid', 'Billing rule completed']),
    );
    // one rule: it is written into the steps' parameters, no state spends a transition loading it
    expect(definition.StartAt).toBe('Plan next stage');
    expect(names.some((n) => n.startsWith('Billing rule · '))).toBe(false);
    const plan = states['Plan next stage'] as { Parameters: { Payload: Record<string, unknown> } };
    const act = states['D0 · send email + sms'] as { Parameters: { Payload: Record<string, unknown> } };
    for (const step of [plan, act]) expect(step.Parameters.Payload.rule).toEqual(defaultRule);
  });

  it("waits with a task token that its schedule resumes at the stage's instant, a timeout as safety net, and acts", () => {
    const wait = states['D0 · wait or payment'] as Record<string, unknown>;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.step.seconds');
    expect((wait.Parameters as { Payload: Record<string, unknown> }).Payload).toMatchObject({
      'taskToken.$': '$$.Task.Token',
      'until.$': '$.step.until',
      stageId: 'D0',
    });
    // resumed (its schedule's `due`, a payment, a change) or timed out: the send step, told which at `$.interrupt`
    expect(wait.Next).toBe('D0 · send email + sms');
    expect(wait.ResultPath).toBe('$.interrupt');
    expect(wait.Catch).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: ['States.Timeout'],
          ResultPath: '$.interrupt',
          Next: 'D0 · send email + sms',
        }),
      ]),
    );
    const act = states['D0 · send email + sms'] as { Parameters: { Payload: Record<string, unknown> } };
    expect(act.Parameters.Payload['interrupt.$']).toBe('$.interrupt');
    // a change routed by the send step plans again
    expect((states['D0 · sent or deferred?'] as { Choices: unknown[] }).Choices).toEqual(
      expect.arrayContaining([expect.objectContaining({ StringEquals: 'changed', Next: 'Plan next stage' })]),
    );
  });

  it('chains each outcome to the next stage, loops deferrals back to the same wait, and stops on payment', () => {
    const outcome = states['D0 · sent or deferred?'] as {
      Choices: { Next: string; StringEquals: string }[];
      Default: string;
    };
    expect(outcome.Default).toBe('D+3 · wait or payment');
    expect(outcome.Choices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ StringEquals: 'deferred', Next: 'D0 · wait or payment' }),
        expect.objectContaining({ StringEquals: 'paid', Next: 'Invoice paid' }),
      ]),
    );
    expect((states['D+30 · sent or deferred?'] as { Default: string }).Default).toBe('Billing rule completed');
    const interrupted = states['Payment or other event?'] as { Choices: { Next: string }[] };
    expect(interrupted.Choices[0]?.Next).toBe('Invoice paid');
  });

  it('retries a throttled, failed or crashed Lambda on every task, the waits included', () => {
    const tasks = Object.entries(states).filter(([, state]) => (state as { Type: string }).Type === 'Task');
    // wait + send per stage; plan, the hold, the promise, the wait to continue, continue, record failure
    expect(tasks).toHaveLength(2 * defaultRule.stages.length + 6);
    for (const [name, state] of tasks) {
      const retried = ((state as { Retry?: { ErrorEquals: string[] }[] }).Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(
        expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.Unknown']),
      );
    }
  });

  it("continues a walk in a new execution before the execution's one-year limit (continue-as-new)", () => {
    type Choices = { Choices: { Variable?: string; StringEquals?: string; Next: string }[] };
    const plan = states['Plan next stage'] as { Parameters: { Payload: Record<string, unknown> } };
    const act = states['D0 · send email + sms'] as { Parameters: { Payload: Record<string, unknown> } };
    // plan and send keep every wait inside the year: they get the execution's start
    for (const step of [plan, act]) expect(step.Parameters.Payload['startedAt.$']).toBe('$$.Execution.StartTime');
    const wait = states["Wait until this execution's year ends"] as Record<string, unknown>;
    expect(wait).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.step.seconds',
      Next: "Year's end or payment?",
    });
    // its schedule's `due` continues; a payment ends the walk; another change plans again
    expect((states["Year's end or payment?"] as Choices).Choices).toEqual([
      expect.objectContaining({ StringEquals: 'due', Next: 'Continue in a new execution' }),
      expect.objectContaining({ StringEquals: 'paid', Next: 'Invoice paid' }),
    ]);
    expect((states["Year's end or payment?"] as { Default: string }).Default).toBe('Plan next stage');
    expect(wait.Catch).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'Continue in a new execution' }),
      ]),
    );
    const next = states['Continue in a new execution'] as {
      Parameters: { Payload: Record<string, unknown> };
      Retry: { ErrorEquals: string[] }[];
      Next: string;
    };
    expect(next.Parameters.Payload).toMatchObject({
      'executionArn.$': '$$.Execution.Id',
      'stateMachineArn.$': '$$.StateMachine.Id',
    });
    expect(next.Next).toBe('Continued in a new execution');
    expect(next.Retry.flatMap((r) => r.ErrorEquals)).toContain('States.TaskFailed');
    expect(states['Continued in a new execution']).toMatchObject({ Type: 'Succeed' });
    // from the start and from every stage's outcome
    for (const choice of ['Start at stage', 'D-3 · sent or deferred?', 'D+30 · sent or deferred?']) {
      expect((states[choice] as Choices).Choices, choice).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ StringEquals: 'continue', Next: 'Continue in a new execution' }),
          expect.objectContaining({
            StringEquals: 'wait-then-continue',
            Next: "Wait until this execution's year ends",
          }),
        ]),
      );
    }
  });

  it("parks a paused or disputed walk until the execution's year ends, and a promise to pay until its deadline", () => {
    const held = states['Paused or disputed (wait for resume)'] as Record<string, unknown>;
    const promised = states['Promise to pay (wait until the promised date)'] as Record<string, unknown>;
    for (const wait of [held, promised]) {
      expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect((wait.Parameters as { Payload: Record<string, unknown> }).Payload).toMatchObject({
        'taskToken.$': '$$.Task.Token',
        kind: 'hold',
        'stageId.$': '$.step.stageId',
      });
      expect(wait.Next).toBe('Payment or other event?');
    }
    // a hold's timeout is the execution's year (plan's `seconds`): then plan again, and continue in a new execution
    for (const wait of [held, promised]) {
      expect(wait.TimeoutSecondsPath).toBe('$.step.seconds');
      expect(wait.Catch).toEqual(
        expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'Plan next stage' })]),
      );
    }
    const startAt = states['Start at stage'] as { Choices: { StringEquals?: string; Next: string }[] };
    expect(startAt.Choices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ StringEquals: 'held', Next: 'Paused or disputed (wait for resume)' }),
        expect.objectContaining({ StringEquals: 'promised', Next: 'Promise to pay (wait until the promised date)' }),
      ]),
    );
    // A pause that lands while a stage is being sent: the send step reports `held` and the walk plans again.
    const outcome = states['D0 · sent or deferred?'] as { Choices: { StringEquals?: string; Next: string }[] };
    expect(outcome.Choices).toEqual(
      expect.arrayContaining([expect.objectContaining({ StringEquals: 'held', Next: 'Plan next stage' })]),
    );
  });

  it('retries throttled sends with backoff and sends every unhandled error to the failure handler', () => {
    const act = states['D0 · send email + sms'] as { Retry: Record<string, unknown>[]; Catch: { Next: string }[] };
    expect(act.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ['TransientSendError'], BackoffRate: 2, MaxAttempts: 8 }),
      ]),
    );
    expect(act.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Record failure · notify operators' }),
    ]);
    expect((states['Record failure · notify operators'] as { Next: string }).Next).toBe('Failed (operators notified)');
  });

  it('follows a different rule with different states (built at synth time from the rule)', () => {
    const rule = parseBillingRule({
      ...defaultRule,
      id: 'short',
      stages: [{ id: 'D+1', offsetDays: 1, at: '10:00', actions: [{ channel: 'sms', template: 'overdue' }] }],
    });
    const names = Object.keys(workflowFor(rule).definition.States);
    expect(names).toContain('D+1 · send sms');
    expect(names).not.toContain('D-3 · wait or payment');
    expect(
      (workflowFor(rule).definition.States['D+1 · send sms'] as unknown as { Parameters: { Payload: unknown } })
        .Parameters.Payload,
    ).toMatchObject({ rule: { id: 'short' } });
  });
});

describe('a rule file with several rules and segments makes one workflow that walks the invoice’s rule', () => {
  const ruleSet = parseRuleSet(
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'tests', 'fixtures', 'segments', 'rules.json'), 'utf8')),
  );
  const { definition: several } = workflowForSet(ruleSet);
  const all: Record<string, unknown> = several.States;

  it('starts by choosing the rule the execution input names, the default one otherwise', () => {
    expect(several.StartAt).toBe('Which billing rule?');
    expect(all['Which billing rule?']).toMatchObject({
      Type: 'Choice',
      Default: 'Billing rule · standard',
      Choices: [
        {
          And: [
            { Variable: '$.ruleId', IsPresent: true },
            { Variable: '$.ruleId', StringEquals: 'gentle' },
          ],
          Next: 'Billing rule · gentle',
        },
        {
          And: [
            { Variable: '$.ruleId', IsPresent: true },
            { Variable: '$.ruleId', StringEquals: 'firm' },
          ],
          Next: 'Billing rule · firm',
        },
      ],
    });
    for (const id of ['standard', 'gentle', 'firm']) {
      expect(all[`Billing rule · ${id}`]).toMatchObject({ Type: 'Pass', Result: { id }, Next: 'Plan next stage' });
    }
  });

  it('names each rule’s stage states after the rule, so the console still reads like each rule', () => {
    const names = Object.keys(all);
    expect(names).toEqual(
      expect.arrayContaining([
        'gentle · D-5 · wait or payment',
        'gentle · D-5 · send email',
        'gentle · D+10 · sent or deferred?',
        'firm · D+5 · escalate to legal',
        'standard · D-3 · wait or payment',
      ]),
    );
    expect(names.filter((n) => n.startsWith('D-3 ·'))).toEqual([]);
    const startAt = all['Start at stage'] as { Choices: { And?: { Variable: string; StringEquals?: string }[] }[] };
    expect(startAt.Choices[0]?.And?.[0]).toEqual({ Variable: '$.rule.id', StringEquals: 'standard' });
  });
});
