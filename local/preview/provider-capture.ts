import { randomUUID } from 'node:crypto';

/** What the preview captured instead of sending: one entry per email, SMS or operators' notification. */
export interface CapturedMessage {
  readonly at: string;
  readonly channel: 'email' | 'sms' | 'operators';
  readonly to: string;
  readonly subject?: string;
  readonly text: string;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

export type CommandHandler = (
  input: Record<string, unknown>,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * Answers an SDK client's commands in-process (an `initialize` middleware that never reaches the network), so the
 * handlers run unchanged while nothing is sent to AWS. Commands without a handler fail loudly.
 */
export function answerInProcess(client: unknown, service: string, handlers: Record<string, CommandHandler>): void {
  (client as MiddlewareClient).middlewareStack.add(
    (_next, context) => async (args) => {
      const handler = handlers[context.commandName ?? ''];
      if (!handler) throw new Error(`The local preview does not emulate ${service} ${context.commandName}`);
      return { output: { $metadata: { httpStatusCode: 200 }, ...(await handler(args.input)) }, response: {} };
    },
    { step: 'initialize', name: `localPreview${service}` },
  );
}

export const newMessageId = (): string => randomUUID();
