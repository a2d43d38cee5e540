import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { ingestFile } from '../ingest/ingest-file';
import { now } from '../platform/clock';
import { ruleChooser } from '../wiring/rule-chooser';
import { s3 } from '../wiring/s3';
import { startQueue } from '../wiring/start-queue';
import { stores } from '../wiring/stores';

const deps = { s3, ...stores(), queue: startQueue(), ruleId: ruleChooser(), now };

/** S3 `ObjectCreated` under `incoming/`: registers the file's good rows, reports the bad ones, moves the file. */
export const handler = middy<S3Event, void>().handler(async (event) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await ingestFile(record.s3.bucket.name, key, deps);
  }
});
