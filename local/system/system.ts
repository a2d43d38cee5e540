import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { INCOMING_PREFIX, type IngestReport } from '../../functions/ingest/ingest-file';
import { PAYMENTS_PREFIX, type PaymentIngestReport } from '../../functions/ingest/ingest-payments';
import { executionNameFor } from '../../functions/invoices/execution-name';
import type { Invoice } from '../../functions/invoices/invoice';
import { installClock } from '../../functions/platform/clock';
import { ruleTermsBook } from '../../functions/rules/rule-terms';
import { debtorTimezone } from '../../functions/rules/schedule';
import type { ContactLogEntry, InvoiceEvent } from '../../functions/stores/dunning-table';
import type { DunningConfig } from '../../lib/config';
import { STATE } from '../../state-machines/state-names';
import {
  type EmulatorPorts,
  type LocalAws,
  type ProvisionedResources,
  provisionResources,
  startEmulators,
} from '../emulators';
import { serveDocumentClientInProcess } from '../emulators/dynamo-engine';
import { compareTimelineEvents, invoiceTimeline, type TimelineEvent } from '../simulator/timeline';
import { LocalSfnEndpoint } from '../stepfunctions/sfn-endpoint';
import { VirtualClock } from '../stepfunctions/virtual-clock';
import { type ExecutionRecord, type JsonValue, LocalWorkflowRuntime } from '../stepfunctions/workflow-runtime';
import { ActivityTracker } from './activity';
import {
  type DropFolder,
  drainStartQueue,
  dropFolder,
  ensureDropFolder,
  listIncoming,
  objectCreatedEvent,
  readIngestReport,
  readPaymentReport,
  readyDropFiles,
  settleDropFile,
  uploadDropFile,
} from './event-sources';
import { lambdaContext, matchRoute, proxyEvent } from './http-api';
import { synthesizeWorkflowCached } from './synth';

/** A Lambda handler as the local system calls it. */
export type LocalHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Names of the local resources (what the stack would create). */
export const LOCAL_RESOURCE_NAMES = {
  table: 'dunning-local',
  bucket: 'dunning-local-drops',
  queue: 'dunning-local-start',
  topic: 'dunning-local-operators',
} as const;

/** Where the runtime's own state (virtual clock, executions) is kept in the data directory. */
export const RUNTIME_STATE_FILE = 'runtime.json';

export interface LocalSystemOptions {
  /** The deployment config with its billing rule (see `loadDunningConfig`). */
  readonly config: DunningConfig;
  /**
   * Where everything persists (DynamoDB, queues, bucket, SMS outbox, the virtual clock and the executions), so a
   * restart loses nothing. Undefined = in memory only.
   */
  readonly dataDir?: string;
  /** The virtual instant to start at, unless the data directory holds the clock of an earlier run. */
  readonly start: Date;
  /** A drop folder (`incoming/`, `processed/`, `rejected/`) watched by {@link LocalSystem.startBackground}. */
  readonly dropDir?: string;
  /** Keep each state's input and output in execution histories (off for large simulations). @default true */
  readonly recordStateData?: boolean;
  /** Fixed ports for the emulators and the Step Functions endpoint (default: free ports). */
  readonly ports?: Partial<EmulatorPorts & { sfn: number }>;
  /**
   * How DynamoDB is reached: `http` (default) — dynalite's server, over HTTP by the SDK, as everything else;
   * `in-process` — dynalite's engine called in-process right after the document client's marshalling (the
   * simulator's default: same semantics, no HTTP round trip per call).
   */
  readonly dynamodb?: 'http' | 'in-process';
  /** The API's public URL (the local HTTP API's): emails then link to its one-click unsubscribe route. */
  readonly publicApiUrl?: string;
  /**
   * How a handler (file name under functions/handlers/) is loaded. Default: its TypeScript source, imported into
   * this process. tests/e2e/deployed-bundles.test.ts runs each Lambda's deployed bundle in a process of its own.
   */
  readonly loadHandler?: (name: string) => Promise<LocalHandler>;
}

/** Where each local service listens. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly ses: string;
  readonly s3: string;
  readonly sqs: string;
  readonly sns: string;
  readonly sfn: string;
}

/** An API call's answer: the status and the parsed JSON body. */
export interface ApiAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}

const RuntimeStateSchema = z.object({
  clock: z.string(),
  executions: z.array(
    z.object({
      name: z.string(),
      input: z.json(),
      status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
      startDate: z.string(),
      stopDate: z.string().optional(),
      output: z.json().optional(),
      error: z.string().optional(),
      cause: z.string().optional(),
    }),
  ),
});

/**
 * The whole dunning system on one machine (docs/architecture.md "Local runtime"): the real stack's synthesized workflow on
 * {@link LocalWorkflowRuntime} and a {@link VirtualClock}; the real Lambda handlers in-process; real AWS SDK clients
 * talking over HTTP to local emulators (dynalite, aws-ses-v2-local, fauxqs, our SMS and Step Functions endpoints);
 * Lambda's event sources (SQS start queue, S3 `incoming/`) driven here. One per process: the handlers read the
 * environment (emulator endpoints) once, at import.
 */
export class LocalSystem {
  private readonly tracker = new ActivityTracker();
  private readonly handlers = new Map<string, LocalHandler>();
  private readonly ingesting = new Set<string>();
  private readonly dropSizes = new Map<string, number>();
  /** Dropped files being uploaded and ingested (a file stays in incoming/ until then). */
  private readonly dropping = new Set<string>();
  private readonly observers: ((handler: string, event: unknown) => void)[] = [];
  /** Debtor zones of the invoices whose timeline was read. */
  private readonly zones = new Map<string, string>();
  private readonly background = new AbortController();
  private readonly backgroundTasks: Promise<void>[] = [];
  private drainingStarts?: Promise<void>;
  private restoreClock: () => void = () => {};
  private stopped?: Promise<void>;

  private constructor(
    readonly config: DunningConfig,
    readonly clock: VirtualClock,
    readonly runtime: LocalWorkflowRuntime,
    readonly aws: LocalAws,
    readonly resources: ProvisionedResources,
    readonly endpoints: LocalEndpoints,
    private readonly sfnEndpoint: { close(): Promise<void> },
    private readonly clients: { dynamo: DynamoDBDocumentClient; s3: S3Client; sqs: SQSClient },
    readonly dataDir: string | undefined,
    readonly drop: DropFolder | undefined,
  ) {}

  /**
   * Starts the emulators, creates the stack's resources in them, synthesizes the stack, points the handlers at the
   * emulators and restores the clock and the executions a data directory holds.
   */
  static async start(options: LocalSystemOptions): Promise<LocalSystem> {
    const { config, dataDir } = options;
    const saved = dataDir === undefined ? undefined : readRuntimeState(join(dataDir, RUNTIME_STATE_FILE));
    const clock = new VirtualClock(saved ? new Date(saved.clock) : options.start);
    const synthesized = await synthesizeWorkflowCached(config);
    const aws = await startEmulators({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(options.ports ? { ports: options.ports } : {}),
      ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}),
      now: () => clock.now(),
    });
    let sfnEndpoint: { url: string; close(): Promise<void> } | undefined;
    try {
      const resources = await provisionResources(aws, LOCAL_RESOURCE_NAMES);
      // Filled in below: the runtime calls handlers through the system, which needs the runtime first.
      let invoke: (handler: string, event: unknown) => Promise<unknown> = () => Promise.reject(new Error('not ready'));
      const runtime = new LocalWorkflowRuntime({
        definition: synthesized.definition,
        clock,
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:dunning-local',
        recordStateData: options.recordStateData ?? true,
        invokeLambda: (arn, payload) => {
          const handler = synthesized.handlerByArn.get(arn);
          if (!handler) return Promise.reject(new Error(`No local handler for the function ${arn}`));
          return invoke(handler, payload);
        },
      });
      sfnEndpoint = await new LocalSfnEndpoint(runtime, options.ports?.sfn ?? 0).start();
      const endpoints: LocalEndpoints = { ...aws.endpoints, sfn: sfnEndpoint.url };
      Object.assign(process.env, aws.env, handlerEnvironment(config, resources, runtime.stateMachineArn), {
        AWS_ENDPOINT_URL_SFN: sfnEndpoint.url,
        UNSUBSCRIBE_BASE_URL: options.publicApiUrl ?? '',
      });
      const sdk = { region: aws.env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
      const clients = {
        dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...sdk, endpoint: endpoints.dynamodb })),
        s3: new S3Client({ ...sdk, endpoint: endpoints.s3, forcePathStyle: true }),
        sqs: new SQSClient({ ...sdk, endpoint: endpoints.sqs }),
      };
      const drop = options.dropDir === undefined ? undefined : dropFolder(options.dropDir);
      const system = new LocalSystem(
        config,
        clock,
        runtime,
        aws,
        resources,
        endpoints,
        sfnEndpoint,
        clients,
        dataDir,
        drop,
      );
      invoke = (handler, event) => system.invoke(handler, event);
      system.restoreClock = installClock(clock);
      await system.loadHandlers(synthesized.handlers, options.loadHandler ?? importHandlerSource);
      if (aws.dynamoEngine) {
        const handlerClients = await import('../../functions/platform/clients');
        serveDocumentClientInProcess(handlerClients.dynamo, aws.dynamoEngine);
        serveDocumentClientInProcess(clients.dynamo, aws.dynamoEngine);
      }
      if (drop) await ensureDropFolder(drop);
      if (saved) runtime.restore(saved.executions as ExecutionRecord[]);
      await system.reconcile();
      return system;
    } catch (error) {
      await sfnEndpoint?.close().catch(() => {});
      await aws.stop().catch(() => {});
      throw error;
    }
  }

  /** Calls a handler (file name under functions/handlers/) in-process with `event`, as Lambda would. */
  async invoke(handler: string, event: unknown): Promise<unknown> {
    const fn = this.handlers.get(handler);
    if (!fn) throw new Error(`No local handler ${handler} (known: ${[...this.handlers.keys()].join(', ')})`);
    try {
      return await fn(event, lambdaContext(handler));
    } finally {
      for (const observe of this.observers) observe(handler, event);
    }
  }

  /** Calls `observer` after every handler invocation (with the handler's name and its event). */
  observeInvocations(observer: (handler: string, event: unknown) => void): void {
    this.observers.push(observer);
  }

  /**
   * Calls the HTTP API in-process: the route's handler gets the same API Gateway proxy event the HTTP server (and
   * API Gateway) would give it. Registrations are then handed to the starter at once.
   */
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    return this.tracker.track(async () => {
      const match = matchRoute(method, path);
      if ('error' in match) throw new Error(`No API route for ${method} ${path}`);
      const event = proxyEvent({
        route: match.route,
        path,
        pathParameters: match.pathParameters,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        requestTimeEpoch: this.clock.now().getTime(),
      });
      const result = (await this.invoke(match.route.handler, event)) as APIGatewayProxyResult;
      this.kickStarts();
      return { statusCode: result.statusCode, body: result.body ? (JSON.parse(result.body) as unknown) : null };
    });
  }

  /** The HTTP server's way in: the same as {@link api}, tracked, with the start queue drained after it. */
  invokeApi(handler: string, event: unknown): Promise<APIGatewayProxyResult> {
    return this.tracker.track(async () => {
      const result = (await this.invoke(handler, event)) as APIGatewayProxyResult;
      this.kickStarts();
      return result;
    });
  }

  /**
   * Resolves when nothing is running: no execution between states, no API request, no ingestion, no start-queue
   * batch in flight. Virtual time only moves then.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.runtime.whenIdle();
      await this.tracker.whenIdle();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.runtime.isIdle && this.tracker.isIdle) return;
    }
  }

  /**
   * Plays everything due up to `at` as fast as it runs, then sets the clock to `at`. `oneAtATime`: as in
   * {@link runFast}.
   */
  async advanceTo(at: Date, options: { oneAtATime?: boolean } = {}): Promise<void> {
    await this.whenIdle();
    if (options.oneAtATime) {
      await this.clock.runFast({ whenIdle: () => this.whenIdle(), until: at, oneAtATime: true });
    }
    await this.clock.advanceTo(at, () => this.whenIdle());
    await this.whenIdle();
  }

  /**
   * Plays the clock forward as fast as it runs until every execution has ended (or up to `until`). `oneAtATime`:
   * executions due at one instant run one after the other, in name order (a reproducible run).
   */
  async runFast(options: { until?: Date; oneAtATime?: boolean } = {}): Promise<void> {
    await this.clock.runFast({
      whenIdle: () => this.whenIdle(),
      stop: () => this.runtime.running === 0,
      ...(options.until ? { until: options.until } : {}),
      ...(options.oneAtATime ? { oneAtATime: true } : {}),
    });
  }

  /** Hands what the start queue holds to the starter (an SQS event source mapping's job), unless that runs already. */
  kickStarts(): void {
    if (this.drainingStarts) return;
    this.drainingStarts = this.tracker
      .track(() => drainStartQueue(this.clients.sqs, this.resources.queueUrl, (h, e) => this.invoke(h, e)))
      .then(
        () => undefined,
        (error: unknown) => console.error(`start queue: ${(error as Error).message}`),
      )
      .finally(() => {
        this.drainingStarts = undefined;
      });
  }

  /**
   * Ingests one object under `incoming/` of the drop bucket with the `ingest-file` handler (what the bucket's
   * ObjectCreated notification does on AWS). Returns its rejected-rows report, if it wrote one. A key being ingested
   * already is skipped (undefined).
   */
  async ingest(key: string, size = 0): Promise<{ report?: IngestReport } | undefined> {
    if (this.ingesting.has(key)) return undefined;
    this.ingesting.add(key);
    try {
      return await this.tracker.track(async () => {
        const startedAt = this.clock.now().toISOString();
        await this.invoke('ingest-file', objectCreatedEvent(this.resources.bucket, key, size));
        this.kickStarts();
        const report = await readIngestReport(this.clients.s3, this.resources.bucket, key);
        const fresh = report && report.file === key && report.processedAt >= startedAt ? report : undefined;
        return fresh ? { report: fresh } : {};
      });
    } finally {
      this.ingesting.delete(key);
    }
  }

  /**
   * Ingests one payment file under `payments/` of the drop bucket with the `ingest-payments` handler (the bucket's
   * notification for that prefix on AWS). Returns its rejected-rows report, if it wrote one; undefined when the key
   * is being ingested already.
   */
  async ingestPayments(key: string, size = 0): Promise<{ report?: PaymentIngestReport } | undefined> {
    if (this.ingesting.has(key)) return undefined;
    this.ingesting.add(key);
    try {
      return await this.tracker.track(async () => {
        const startedAt = this.clock.now().toISOString();
        await this.invoke('ingest-payments', objectCreatedEvent(this.resources.bucket, key, size));
        const report = await readPaymentReport(this.clients.s3, this.resources.bucket, key);
        const fresh = report && report.file === key && report.processedAt >= startedAt ? report : undefined;
        return fresh ? { report: fresh } : {};
      });
    } finally {
      this.ingesting.delete(key);
    }
  }

  /**
   * Background work of a long-running system (`npm start`): every `intervalMs` real ms, drains the start queue,
   * ingests new objects under `incoming/` (invoices) and `payments/` (payment files) of the drop bucket, picks up
   * files from the drop folder and saves the
   * runtime state. `onDrop` hears about each dropped file once it is ingested.
   */
  startBackground(
    options: {
      intervalMs?: number;
      onDrop?: (name: string, outcome: { report?: IngestReport; error?: Error }) => void;
    } = {},
  ): void {
    const interval = options.intervalMs ?? 500;
    const signal = this.background.signal;
    const loop = async (): Promise<void> => {
      while (!signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        if (signal.aborted) return;
        try {
          this.kickStarts();
          await this.pollDropFolder(options.onDrop);
          for (const key of await listIncoming(this.clients.s3, this.resources.bucket)) {
            // a file of the drop folder is ingested (and then moved) by the drop folder's own pass
            if (!this.dropping.has(key.slice(INCOMING_PREFIX.length))) void this.ingest(key);
          }
          for (const key of await listIncoming(this.clients.s3, this.resources.bucket, PAYMENTS_PREFIX)) {
            void this.ingestPayments(key);
          }
          this.saveState();
        } catch (error) {
          if (!signal.aborted) console.error(`local runtime: ${(error as Error).message}`);
        }
      }
    };
    this.backgroundTasks.push(loop());
  }

  private async pollDropFolder(
    onDrop?: (name: string, outcome: { report?: IngestReport; error?: Error }) => void,
  ): Promise<void> {
    const drop = this.drop;
    if (!drop) return;
    for (const name of await readyDropFiles(drop, this.dropSizes)) {
      if (this.dropping.has(name)) continue;
      this.dropping.add(name);
      void (async () => {
        try {
          const body = await readFile(join(drop.incoming, name));
          const { key, size } = await uploadDropFile(this.clients.s3, this.resources.bucket, name, body);
          const outcome = await this.ingest(key, size);
          if (!outcome) return; // the bucket poll is ingesting it: that one settles
          await settleDropFile(drop, name, outcome.report);
          onDrop?.(name, outcome);
        } catch (error) {
          onDrop?.(name, { error: error as Error });
        } finally {
          this.dropping.delete(name);
          this.dropSizes.delete(name);
        }
      })();
    }
  }

  /** Every invoice id in the table (a scan: local use only). */
  async invoiceIds(): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.clients.dynamo.send(
        new ScanCommand({
          TableName: this.resources.tableName,
          FilterExpression: 'itemType = :invoice',
          ExpressionAttributeValues: { ':invoice': 'invoice' },
          ProjectionExpression: 'invoiceId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.invoiceId));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids.sort();
  }

  /** The timeline of each invoice (docs/formats.md events), from its contact log and audit events, in time order. */
  async timeline(invoiceIds: readonly string[]): Promise<TimelineEvent[]> {
    const lines: TimelineEvent[] = [];
    for (const invoiceId of invoiceIds) lines.push(...(await this.invoiceTimeline(invoiceId)));
    return lines.sort(compareTimelineEvents);
  }

  /** One invoice's timeline, `completed` included once its execution ended in `Billing rule completed`. */
  async invoiceTimeline(invoiceId: string): Promise<TimelineEvent[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.clients.dynamo.send(
        new QueryCommand({
          TableName: this.resources.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INVOICE#${invoiceId}` },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const invoice = items.find((i) => i.itemType === 'invoice') as (Invoice & { itemType: string }) | undefined;
    if (!invoice) return [];
    this.zones.set(invoiceId, debtorTimezone(this.config.rule, invoice.customer));
    const contacts = items.filter((i) => i.itemType === 'contact') as unknown as ContactLogEntry[];
    const events = items.filter((i) => i.itemType === 'event') as unknown as InvoiceEvent[];
    return invoiceTimeline(
      { invoiceId, customerId: invoice.customer.customerId },
      { contacts, events },
      this.completedAt(invoiceId),
    );
  }

  /** The debtor's time zone of an invoice whose timeline was read (for showing local times). */
  debtorZone(invoiceId: string): string {
    return this.zones.get(invoiceId) ?? this.config.rule.timezone;
  }

  /** When the invoice's execution ended in `Billing rule completed` (undefined otherwise). */
  private completedAt(invoiceId: string): string | undefined {
    const arn = this.runtime.executionArnOf(executionNameFor(invoiceId));
    let description: ReturnType<LocalWorkflowRuntime['describeExecution']>;
    try {
      description = this.runtime.describeExecution(arn);
    } catch {
      return undefined;
    }
    if (description.status !== 'SUCCEEDED' || !description.stopDate) return undefined;
    const history = this.runtime.history(arn);
    const lastState = history.filter((e) => e.type === 'StateEntered').at(-1)?.stateName;
    if (lastState !== undefined) return lastState === STATE.completed ? description.stopDate.toISOString() : undefined;
    // Restored from a snapshot (no history): the output tells. The last step planned nothing and was not a closure.
    const step = (description.output as { step?: { outcome?: string; stageId?: string } } | undefined)?.step;
    return step &&
      step.stageId === '' &&
      (step.outcome === 'sent' || step.outcome === 'skipped' || step.outcome === 'completed')
      ? description.stopDate.toISOString()
      : undefined;
  }

  /** Writes the clock and the executions to the data directory (atomically); no-op in memory. */
  saveState(): void {
    if (this.dataDir === undefined) return;
    mkdirSync(this.dataDir, { recursive: true });
    const file = join(this.dataDir, RUNTIME_STATE_FILE);
    const state = { clock: this.clock.now().toISOString(), executions: this.runtime.snapshot() };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
    renameSync(`${file}.tmp`, file);
  }

  /** Stops the background work, saves the state, closes every endpoint and emulator. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.background.abort();
      await Promise.allSettled(this.backgroundTasks);
      await this.whenIdleOrTimeout(5_000);
      this.saveState();
      this.restoreClock();
      for (const client of Object.values(this.clients)) client.destroy();
      await this.sfnEndpoint.close();
      await this.aws.stop();
    })();
    return this.stopped;
  }

  private async whenIdleOrTimeout(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.whenIdle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  private async loadHandlers(names: readonly string[], load: (name: string) => Promise<LocalHandler>): Promise<void> {
    for (const name of names) this.handlers.set(name, await load(name));
  }

  /**
   * After a restart: every invoice still being walked (contactable, or on hold waiting to resume) whose execution is
   * not running (the state file was not written before the process died) gets its walk started again — the workflow
   * re-enters safely.
   */
  private async reconcile(): Promise<void> {
    const records: ExecutionRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.clients.dynamo.send(
        new ScanCommand({
          TableName: this.resources.tableName,
          // Walks still running: contactable, or on hold (paused, disputed) waiting to resume.
          FilterExpression:
            'itemType = :invoice AND attribute_exists(executionArn) AND #status IN (:open, :escalated, :paused, :disputed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':invoice': 'invoice',
            ':open': 'OPEN',
            ':escalated': 'ESCALATED',
            ':paused': 'PAUSED',
            ':disputed': 'DISPUTED',
          },
          ProjectionExpression: 'invoiceId, ruleId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const invoiceId = String(item.invoiceId);
        const name = executionNameFor(invoiceId);
        const known = this.runtime.listExecutions().some((e) => e.name === name);
        if (!known) {
          // the input the starter gives (the rule chosen at registration), so the walk goes on in the same rule
          const input = typeof item.ruleId === 'string' ? { invoiceId, ruleId: item.ruleId } : { invoiceId };
          records.push({
            name,
            input: input as JsonValue,
            status: 'RUNNING',
            startDate: this.clock.now().toISOString(),
          });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (records.length > 0) this.runtime.restore(records);
  }
}

/** A handler's TypeScript source, imported into this process. */
async function importHandlerSource(name: string): Promise<LocalHandler> {
  const module = (await import(`../../functions/handlers/${name}.ts`)) as { handler?: LocalHandler };
  if (typeof module.handler !== 'function') throw new Error(`functions/handlers/${name}.ts exports no handler`);
  return module.handler;
}

/** The environment every handler reads at import (what the CDK constructs set on AWS). */
export function handlerEnvironment(
  config: DunningConfig,
  resources: ProvisionedResources,
  stateMachineArn: string,
): Record<string, string> {
  return {
    TABLE_NAME: resources.tableName,
    START_QUEUE_URL: resources.queueUrl,
    STATE_MACHINE_ARN: stateMachineArn,
    RULE_ID: config.rule.id,
    RULE_SEGMENTS: config.ruleSet.rules.length > 1 ? JSON.stringify(config.ruleSet.segments) : '',
    OPERATORS_TOPIC_ARN: resources.topicArn,
    SENDER_EMAIL: config.sender.email,
    SES_CONFIGURATION_SET: '',
    SMS_SENDER_ID: config.sender.smsSenderId ?? '',
    COMPANY_LEGAL_NAME: config.company.legalName,
    COMPANY_TAX_ID: config.company.taxId,
    COMPANY_SUPPORT_CONTACT: config.company.supportContact ?? '',
    RULE_TERMS: JSON.stringify(ruleTermsBook(config.ruleSet.rules)),
    DUNNING_QUIET_LOGS: '1',
  };
}

function readRuntimeState(file: string): z.infer<typeof RuntimeStateSchema> | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (delete the data directory to start afresh)`, { cause: error });
  }
  const parsed = RuntimeStateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a local runtime state file: ${parsed.error.message}`);
  if (Number.isNaN(Date.parse(parsed.data.clock))) throw new Error(`${file}: the saved clock is not an instant`);
  return parsed.data;
}
