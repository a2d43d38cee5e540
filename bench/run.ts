/**
 * `npm run bench`: what one invoice costs, how fast a drop is ingested and with how much memory, how heavy each
 * Lambda is to load, and how fast the simulator plays a portfolio. Prints the figures and writes them to
 * bench/results.json (sections not run this time keep their previous figures).
 *
 *   npm run bench                                  # everything, defaults (about 5 minutes on 2 cores)
 *   npm run bench -- --only cost --invoices 1000   # one section, other sizes
 *   npm run bench -- --only scale --scale 10000    # the 10k simulator run (about 10 minutes)
 *
 * Options: --invoices N (cost, default 300) · --scale N (simulator, default 1000) · --ingest-rows 100000,1000000 ·
 * --sdk-rows N (ingestion through the whole SDK stack, default 5000) · --runs N (fresh loads of each bundle, default 3)
 * · --sms-price USD per SMS part (default: the assumption in bench/prices.ts) · --only cost,ingest,cold,scale
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/config';
import { RESULT_PREFIX } from './child-script';
import { type ColdStartResult, measureColdStarts, type SdkLayerFigures } from './cold-start';
import { portfolioLines } from './generate-portfolio';
import { PRICES } from './prices';
import { measureScale, type ScaleResult } from './scale';

const BENCH = join(PROJECT_ROOT, 'bench');
const RESULTS_FILE = join(BENCH, 'results.json');
const SECTIONS = ['cost', 'ingest', 'cold', 'scale'] as const;
type Section = (typeof SECTIONS)[number];

/** Assumed network time per AWS call inside a real Lambda (local calls are in-process): a stated model, not measured. */
const ASSUMED_CALL_MS = { dynamodb: 5, other: 20 } as const;
/** Lambda bills the handler duration in 1 ms steps; the cold-start goal for a bundle. */
const BUNDLE_GOAL_BYTES = 250 * 1024;

// --------------------------------------------------------------------------------------------------------------

/** Runs a bench script in its own Node process (tsx) and returns what it printed on its `@@result` line. */
function child<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(BENCH, script), ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    proc.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    proc.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = Buffer.concat(out)
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
    });
  });
}

/** A synthetic portfolio CSV (bench/generate-portfolio.ts, seed 42) of `rows` invoices, kept in the temp folder. */
async function portfolioFile(rows: number): Promise<string> {
  const file = join(tmpdir(), `dunning-bench-portfolio-${rows}.csv`);
  if (existsSync(file)) return file;
  const out = createWriteStream(`${file}.tmp`);
  for (const line of portfolioLines(rows)) {
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(`${file}.tmp`, file);
  return file;
}

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const money = (usd: number) => `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// --------------------------------------------------------------------------------------------------------------
// Cost per invoice

interface CostRaw {
  invoices: number;
  stages: string[];
  wallSeconds: number;
  stillRunning: number;
  endings: Record<string, number>;
  transitions: number;
  transitionsOutsideStages: number;
  perStage: Record<string, { walks: number; mean: number; median: number; min: number }>;
  lambda: Record<string, { calls: number; billedMs: number; p50Ms: number; maxMs: number }>;
  awsCalls: Record<string, number>;
  dynamodb: { readUnits: number; writeUnits: number; gsiWriteUnits: number; reads: number; writes: number };
  emails: number;
  sms: number;
  smsParts: number;
  topicPublishes: number;
  apiRequests: number;
  scheduleInvocations: number;
}

function priceCost(raw: CostRaw, smsPrice: number) {
  const n = raw.invoices;
  const lambdaCalls = Object.values(raw.lambda).reduce((s, l) => s + l.calls, 0);
  const measuredMs = Object.values(raw.lambda).reduce((s, l) => s + l.billedMs, 0);
  const dynamoCalls = Object.entries(raw.awsCalls)
    .filter(([k]) => k.startsWith('dynamodb.'))
    .reduce((s, [, v]) => s + v, 0);
  const otherCalls = Object.entries(raw.awsCalls)
    .filter(([k]) => !k.startsWith('dynamodb.'))
    .reduce((s, [, v]) => s + v, 0);
  const modeledMs = measuredMs + dynamoCalls * ASSUMED_CALL_MS.dynamodb + otherCalls * ASSUMED_CALL_MS.other;
  const gbSeconds = (ms: number) => (ms / 1000) * PRICES.lambda.memoryGb;
  const starterBatches = raw.lambda['start-executions']?.calls ?? 0;
  const sqsRequests = (raw.awsCalls['sqs.SendMessageBatch'] ?? 0) + starterBatches * 2; // + the trigger's receive/delete
  const writeUnits = raw.dynamodb.writeUnits + raw.dynamodb.gsiWriteUnits;
  const usd = {
    stepFunctions: raw.transitions * PRICES.stepFunctions.perTransition,
    lambdaRequests: lambdaCalls * PRICES.lambda.perRequest,
    lambdaDuration: gbSeconds(modeledMs) * PRICES.lambda.perGbSecondArm64,
    dynamodb:
      raw.dynamodb.readUnits * PRICES.dynamodb.perReadRequestUnit + writeUnits * PRICES.dynamodb.perWriteRequestUnit,
    ses: raw.emails * PRICES.ses.perEmail,
    snsTopic: raw.topicPublishes * PRICES.sns.perTopicPublish,
    sqs: sqsRequests * PRICES.sqs.perRequest,
    apiGateway: raw.apiRequests * PRICES.apiGateway.perRequest,
    scheduler: raw.scheduleInvocations * PRICES.scheduler.perInvocation,
    sms: raw.smsParts * smsPrice,
  };
  const perInvoice = Object.fromEntries(Object.entries(usd).map(([k, v]) => [k, v / n]));
  const total = Object.values(usd).reduce((a, b) => a + b, 0);
  return {
    invoices: n,
    walk: 'every stage of the default rule, no payment (the most one walk costs)',
    endings: raw.endings,
    stillRunning: raw.stillRunning,
    wallSeconds: round(raw.wallSeconds),
    perInvoice: {
      ...perInvoice,
      totalUsd: total / n,
      totalWithoutSmsUsd: (total - usd.sms) / n,
      stateTransitions: raw.transitions / n,
      lambdaInvocations: lambdaCalls / n,
      lambdaGbSecondsMeasured: gbSeconds(measuredMs) / n,
      lambdaGbSecondsModeled: gbSeconds(modeledMs) / n,
      dynamodbReadUnits: raw.dynamodb.readUnits / n,
      dynamodbWriteUnits: writeUnits / n,
      dynamodbCalls: dynamoCalls / n,
      emails: raw.emails / n,
      smsMessages: raw.sms / n,
      smsParts: raw.smsParts / n,
      scheduleInvocations: raw.scheduleInvocations / n,
    },
    transitionsPerStage: Object.fromEntries(
      Object.entries(raw.perStage).map(([stage, s]) => [stage, { happyPath: s.median, mean: round(s.mean, 2) }]),
    ),
    transitionsOutsideStagesPerInvoice: raw.transitionsOutsideStages / n,
    lambda: raw.lambda,
    awsCalls: raw.awsCalls,
    dynamodb: raw.dynamodb,
    assumptions: {
      lambdaDuration: `measured handler time in-process (local emulators) + ${ASSUMED_CALL_MS.dynamodb} ms per DynamoDB call + ${ASSUMED_CALL_MS.other} ms per other AWS call, at ${PRICES.lambda.memoryGb * 1024} MB arm64`,
      dynamodb:
        'request units from the consumed capacity dynalite computes from item sizes (1 KB per write unit, 4 KB per strongly consistent read unit), plus one copy of each contact-log write for the gsi1 index (projection ALL)',
      sms: `US$${smsPrice} per SMS part (parts counted from each text: GSM-7 160/153, UCS-2 70/67 characters)`,
      sqs: 'SendMessageBatch of the API plus one ReceiveMessage and one DeleteMessageBatch per starter batch',
      excluded: 'CloudWatch Logs, X-Ray traces, data transfer, storage, S3, operator email deliveries',
    },
  };
}

// --------------------------------------------------------------------------------------------------------------

interface IngestRaw {
  mode: string;
  edge?: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  rssMb: Record<string, number>;
  requests?: Record<string, number>;
}

async function ingestion(rowCounts: readonly number[], sdkRows: number) {
  const out: Record<string, unknown> = {};
  for (const rows of rowCounts) {
    const file = await portfolioFile(rows);
    log(`ingestion: ${rows} rows (${file})`);
    const raw = await child<IngestRaw>('ingest.ts', ['--mode', 'csv-parse', '--file', file]);
    const product = await child<IngestRaw>('ingest.ts', ['--mode', 'ingest', '--edge', 'client', '--file', file]);
    const parseOnly =
      rows <= 100_000 ? await child<IngestRaw>('ingest.ts', ['--mode', 'parse', '--file', file]) : undefined;
    out[String(rows)] = {
      rows,
      fileMb: round(raw.bytes / 1_048_576),
      csvParse: pick(raw),
      ...(parseOnly ? { productParserAndValidation: pick(parseOnly) } : {}),
      ingest: pick(product),
      ratioToCsvParse: round(product.rowsPerSecond / raw.rowsPerSecond, 3),
      requests: product.requests,
    };
  }
  if (sdkRows > 0) {
    const file = await portfolioFile(sdkRows);
    log(`ingestion through the whole SDK stack: ${sdkRows} rows`);
    const sdk = await child<IngestRaw>('ingest.ts', ['--mode', 'ingest', '--edge', 'sdk', '--file', file]);
    out.wholeSdkStack = { rows: sdkRows, ...pick(sdk), requests: sdk.requests };
  }
  return out;
}

function pick(r: IngestRaw) {
  return {
    rowsPerSecond: Math.round(r.rowsPerSecond),
    seconds: round(r.seconds, 2),
    peakRssMb: Math.round(r.peakRssMb),
    rssMbAtShareOfRows: r.rssMb,
  };
}

// --------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      invoices: { type: 'string', default: '300' },
      scale: { type: 'string', default: '1000' },
      'ingest-rows': { type: 'string', default: '100000,1000000' },
      'sdk-rows': { type: 'string', default: '5000' },
      runs: { type: 'string', default: '3' },
      'sms-price': { type: 'string', default: String(PRICES.sns.perSmsPartAssumed) },
      only: { type: 'string', default: SECTIONS.join(',') },
    },
  });
  const only = new Set((values.only ?? '').split(',') as Section[]);
  const previous = existsSync(RESULTS_FILE)
    ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>)
    : {};
  const results: Record<string, unknown> = {
    ...previous,
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    prices: PRICES,
  };
  const began = performance.now();

  if (only.has('cost')) {
    log(`cost: ${values.invoices} invoices on the local system`);
    const raw = await child<CostRaw>('cost.ts', ['--invoices', String(values.invoices)]);
    results.cost = priceCost(raw, Number(values['sms-price']));
  }
  if (only.has('ingest')) {
    const rows = (values['ingest-rows'] ?? '')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    results.ingestion = await ingestion(rows, Number(values['sdk-rows']));
  }
  if (only.has('cold')) {
    log(`cold start: bundling every handler, ${values.runs} fresh loads each`);
    const cold = await measureColdStarts({ runs: Number(values.runs) });
    results.coldStart = { goalBytes: BUNDLE_GOAL_BYTES, sdkLayer: cold.sdkLayer, handlers: cold.handlers };
  }
  if (only.has('scale')) {
    const invoices = Number(values.scale);
    log(`simulator scale: ${invoices} invoices (npx dunning simulate)`);
    const scale = await measureScale(await portfolioFile(invoices), invoices);
    results.scale = { ...((previous.scale as Record<string, unknown> | undefined) ?? {}), [String(invoices)]: scale };
  }
  results.goals = goals(results);
  results.benchSeconds = round((performance.now() - began) / 1000);
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  printSummary(results, only);
  log(`figures written to ${RESULTS_FILE} (${results.benchSeconds} s)`);
}

// --------------------------------------------------------------------------------------------------------------

/** RSS may grow by at most this much from 10% to 100% of a file's rows to count as flat. */
const FLAT_RSS_GROWTH_MB = 25;

/** The issue's goals, each with the figure it is judged on (undefined when that section never ran). */
function goals(results: Record<string, unknown>) {
  const cost = results.cost as ReturnType<typeof priceCost> | undefined;
  const ingest = results.ingestion as Record<string, { ingest?: ReturnType<typeof pick>; ratioToCsvParse?: number }>;
  const million = ingest?.['1000000']?.ingest;
  const cold = results.coldStart as { handlers: ColdStartResult[] } | undefined;
  const growth = (i?: ReturnType<typeof pick>) =>
    (i?.rssMbAtShareOfRows['100%'] ?? 0) - (i?.rssMbAtShareOfRows['10%'] ?? 0);
  return {
    transitionsPerStageAtMost3: cost && {
      met: Object.values(cost.transitionsPerStage).every((s) => s.happyPath <= 3),
      on: 'the happy path of each stage (a deferral adds one wait → send → choice loop)',
    },
    ingestRatioToCsvParseAtLeast0_5: ingest && {
      met: Object.values(ingest).every((r) => r.ratioToCsvParse === undefined || r.ratioToCsvParse >= 0.5),
      ratios: Object.fromEntries(Object.entries(ingest).map(([k, r]) => [k, r.ratioToCsvParse])),
    },
    peakRssUnder256MbFor1M: million && { met: million.peakRssMb < 256, peakRssMb: million.peakRssMb },
    flatMemory: ingest && {
      met: Object.values(ingest).every((r) => !r.ingest || growth(r.ingest) <= FLAT_RSS_GROWTH_MB),
      rssGrowthMb: Object.fromEntries(Object.entries(ingest).map(([k, r]) => [k, r.ingest && growth(r.ingest)])),
    },
    bundlesAtMost250Kb: cold && {
      met: cold.handlers.every((h) => h.bundleBytes <= BUNDLE_GOAL_BYTES),
      within: cold.handlers.filter((h) => h.bundleBytes <= BUNDLE_GOAL_BYTES).length,
      of: cold.handlers.length,
      largestBytes: Math.max(...cold.handlers.map((h) => h.bundleBytes)),
    },
  };
}

function printSummary(results: Record<string, unknown>, only: ReadonlySet<Section>): void {
  const lines: string[] = [];
  const cost = results.cost as ReturnType<typeof priceCost> | undefined;
  if (cost && only.has('cost')) {
    const p = cost.perInvoice;
    lines.push(
      `\nCost per invoice — ${cost.invoices} invoices, ${cost.walk} (us-east-1 list prices of ${PRICES.asOf})`,
    );
    lines.push(`  total ${money(p.totalUsd)} per invoice (without SMS ${money(p.totalWithoutSmsUsd)})`);
    for (const key of [
      'stepFunctions',
      'lambdaRequests',
      'lambdaDuration',
      'dynamodb',
      'ses',
      'sms',
      'snsTopic',
      'sqs',
      'apiGateway',
    ]) {
      lines.push(`  ${key.padEnd(16)} ${money((p as Record<string, number>)[key] ?? 0)}`);
    }
    lines.push(
      `  ${round(p.stateTransitions)} state transitions, ${round(p.lambdaInvocations)} Lambda invocations ` +
        `(${p.lambdaGbSecondsModeled.toFixed(3)} GB-s modeled, ${p.lambdaGbSecondsMeasured.toFixed(3)} measured), ` +
        `${round(p.dynamodbReadUnits)} RRU + ${round(p.dynamodbWriteUnits)} WRU, ${round(p.emails, 2)} emails, ` +
        `${round(p.smsMessages, 2)} SMS (${round(p.smsParts, 2)} parts)`,
    );
    const perStage = Object.entries(cost.transitionsPerStage)
      .map(([stage, s]) => `${stage} ${s.happyPath} (mean ${s.mean})`)
      .join(', ');
    lines.push(`  transitions per stage, happy path (mean with deferrals): ${perStage} — goal ≤ 3`);
  }
  const ingest = results.ingestion as Record<string, Record<string, unknown>> | undefined;
  if (ingest && only.has('ingest')) {
    lines.push('\nIngestion (S3 drop path, AWS answered in-process)');
    for (const [key, r] of Object.entries(ingest)) {
      if (key === 'wholeSdkStack') continue;
      const i = r.ingest as ReturnType<typeof pick>;
      const c = r.csvParse as ReturnType<typeof pick>;
      lines.push(
        `  ${key} rows: ${i.rowsPerSecond} rows/s (csv-parse ${c.rowsPerSecond} rows/s, ratio ${r.ratioToCsvParse}), ` +
          `peak RSS ${i.peakRssMb} MB, RSS at 10/50/100% of rows: ${i.rssMbAtShareOfRows['10%']}/${i.rssMbAtShareOfRows['50%']}/${i.rssMbAtShareOfRows['100%']} MB`,
      );
    }
    const sdk = ingest.wholeSdkStack as (ReturnType<typeof pick> & { rows: number }) | undefined;
    if (sdk)
      lines.push(`  through the whole SDK stack (fake HTTP handler): ${sdk.rowsPerSecond} rows/s (${sdk.rows} rows)`);
  }
  const cold = results.coldStart as { handlers: ColdStartResult[]; sdkLayer: SdkLayerFigures } | undefined;
  if (cold && only.has('cold')) {
    const kb = (bytes: number | undefined) => String(bytes === undefined ? '?' : Math.round(bytes / 1024)).padStart(5);
    lines.push(
      '\nCold start proxy (esbuild bundle as the stack builds it: minified, node22, AWS SDK from the layer; module init in a fresh process loading the SDK from the layer, median)',
      `  AWS SDK layer: ${cold.sdkLayer.packages} packages, ${kb(cold.sdkLayer.bytes)} KB unzipped, shared by every function`,
      `  ${'handler'.padEnd(18)} bundle    init     [SDK bundled in: bundle    init]  unbundled import`,
    );
    for (const h of cold.handlers) {
      lines.push(
        `  ${h.handler.padEnd(18)} ${kb(h.bundleBytes)} KB ${String(h.initMs.median).padStart(6)} ms  [${kb(h.sdkBundled.bundleBytes)} KB ${String(h.sdkBundled.initMs.median).padStart(6)} ms]  ${h.unbundledImportMs.median} ms${h.error ? `  (${h.error.slice(0, 80)})` : ''}`,
      );
    }
  }
  const scale = results.scale as Record<string, ScaleResult> | undefined;
  if (scale && only.has('scale')) {
    lines.push('\nSimulator scale (npx dunning simulate, virtual clock)');
    for (const s of Object.values(scale)) {
      lines.push(
        `  ${s.invoices} invoices: ${round(s.invoiceStagesPerSecond)} invoice·stages/s, ${round(s.invoicesPerSecond, 2)} invoices/s ` +
          `(${s.invoiceStages} invoice·stages in ${round(s.seconds)} s, ${s.workers} worker(s), ${round(s.virtualDays)} virtual days)`,
      );
    }
  }
  const verdicts = Object.entries(goals(results))
    .filter(([, g]) => g !== undefined)
    .map(([name, g]) => `  ${g?.met ? 'met    ' : 'NOT met'} ${name}`);
  lines.push('\nGoals (issue #6)', ...verdicts);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
