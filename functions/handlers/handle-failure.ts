import middy from '@middy/core';
import * as z from 'zod';
import { handleFailure } from '../executions/handle-failure';
import { now } from '../platform/clock';
import { failureNotifier } from '../wiring/operators-notifier';
import { stores } from '../wiring/stores';

const Input = z.object({
  invoiceId: z.string().min(1),
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
});
// a failure notice is retried by the SDK: two notices are better than a failed walk nobody heard of
const deps = { ...stores(), operators: failureNotifier(), now };

/** Workflow step `Record failure · notify operators` (Catch of every task). */
export const handler = middy<unknown, void>().handler(async (event) => handleFailure(Input.parse(event), deps));
