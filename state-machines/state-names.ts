import type { Stage } from '../functions/rules/billing-rule';

/**
 * Names of the workflow's states. They are what operators read in the Step Functions console, so they read
 * like the billing rule: `D-3 · wait or payment`, `D-3 · send email`, `D0 · send email + sms`, `D+30 · escalate to collections`.
 */
export const STATE = {
  rule: (ruleId: string) => `Billing rule · ${ruleId}`,
  /** With several rules: which one this invoice walks (its segment's, chosen at registration). */
  chooseRule: 'Which billing rule?',
  plan: 'Plan next stage',
  startAt: 'Start at stage',
  interrupted: 'Payment or other event?',
  /** Paused by an operator, or disputed: no contact until it resumes (no timeout). */
  held: 'Paused or disputed (wait for resume)',
  /** A promise to pay is pending: no contact until a payment keeps it or its deadline passes. */
  promised: 'Promise to pay (wait until the promised date)',
  paid: 'Invoice paid',
  stopped: 'Dunning stopped (invoice closed)',
  completed: 'Billing rule completed',
  /** The next wait would outlive the execution's one-year limit: wait (interruptibly) until the year's end. */
  waitToContinue: "Wait until this execution's year ends",
  /** Start the walk's next execution (continue-as-new), then end this one. */
  continueWalk: 'Continue in a new execution',
  /** After the wait until the year's end: its end came (continue), a payment, or another change. */
  yearEndOrEvent: "Year's end or payment?",
  continued: 'Continued in a new execution',
  recordFailure: 'Record failure · notify operators',
  failed: 'Failed (operators notified)',
  /** With several rules, each stage's states are prefixed with the rule's id: `gentle · D-3 · wait or payment`. */
  wait: (stage: Pick<Stage, 'id'>, rulePrefix = '') => `${rulePrefix}${stage.id} · wait or payment`,
  act: (stage: Pick<Stage, 'id' | 'actions'>, rulePrefix = '') =>
    `${rulePrefix}${stage.id} · ${describeActions(stage)}`,
  outcome: (stage: Pick<Stage, 'id'>, rulePrefix = '') => `${rulePrefix}${stage.id} · sent or deferred?`,
} as const;

/** `send email + sms`, `escalate to collections`, `send email · escalate to legal`. */
export function describeActions(stage: Pick<Stage, 'actions'>): string {
  const channels = stage.actions.filter((a) => a.channel !== 'escalate').map((a) => a.channel);
  const escalations = stage.actions.flatMap((a) => (a.channel === 'escalate' ? [a.to] : []));
  const parts: string[] = [];
  if (channels.length > 0) parts.push(`send ${channels.join(' + ')}`);
  if (escalations.length > 0) parts.push(`escalate to ${escalations.join(' + ')}`);
  return parts.join(' · ');
}
