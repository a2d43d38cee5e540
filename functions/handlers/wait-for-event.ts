import middy from '@middy/core';
import { z } from 'zod';
import { waitForEvent } from '../services/workflow-steps';
import { dunningTable, now, taskTokens } from '../shared/deps';

const Input = z.object({
  invoiceId: z.string().min(1),
  stageId: z.string().min(1),
  taskToken: z.string().min(1),
  until: z.string(),
});
const deps = { table: dunningTable(), tokens: taskTokens(), now };

/** Workflow step `<stage> · wait or payment` (`.waitForTaskToken`): parks the token on the invoice. */
export const handler = middy<unknown, void>().handler(async (event) => waitForEvent(Input.parse(event), deps));
