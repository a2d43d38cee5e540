import type { MiddlewareObj } from '@middy/core';
import { log } from './logger';

type Fields = Parameters<typeof log.info>[1];

/** What a step's event or result may say in a log line: ids, stage, codes and instants, never the invoice's data. */
const EVENT_FIELDS = ['invoiceId', 'stageId', 'kind', 'until'] as const;
const RESULT_FIELDS = ['outcome', 'stageId', 'until', 'reason'] as const;

/**
 * Middy middleware of a workflow task handler (use it first): one INFO line per step with the invoice id, the stage
 * and the outcome, picked field by field from the event and the StepResult (a result's codes, never the invoice or
 * the customer), and one WARN line with the error's name when the step throws (its message may carry a provider's
 * words; the execution history has it).
 */
export function workflowStepLogs(step: string): MiddlewareObj<unknown, unknown> {
  return {
    name: 'workflowStepLogs',
    after: (request) => {
      log.info('workflow step', {
        step,
        ...pick(request.event, EVENT_FIELDS),
        ...pick(request.response, RESULT_FIELDS),
      });
    },
    onError: (request) => {
      log.warn('workflow step failed', { step, ...pick(request.event, EVENT_FIELDS), error: request.error?.name });
    },
  };
}

/** The named fields of `value` that are strings or numbers. */
function pick(value: unknown, names: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null) return {};
  const fields: NonNullable<Fields> = {};
  for (const name of names) {
    const field = (value as Record<string, unknown>)[name];
    if (typeof field === 'string' || typeof field === 'number') fields[name] = field;
  }
  return fields;
}
