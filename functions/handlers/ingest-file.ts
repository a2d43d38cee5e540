import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { ingestFile } from '../services/ingest-file';
import { s3 } from '../shared/aws/s3';
import { now } from '../shared/clock';
import { dunningTable } from '../shared/factories/dunning-table';
import { ruleChooser } from '../shared/factories/rule-chooser';
import { startQueue } from '../shared/factories/start-queue';

const deps = { s3, table: dunningTable(), queue: startQueue(), ruleId: ruleChooser(), now };

/** S3 `ObjectCreated` under `incoming/`: registers the file's good rows, reports the bad ones, moves the file. */
export const handler = middy<S3Event, void>().handler(async (event) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await ingestFile(record.s3.bucket.name, key, deps);
  }
});
