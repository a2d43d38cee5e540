import { randomUUID } from 'node:crypto';
import type { BillingRule } from '../../functions/domain/billing-rule';
import { installClock } from '../../functions/shared/clock';
import { VirtualTimeRunner } from '../../local/preview/virtual-time-runner';
import { workflowFor } from './definition';

export { startDynamo } from '../../local/preview/dynamo';

type Json = ReturnType<typeof JSON.parse>;
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** An event to inject while the execution waits, at a virtual instant. */
export interface ScheduledEvent {
  readonly at: Date;
  readonly run: () => Promise<unknown>;
}

const HANDLER_FILES = {
  planStage: 'plan-stage',
  waitForEvent: 'wait-for-event',
  sendStage: 'send-stage',
  handleFailure: 'handle-failure',
} as const;

/**
 * Runs the real stack's synthesized workflow for a rule on the local preview's VirtualTimeRunner (the same engine
 * `npm start` uses), with the given handlers in-process, and records the states entered with their virtual time.
 */
export class WorkflowHarness {
  private readonly runner: VirtualTimeRunner;
  private readonly restoreClock: () => void;
  private entered: { name: string; at: string }[] = [];

  constructor(rule: BillingRule, handlers: Record<keyof typeof HANDLER_FILES, Handler>, start: Date) {
    const { definition, handlerByArn } = workflowFor(rule);
    const byFile = Object.fromEntries(
      Object.entries(HANDLER_FILES).map(([key, file]) => [file, handlers[key as keyof typeof HANDLER_FILES]]),
    );
    this.runner = new VirtualTimeRunner(
      definition,
      async (arn, payload) => {
        const handler = byFile[handlerByArn.get(arn) ?? ''];
        if (!handler) throw new Error(`No handler for ${arn}`);
        return handler(payload, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 });
      },
      start,
      (_execution, state, at) => this.entered.push({ name: state, at: at.toISOString() }),
    );
    this.restoreClock = installClock({ now: () => this.runner.now() });
  }

  now(): Date {
    return this.runner.now();
  }

  dispose(): void {
    this.restoreClock();
  }

  /** What SendTaskSuccess does: resumes the waiting task holding this token. */
  sendTaskSuccess(token: string, output: Json): void {
    this.runner.sendTaskSuccess(token, output);
  }

  /** Runs one execution to its end, injecting the events at their instants. */
  async run(
    input: { invoiceId: string },
    events: ScheduledEvent[] = [],
  ): Promise<{ status: string; error?: string; entered: { name: string; at: string }[] }> {
    this.entered = [];
    this.runner.startExecution(input.invoiceId, input);
    for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      await this.runner.advanceTo(event.at);
      await event.run();
    }
    await this.runner.runToCompletion();
    const summary = this.runner.summary().find((e) => e.name === input.invoiceId);
    return {
      status: summary?.status ?? 'UNKNOWN',
      ...(summary?.error ? { error: summary.error } : {}),
      entered: this.entered,
    };
  }
}
