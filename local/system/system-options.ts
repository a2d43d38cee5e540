import type { DunningConfig } from '../../lib/config';
import type { EmulatorPorts } from '../emulators';
import type { LocalHandler } from './handler-host';

/** The shapes the local system is started with and answers with: its options, its endpoints, an API answer. */

export interface LocalSystemOptions {
  /** The deployment config with its billing rule (see `loadDunningConfig`). */
  readonly config: DunningConfig;
  /**
   * Where everything persists (DynamoDB, queues, bucket, SMS outbox, the virtual clock and the executions), so a
   * restart loses nothing. Undefined = in memory only.
   */
  readonly dataDir?: string | undefined;
  /** The virtual instant to start at, unless the data directory holds the clock of an earlier run. */
  readonly start: Date;
  /** A drop folder (`incoming/`, `processed/`, `rejected/`) watched by `LocalSystem.startBackground`. */
  readonly dropDir?: string;
  /** Keep each state's input and output in execution histories (off for large simulations). @default true */
  readonly recordStateData?: boolean;
  /** Fixed ports for the emulators and the Step Functions and Scheduler endpoints (default: free ports). */
  readonly ports?: Partial<EmulatorPorts & { sfn: number; scheduler: number }>;
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
  /**
   * Run the reconciler (`reconcile-walks`) on its schedules, hourly and daily at 03:00 UTC, on the virtual clock, as
   * EventBridge does in the stack. @default true
   */
  readonly reconciler?: boolean;
}

/** Where each local service listens. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly ses: string;
  readonly s3: string;
  readonly sqs: string;
  readonly sns: string;
  readonly sfn: string;
  /** EventBridge Scheduler (the waits' one-time schedules). */
  readonly scheduler: string;
}

/** An API call's answer: the status and the parsed JSON body. */
export interface ApiAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}
