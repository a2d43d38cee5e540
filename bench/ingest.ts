/**
 * Ingestion throughput and memory (run by bench/run.ts, one process per measurement so its peak RSS is its own):
 *
 * - `--mode ingest`: the S3 drop path as deployed — `ingestFile` (functions/ingest/ingest-file.ts) with its real
 *   collaborators (the DynamoDB stores, StartQueue, S3) on SDK clients whose HTTP handler is an in-process fake
 *   (bench/fake-aws-edge.ts); GetObject streams the file from disk;
 * - `--mode parse`: the product's streaming parser and record validation alone (no registration);
 * - `--mode csv-parse`: raw `csv-parse` (columns from the header) over the same file, the yardstick.
 *
 * `npx tsx bench/ingest.ts --mode ingest --file rows.csv` prints one `@@result {json}` line.
 */
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse';
import { ingestFile } from '../functions/ingest/ingest-file';
import { parseRecords } from '../functions/ingest/parse-records';
import { validateInvoiceRecord } from '../functions/invoices/input/invoice-record';
import { dynamoStores } from '../functions/stores/dynamodb';
import { StartQueue } from '../functions/wiring/providers';
import { printResult, runWhenStarted } from './child-script';
import { fakeAwsEdge } from './fake-aws-edge';

const MODES = ['ingest', 'parse', 'csv-parse'] as const;
type Mode = (typeof MODES)[number];

/** Samples the resident set size while `work` runs; `progress()` says how many rows are done at each sample. */
async function measured<T>(
  work: () => Promise<T>,
  progress: () => number,
): Promise<{ value: T; seconds: number; samples: { rows: number; rssMb: number }[] }> {
  const samples: { rows: number; rssMb: number }[] = [];
  const sample = () => samples.push({ rows: progress(), rssMb: process.memoryUsage().rss / 1_048_576 });
  const timer = setInterval(sample, 250);
  const t0 = performance.now();
  try {
    const value = await work();
    const seconds = (performance.now() - t0) / 1000;
    sample();
    return { value, seconds, samples };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { mode: { type: 'string' }, file: { type: 'string' }, edge: { type: 'string', default: 'client' } },
  });
  const mode = values.mode as Mode;
  const file = values.file;
  const edge = values.edge === 'sdk' ? 'sdk' : 'client';
  if (!MODES.includes(mode) || !file) {
    throw new Error(`usage: --mode ${MODES.join('|')} --file <rows.csv> [--edge client|sdk]`);
  }
  process.env.DUNNING_QUIET_LOGS = '1';
  let rows = 0;
  let extra: Record<string, unknown> = {};
  let run: { seconds: number; samples: { rows: number; rssMb: number }[] };

  if (mode === 'csv-parse') {
    run = await measured(
      async () => {
        for await (const _record of createReadStream(file).pipe(parse({ columns: true, bom: true }))) rows++;
      },
      () => rows,
    );
  } else if (mode === 'parse') {
    let valid = 0;
    run = await measured(
      async () => {
        for await (const parsed of parseRecords(createReadStream(file), 'csv')) {
          rows++;
          if ('record' in parsed && validateInvoiceRecord(parsed.record).ok) valid++;
        }
      },
      () => rows,
    );
    extra = { valid };
  } else {
    const key = 'incoming/bench.csv';
    const fake = edge === 'sdk' ? fakeAwsEdge(new Map([[key, file]])) : undefined;
    const sdk = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      endpoint: 'http://aws.bench.local',
      ...(fake ? { requestHandler: fake.requestHandler } : {}),
    };
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(sdk), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const s3 = new S3Client({ ...sdk, forcePathStyle: true });
    const sqs = new SQSClient(sdk);
    const counts = fake?.counts ?? answerInProcess({ dynamo, s3, sqs }, file);
    const deps = {
      s3,
      ...dynamoStores(dynamo, 'dunning-bench'),
      queue: new StartQueue(sqs, 'http://aws.bench.local/000000000000/dunning-bench-start'),
      ruleId: 'standard',
      now: () => new Date(),
    };
    const measuredRun = await measured(
      () => ingestFile('dunning-bench', key, deps),
      () => counts.get('DynamoDB.UpdateItem') ?? 0, // one customer upsert per row
    );
    run = measuredRun;
    const report = measuredRun.value;
    rows = report?.totals.rows ?? 0;
    extra = { edge, totals: report?.totals, requests: Object.fromEntries(counts) };
  }

  const result = {
    mode,
    file,
    bytes: statSync(file).size,
    rows,
    seconds: run.seconds,
    rowsPerSecond: rows / run.seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rssMb: pickSamples(run.samples),
    ...extra,
  };
  printResult(result);
}

interface Sendable {
  send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown>;
}

/**
 * The `client` edge: each client's `send()` answers in-process (what aws-sdk-client-mock does, without keeping a
 * history of every call): the product's code runs whole; the SDK below `send()` (middleware, marshalling, signing,
 * HTTP) does not — see the `sdk` edge for that share.
 */
function answerInProcess(clients: { dynamo: unknown; s3: unknown; sqs: unknown }, file: string): Map<string, number> {
  const counts = new Map<string, number>();
  let ids = 0;
  const answer = (
    client: unknown,
    service: string,
    respond: (command: string, input: Record<string, unknown>) => Record<string, unknown>,
  ) => {
    // The command's name and counter key, worked out once per command class: the fake answers millions of calls,
    // and its own cost (regular expressions, the SDK's class-name getter) is not the product's.
    const names = new Map<unknown, { name: string; key: string }>();
    (client as Sendable).send = async (command) => {
      let known = names.get(command.constructor);
      if (known === undefined) {
        const name = command.constructor.name.replace(/Command$/, '');
        const operation = service === 'DynamoDB' ? name.replace(/^(Put|Update|Get|Delete)$/, '$1Item') : name;
        known = { name, key: `${service}.${operation}` };
        names.set(command.constructor, known);
      }
      counts.set(known.key, (counts.get(known.key) ?? 0) + 1);
      const output = respond(known.name, command.input);
      output.$metadata = { httpStatusCode: 200 };
      return output;
    };
  };
  answer(clients.dynamo, 'DynamoDB', () => ({}));
  answer(clients.sqs, 'SQS', (_command, input) => ({
    Successful: (input.Entries as { Id: string }[]).map((e) => ({ Id: e.Id, MessageId: `m-${++ids}` })),
    Failed: [],
  }));
  answer(clients.s3, 'S3', (command) =>
    command === 'GetObject' ? { Body: createReadStream(file), ContentLength: statSync(file).size } : {},
  );
  return counts;
}

/** The RSS when about 10%, 25%, 50%, 75% and 100% of the rows were done (shows whether memory stays flat). */
function pickSamples(samples: readonly { rows: number; rssMb: number }[]): Record<string, number> {
  const total = samples.at(-1)?.rows ?? 0;
  const out: Record<string, number> = {};
  for (const share of [0.1, 0.25, 0.5, 0.75, 1]) {
    const hit = samples.find((s) => s.rows >= total * share);
    if (hit) out[`${Math.round(share * 100)}%`] = Math.round(hit.rssMb);
  }
  return out;
}

runWhenStarted(import.meta.url, main);
