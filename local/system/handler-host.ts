import type { Context } from 'aws-lambda';
import { currentFaultPlane } from '../emulators/fault-plane';
import { currentHandler } from './handler-calls';
import { lambdaContext } from './http-api';

/**
 * The Lambda handlers of the local system, loaded into this process and called as Lambda would call them, with the
 * observers that hear about every invocation.
 */

/** A Lambda handler as the local system calls it. */
export type LocalHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The loaded handlers, by file name under functions/handlers/. */
export class HandlerHost {
  private readonly handlers = new Map<string, LocalHandler>();
  private readonly observers: ((handler: string, event: unknown) => void)[] = [];

  /** Loads each named handler with `load`, one after the other. */
  async load(names: readonly string[], load: (name: string) => Promise<LocalHandler>): Promise<void> {
    for (const name of names) this.handlers.set(name, await load(name));
  }

  /**
   * Calls a handler (file name under functions/handlers/) in-process with `event`, as Lambda would; under a
   * simulation's fault plane, as Lambda would under its faults and concurrency limit (FaultPlane.host).
   */
  async invoke(handler: string, event: unknown): Promise<unknown> {
    const fn = this.handlers.get(handler);
    if (!fn) throw new Error(`No local handler ${handler} (known: ${[...this.handlers.keys()].join(', ')})`);
    const faults = currentFaultPlane();
    const call = () => currentHandler.run(handler, () => fn(event, lambdaContext(handler)));
    try {
      return await (faults ? faults.host(handler, call) : call());
    } finally {
      for (const observe of this.observers) observe(handler, event);
    }
  }

  /** Calls `observer` after every handler invocation (with the handler's name and its event). */
  observe(observer: (handler: string, event: unknown) => void): void {
    this.observers.push(observer);
  }
}

/** A handler's TypeScript source, imported into this process. */
export async function importHandlerSource(name: string): Promise<LocalHandler> {
  const module = (await import(`../../functions/handlers/${name}.ts`)) as { handler?: LocalHandler };
  if (typeof module.handler !== 'function') throw new Error(`functions/handlers/${name}.ts exports no handler`);
  return module.handler;
}
