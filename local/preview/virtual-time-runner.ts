import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from './synthesized-workflow';

type Json = ReturnType<typeof JSON.parse>;
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

interface Parked {
  readonly token: string;
  readonly deadline: number;
  resolve(output: Json): void;
  reject(error: Error): void;
}

interface Execution {
  readonly name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  busy: boolean;
  parked?: Parked;
  lastState?: string;
  error?: string;
}

/**
 * Runs many executions of one state machine definition with aws-local-stepfunctions on a virtual clock.
 * `.waitForTaskToken` tasks are implemented here (fresh token per wait; resumed by `sendTaskSuccess`, or timed
 * out with `States.Timeout` when the virtual clock reaches their TimeoutSecondsPath). The clock jumps to the next
 * deadline only when every execution is parked or done, so a 45-day billing rule plays out in moments.
 */
export class VirtualTimeRunner {
  private nowMs: number;
  private readonly executions = new Map<string, Execution>();
  private readonly byToken = new Map<string, Execution>();
  private readonly definition: AslDefinition;
  private wake: () => void = () => {};

  constructor(
    definition: AslDefinition,
    private readonly invokeLambda: InvokeLambda,
    start: Date,
    private readonly onStateEntered: (execution: string, state: string, at: Date) => void = () => {},
  ) {
    this.nowMs = start.getTime();
    this.definition = structuredClone(definition);
    // The library races each task against a real-time setTimeout (which overflows past ~24.8 days): the token
    // waits' timeouts move onto the virtual clock (read by the override) and the real-time bound becomes large.
    for (const state of Object.values(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      state.TimeoutSeconds = 2_000_000;
      if (typeof state.TimeoutSecondsPath === 'string') {
        (state.Parameters as Record<string, unknown>)['__timeoutSeconds.$'] = state.TimeoutSecondsPath;
        delete state.TimeoutSecondsPath;
      }
    }
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  /** Starts an execution; a second start with the same name throws ExecutionAlreadyExists, as AWS does. */
  startExecution(name: string, input: Json): { executionArn: string } {
    if (this.executions.has(name)) {
      throw Object.assign(new Error(`Execution already exists: ${name}`), { name: 'ExecutionAlreadyExists' });
    }
    const execution: Execution = { name, status: 'RUNNING', busy: true };
    this.executions.set(name, execution);
    const machine = new StateMachine(this.definition as never, { validationOptions: { checkPaths: false } });
    const retryIntervalOverrides = Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, s]) => Array.isArray(s.Retry))
        .map(([stateName]) => [stateName, 0]),
    );
    const run = machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.overridesFor(execution), retryIntervalOverrides },
      context: { Task: { Token: '__TASK_TOKEN__' }, Execution: { Name: name } } as never,
    });
    void (async () => {
      for await (const event of run.eventLogs as AsyncGenerator<{ type: string; state?: { name: string } }>) {
        if (event.type === 'StateEntered' && event.state) {
          execution.lastState = event.state.name;
          this.onStateEntered(name, event.state.name, this.now());
        }
      }
    })();
    run.result.then(
      () => this.finish(execution, 'SUCCEEDED'),
      (error: Error) => this.finish(execution, 'FAILED', `${error.name}: ${error.message}`),
    );
    return { executionArn: `arn:aws:states:local:000000000000:execution:dunning:${name}` };
  }

  private finish(execution: Execution, status: 'SUCCEEDED' | 'FAILED', error?: string): void {
    execution.status = status;
    execution.busy = false;
    if (error) execution.error = error;
    this.wake();
  }

  sendTaskSuccess(token: string, output: Json): void {
    const execution = this.byToken.get(token);
    const parked = execution?.parked;
    if (!execution || !parked || parked.token !== token) {
      throw Object.assign(new Error('Task does not exist or timed out'), { name: 'TaskTimedOut' });
    }
    execution.parked = undefined;
    execution.busy = true;
    this.byToken.delete(token);
    parked.resolve(output);
  }

  private overridesFor(execution: Execution): Record<string, (input: Json) => Promise<Json>> {
    const result: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      const waits = String(state.Resource).endsWith('.waitForTaskToken');
      result[stateName] = async (input: Json) => {
        const { FunctionName, Payload, __timeoutSeconds } = input as {
          FunctionName: string;
          Payload: Record<string, unknown>;
          __timeoutSeconds?: number;
        };
        if (!waits) return { Payload: await this.invokeLambda(FunctionName, Payload) };
        const token = `${execution.name}#${stateName}#${randomUUID()}`;
        const output = new Promise<Json>((resolve, reject) => {
          execution.parked = { token, deadline: this.nowMs + (__timeoutSeconds ?? 60) * 1000, resolve, reject };
        });
        this.byToken.set(token, execution);
        await this.invokeLambda(FunctionName, { ...Payload, taskToken: token });
        if (execution.parked?.token === token) {
          execution.busy = false;
          this.wake();
        }
        return output;
      };
    }
    return result;
  }

  private async idle(): Promise<void> {
    while ([...this.executions.values()].some((e) => e.busy)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // also re-check soon: handlers do real I/O between states
        setTimeout(resolve, 50);
      });
    }
  }

  /** Advances the clock from wait to wait until every execution has ended (or the clock passes `until`). */
  async runToCompletion(until?: Date): Promise<void> {
    for (;;) {
      await this.idle();
      const parked = [...this.executions.values()].filter((e) => e.parked);
      if (parked.length === 0) return;
      const next = parked.reduce((a, b) => ((a.parked as Parked).deadline <= (b.parked as Parked).deadline ? a : b));
      const wait = next.parked as Parked;
      if (until && wait.deadline > until.getTime()) return;
      this.nowMs = Math.max(this.nowMs, wait.deadline);
      next.parked = undefined;
      next.busy = true;
      this.byToken.delete(wait.token);
      wait.reject(Object.assign(new Error('wait timed out'), { name: 'States.Timeout' }));
    }
  }

  /** Plays every wait due up to `at`, then sets the clock to `at` (to inject an event at that instant). */
  async advanceTo(at: Date): Promise<void> {
    await this.runToCompletion(at);
    this.nowMs = Math.max(this.nowMs, at.getTime());
  }

  summary(): { name: string; status: string; lastState?: string; error?: string }[] {
    return [...this.executions.values()].map(({ name, status, lastState, error }) => ({
      name,
      status,
      ...(lastState ? { lastState } : {}),
      ...(error ? { error } : {}),
    }));
  }
}
