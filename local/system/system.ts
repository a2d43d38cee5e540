import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { executionNameOf } from '../../functions/executions/start-executions';
import type { IngestReport } from '../../functions/ingest/ingest-file';
import type { PaymentIngestReport } from '../../functions/ingest/ingest-payments';
import { executionNameFor } from '../../functions/invoices/execution-name';
import { installClock } from '../../functions/platform/clock';
import type { DunningConfig } from '../../lib/config';
import { type LocalAws, type ProvisionedResources, provisionResources, startEmulators } from '../emulators';
import { serveDocumentClientInProcess } from '../emulators/dynamo-engine';
import type { TimelineEvent } from '../simulator/timeline';
import { LocalSchedulerEndpoint } from '../stepfunctions/scheduler-endpoint';
import { LocalSfnEndpoint } from '../stepfunctions/sfn-endpoint';
import { VirtualClock } from '../stepfunctions/virtual-clock';
import { LocalWaitScheduler } from '../stepfunctions/wait-scheduler';
import { type ExecutionRecord, type JsonValue, LocalWorkflowRuntime } from '../stepfunctions/workflow-runtime';
import { ActivityTracker } from './activity-tracker';
import { type DeadLetterQueues, provisionDeadLetterQueues } from './dead-letter-queues';
import { EventPumps, type OnDrop } from './event-pumps';
import { type DropFolder, dropFolder, ensureDropFolder } from './event-sources';
import { completedAt } from './execution-completion';
import { handlerEnvironment, LOCAL_RESOURCE_NAMES } from './handler-environment';
import { HandlerHost, importHandlerSource } from './handler-host';
import { matchRoute, proxyEvent } from './http-api';
import { scheduleReconciler } from './reconciler-schedule';
import { readRuntimeState, writeRuntimeState } from './runtime-state';
import { synthesizeWorkflowCached } from './synth-cache';
import type { ApiAnswer, LocalEndpoints, LocalSystemOptions } from './system-options';
import { LocalTableReads } from './table-reads';

export { handlerEnvironment, LOCAL_RESOURCE_NAMES, LOCAL_WAIT_SCHEDULES } from './handler-environment';
export type { LocalHandler } from './handler-host';
export { RUNTIME_STATE_FILE } from './runtime-state';
export type { ApiAnswer, LocalEndpoints, LocalSystemOptions } from './system-options';

/**
 * The whole dunning system on one machine (docs/architecture.md "Local runtime"): the real stack's synthesized workflow on
 * {@link LocalWorkflowRuntime} and a {@link VirtualClock}; the real Lambda handlers in-process; real AWS SDK clients
 * talking over HTTP to local emulators (dynalite, aws-ses-v2-local, fauxqs, our SMS, Step Functions and EventBridge
 * Scheduler endpoints — the waits' one-time schedules on the virtual clock, {@link LocalWaitScheduler}); Lambda's event
 * sources (SQS start queue, S3 `incoming/`) driven here. One per process: the handlers read the
 * environment (emulator endpoints) once, at import. This file wires the parts and is the system's one face; the
 * parts are the handler host, the event pumps, the table reads and the runtime state file.
 */
export class LocalSystem {
  private readonly tracker = new ActivityTracker();
  private readonly handlers = new HandlerHost();
  private readonly pumps: EventPumps;
  private readonly table: LocalTableReads;
  private restoreClock: () => void = () => {};
  private stopReconciler: () => void = () => {};
  private stopped?: Promise<void>;

  private constructor(
    readonly config: DunningConfig,
    readonly clock: VirtualClock,
    readonly runtime: LocalWorkflowRuntime,
    readonly aws: LocalAws,
    readonly resources: ProvisionedResources,
    readonly endpoints: LocalEndpoints,
    private readonly sfnEndpoint: { close(): Promise<void> },
    /** The waits' one-time schedules (EventBridge Scheduler), on the clock; a firing resumes a task token. */
    readonly waitSchedules: LocalWaitScheduler,
    private readonly schedulerEndpoint: { close(): Promise<void> },
    private readonly clients: { dynamo: DynamoDBDocumentClient; s3: S3Client; sqs: SQSClient },
    readonly dataDir: string | undefined,
    readonly drop: DropFolder | undefined,
    /** The local dead-letter queues of the start queue and the drop (dead-letter-queues.ts). */
    readonly deadLetters: DeadLetterQueues,
  ) {
    this.pumps = new EventPumps({
      tracker: this.tracker,
      clock,
      // through this.invoke, so that a caller who wraps it (bench/cost.ts) sees every invocation
      invoke: (handler, event) => this.invoke(handler, event),
      clients,
      resources,
      deadLetters,
      drop,
      saveState: () => this.saveState(),
    });
    this.table = new LocalTableReads(clients.dynamo, resources.tableName, config);
  }

  /**
   * Starts the emulators, creates the stack's resources in them, synthesizes the stack, points the handlers at the
   * emulators and restores the clock and the executions a data directory holds.
   */
  static async start(options: LocalSystemOptions): Promise<LocalSystem> {
    const { config, dataDir } = options;
    const saved = dataDir === undefined ? undefined : readRuntimeState(dataDir);
    const clock = new VirtualClock(saved ? new Date(saved.clock) : options.start);
    const synthesized = await synthesizeWorkflowCached(config);
    const aws = await startEmulators({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(options.ports ? { ports: options.ports } : {}),
      ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}),
      now: () => clock.now(),
    });
    let sfnEndpoint: { url: string; close(): Promise<void> } | undefined;
    let schedulerEndpoint: { url: string; close(): Promise<void> } | undefined;
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
      // A schedule's firing is what Scheduler's call to SendTaskSuccess does: a stale token's error is swallowed.
      const waitSchedules = new LocalWaitScheduler({
        clock,
        resume: (token, output) => runtime.sendTaskSuccess(token, output),
      });
      schedulerEndpoint = await new LocalSchedulerEndpoint(waitSchedules, options.ports?.scheduler ?? 0).start();
      const endpoints: LocalEndpoints = { ...aws.endpoints, sfn: sfnEndpoint.url, scheduler: schedulerEndpoint.url };
      Object.assign(process.env, aws.env, handlerEnvironment(config, resources, runtime.stateMachineArn), {
        AWS_ENDPOINT_URL_SFN: sfnEndpoint.url,
        AWS_ENDPOINT_URL_SCHEDULER: schedulerEndpoint.url,
        UNSUBSCRIBE_BASE_URL: options.publicApiUrl ?? '',
      });
      const region = aws.env.AWS_REGION;
      const sdk = {
        ...(region === undefined ? {} : { region }),
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      };
      const clients = {
        dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...sdk, endpoint: endpoints.dynamodb })),
        s3: new S3Client({ ...sdk, endpoint: endpoints.s3, forcePathStyle: true }),
        sqs: new SQSClient({ ...sdk, endpoint: endpoints.sqs }),
      };
      const drop = options.dropDir === undefined ? undefined : dropFolder(options.dropDir);
      const deadLetters = await provisionDeadLetterQueues(clients.sqs, resources.queueUrl);
      const system = new LocalSystem(
        config,
        clock,
        runtime,
        aws,
        resources,
        endpoints,
        sfnEndpoint,
        waitSchedules,
        schedulerEndpoint,
        clients,
        dataDir,
        drop,
        deadLetters,
      );
      invoke = (handler, event) => system.invoke(handler, event);
      system.restoreClock = installClock(clock);
      await system.handlers.load(synthesized.handlers, options.loadHandler ?? importHandlerSource);
      if (aws.dynamoEngine) {
        const handlerClients = await import('../../functions/platform/clients');
        serveDocumentClientInProcess(handlerClients.dynamo, aws.dynamoEngine);
        serveDocumentClientInProcess(clients.dynamo, aws.dynamoEngine);
      }
      if (drop) await ensureDropFolder(drop);
      if (saved) runtime.restore(saved.executions as ExecutionRecord[]);
      await system.reconcile();
      if (options.reconciler !== false) system.startReconciler();
      return system;
    } catch (error) {
      await schedulerEndpoint?.close().catch(() => {});
      await sfnEndpoint?.close().catch(() => {});
      await aws.stop().catch(() => {});
      throw error;
    }
  }

  /** Calls a handler (file name under functions/handlers/) in-process with `event`, as Lambda would. */
  invoke(handler: string, event: unknown): Promise<unknown> {
    return this.handlers.invoke(handler, event);
  }

  /** Calls `observer` after every handler invocation (with the handler's name and its event). */
  observeInvocations(observer: (handler: string, event: unknown) => void): void {
    this.handlers.observe(observer);
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
    this.pumps.kickStarts();
  }

  /**
   * Ingests one object under `incoming/` of the drop bucket with the `ingest-file` handler (what the bucket's
   * ObjectCreated notification does on AWS). Returns its rejected-rows report, if it wrote one. A key being ingested
   * already is skipped (undefined).
   */
  ingest(key: string, size = 0): Promise<{ report?: IngestReport } | undefined> {
    return this.pumps.ingest(key, size);
  }

  /**
   * Ingests one payment file under `payments/` of the drop bucket with the `ingest-payments` handler (the bucket's
   * notification for that prefix on AWS). Returns its rejected-rows report, if it wrote one; undefined when the key
   * is being ingested already.
   */
  ingestPayments(key: string, size = 0): Promise<{ report?: PaymentIngestReport } | undefined> {
    return this.pumps.ingestPayments(key, size);
  }

  /**
   * Background work of a long-running system (`npm start`): every `intervalMs` real ms, drains the start queue,
   * ingests new objects under `incoming/` (invoices) and `payments/` (payment files) of the drop bucket, picks up
   * files from the drop folder and saves the
   * runtime state. `onDrop` hears about each dropped file once it is ingested.
   */
  startBackground(options: { intervalMs?: number; onDrop?: OnDrop } = {}): void {
    this.pumps.startBackground(options);
  }

  /** Every invoice id in the table (a scan: local use only). */
  invoiceIds(): Promise<string[]> {
    return this.table.invoiceIds();
  }

  /** The timeline of each invoice (docs/formats.md events), from its contact log and audit events, in time order. */
  timeline(invoiceIds: readonly string[]): Promise<TimelineEvent[]> {
    return this.table.timeline(invoiceIds, (invoiceId, arn) => completedAt(this.runtime, invoiceId, arn));
  }

  /** One invoice's timeline, `completed` included once its execution ended in `Billing rule completed`. */
  invoiceTimeline(invoiceId: string): Promise<TimelineEvent[]> {
    return this.table.invoiceTimeline(invoiceId, (id, arn) => completedAt(this.runtime, id, arn));
  }

  /** The debtor's time zone of an invoice whose timeline was read (for showing local times). */
  debtorZone(invoiceId: string): string {
    return this.table.debtorZone(invoiceId);
  }

  /** Writes the clock and the executions to the data directory (atomically); no-op in memory. */
  saveState(): void {
    if (this.dataDir === undefined) return;
    writeRuntimeState(this.dataDir, this.clock.now(), this.runtime.snapshot());
  }

  /**
   * The reconciler (`reconcile-walks`) on its schedules, as EventBridge calls it: a failed or timed-out walk is started
   * again within the hour, as on AWS. Its failures are logged, never thrown (the next tick tries again).
   */
  private startReconciler(): void {
    this.stopReconciler = scheduleReconciler(this.clock, (mode) => {
      void this.tracker
        .track(() => this.invoke('reconcile-walks', { mode }))
        .catch((error: unknown) => {
          console.error(`reconciler (${mode}): ${(error as Error).name}: ${(error as Error).message}`);
        });
    });
  }

  /** Stops the background work, saves the state, closes every endpoint and emulator. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopReconciler();
      await this.pumps.stopBackground();
      await this.whenIdleOrTimeout(5_000);
      this.saveState();
      // after the snapshot: the walks still running (parked on holds) must not keep the process alive
      this.runtime.shutdown();
      this.waitSchedules.shutdown();
      this.restoreClock();
      for (const client of Object.values(this.clients)) client.destroy();
      await this.schedulerEndpoint.close();
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

  /**
   * After a restart: every invoice still being walked (contactable, or on hold waiting to resume) whose execution is
   * not running (the state file was not written before the process died) gets its walk started again — the workflow
   * re-enters safely.
   */
  private async reconcile(): Promise<void> {
    const records: ExecutionRecord[] = [];
    for (const walk of await this.table.walksToResume()) {
      // the invoice's latest execution (a walk continued or restarted runs under its own name)
      const name = walk.executionArn ? executionNameOf(walk.executionArn) : executionNameFor(walk.invoiceId);
      const known = this.runtime.listExecutions().some((e) => e.name === name);
      if (!known) {
        // the input the starter gives (the rule chosen at registration), so the walk goes on in the same rule
        const { invoiceId, ruleId } = walk;
        const input = ruleId !== undefined ? { invoiceId, ruleId } : { invoiceId };
        records.push({
          name,
          input: input as JsonValue,
          status: 'RUNNING',
          startDate: this.clock.now().toISOString(),
        });
      }
    }
    if (records.length > 0) this.runtime.restore(records);
  }
}
