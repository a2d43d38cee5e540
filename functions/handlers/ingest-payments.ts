import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { ingestPaymentFile } from '../ingest/ingest-payments';
import { now } from '../platform/clock';
import { s3 } from '../wiring/s3';
import { stores } from '../wiring/stores';
import { taskTokens } from '../wiring/task-tokens';

const deps = { s3, ...stores(), tokens: taskTokens(), now };

/**
 * S3 `ObjectCreated` under `payments/`: records each row of a payment file as a payment (a full one ends the walk
 * at once), reports the bad rows in `rejected/payments/`, moves the file to `processed/payments/`.
 */
export const handler = middy<S3Event, void>().handler(async (event) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await ingestPaymentFile(record.s3.bucket.name, key, deps);
  }
});
