import { join } from 'node:path';
import { type DynamoEmulator, startDynamo } from './dynamo';
import { createDynamoEngine, type DynamoEngine } from './dynamo-engine';
import { currentFaultPlane, type FaultPlane } from './fault-plane';
import { type FauxqsEmulator, startFauxqsEmulator, type TopicMessage } from './fauxqs';
import { type CapturedEmail, type SesEmulator, startSes } from './ses';
import { type SmsEndpoint, startSmsEndpoint } from './sms-endpoint';
import type { SmsMessage } from './sms-store';

/**
 * All local AWS services at once: starts DynamoDB, SES, SQS + SNS topics + S3 and the SMS endpoint on 127.0.0.1
 * (stopping the others if one fails) and gives their endpoints and the environment the SDK clients read.
 */

/** Ports to listen on (all on 127.0.0.1); a missing one (or 0) = any free port. */
export interface EmulatorPorts {
  dynamodb: number;
  ses: number;
  /** fauxqs: SQS, S3 and SNS topics share it. */
  fauxqs: number;
  /** The SNS endpoint the SDK talks to: answers SMS itself, forwards the rest to fauxqs. */
  sns: number;
}

export interface StartEmulatorsOptions {
  /**
   * Where to persist (e.g. `.dunning/`): DynamoDB in `dynamodb/` (LevelDB), SQS/SNS in `fauxqs/` (SQLite),
   * S3 objects in `s3/` (plain files), the SMS outbox and opt-outs in `sms-outbox.json` / `sms-opt-outs.json`.
   * Undefined = everything in memory. The SES mailbox is always in memory.
   */
  dataDir?: string;
  ports?: Partial<EmulatorPorts>;
  /** Clock stamping the SMS outbox; defaults to the wall clock. */
  now?: () => Date;
  /**
   * `http` (default): dynalite's HTTP server. `in-process`: dynalite's engine without the server (see
   * dynamo-engine.ts): clients must be served with `serveDocumentClientInProcess(client, aws.dynamoEngine)`; the
   * DynamoDB endpoint in `env` then points at a closed port, so a client left unserved fails at once.
   */
  dynamodb?: 'http' | 'in-process';
  /**
   * A simulation's fault plane for SES and SNS (faults, quotas, the outbox of accepted messages). Default: the one
   * installed in the process (installFaultPlane), if any: the local system starts the emulators itself.
   */
  faults?: FaultPlane;
}

/** The local AWS: every emulator, started together. */
export interface LocalAws {
  /** `http://127.0.0.1:<port>` of each service. `s3` and `sqs` are fauxqs; `sns` and `sms` are the SMS endpoint. */
  endpoints: { dynamodb: string; ses: string; s3: string; sqs: string; sns: string; sms: string };
  /** dynalite's engine, when DynamoDB runs `in-process`. */
  dynamoEngine?: DynamoEngine;
  /**
   * Environment that points every AWS SDK v3 client of a process (`new XClient({})`) at the emulators:
   * `AWS_ENDPOINT_URL_<SERVICE ID>` (SES v2's service id is `SESv2`, so `AWS_ENDPOINT_URL_SESV2`; `…_SES` is set too
   * for the v1 client), region and dummy credentials. S3 needs no path-style flag: its endpoint is an IP address,
   * for which the SDK's S3 endpoint rules always use path-style URLs.
   */
  env: Record<string, string>;
  /** Emails the SES emulator received (its `GET /store`), oldest first. */
  mailbox(): Promise<CapturedEmail[]>;
  /** Empties the SES mailbox (`POST /clear-store`). */
  clearMailbox(): Promise<void>;
  /** SMS delivered through the SMS endpoint, oldest first. */
  smsOutbox(): SmsMessage[];
  /** Opts a phone (E.164) out of SMS, as a STOP reply would. */
  optOutPhone(phone: string): void;
  /** Puts an email address on SES's suppression list, as a bounce or complaint would. */
  suppressEmail(address: string, reason?: 'BOUNCE' | 'COMPLAINT'): void;
  /** Messages published to SNS topics (recorded by fauxqs), oldest first; only `topicArn`'s when given. */
  topicMessages(topicArn?: string): TopicMessage[];
  /** Closes every server (flushing persisted stores); idempotent. */
  stop(): Promise<void>;
}

/** The region of every emulated resource (ARNs, queue URLs). */
export const LOCAL_REGION = 'us-east-1';

/** Where an in-process DynamoDB's endpoint points: port 9 (discard), refused on loopback. */
const CLOSED_PORT_URL = 'http://127.0.0.1:9';

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB (dynalite), SES v2 (aws-ses-v2-local), SQS + SNS topics + S3 (fauxqs) and the SMS endpoint
 * in-process, on 127.0.0.1. If one fails to start, the others are stopped before the error is rethrown.
 */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<LocalAws> {
  const { dataDir, ports = {} } = options;
  const faults = options.faults ?? currentFaultPlane();
  const started: Stoppable[] = [];
  const track = <T extends Stoppable>(emulator: Promise<T>): Promise<T> =>
    emulator.then((running) => {
      started.push(running);
      return running;
    });

  const dynamoPath = dataDir === undefined ? {} : { path: join(dataDir, 'dynamodb') };
  const engine = options.dynamodb === 'in-process' ? createDynamoEngine(dynamoPath) : undefined;
  if (engine) started.push({ stop: () => engine.close() });
  let running: { dynamo: DynamoEmulator; ses: SesEmulator; fauxqs: FauxqsEmulator; sms: SmsEndpoint };
  try {
    const starting = [
      engine
        ? Promise.resolve<DynamoEmulator>({ url: CLOSED_PORT_URL, stop: () => Promise.resolve() })
        : track(startDynamo({ ...dynamoPath, port: ports.dynamodb })),
      track(startSes({ port: ports.ses, ...(options.now ? { now: options.now } : {}), faults })),
      track(startFauxqsEmulator({ dataDir, port: ports.fauxqs })),
    ] as const;
    // Let every start settle first, so none is left running untracked when another fails.
    await Promise.allSettled(starting);
    const [dynamo, ses, fauxqs] = await Promise.all(starting);
    const sms = await track(
      startSmsEndpoint({
        forwardTo: fauxqs.url,
        port: ports.sns,
        ...(dataDir === undefined ? {} : { stateDir: dataDir }),
        ...(options.now === undefined ? {} : { now: options.now }),
        faults,
      }),
    );
    running = { dynamo, ses, fauxqs, sms };
  } catch (error) {
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
    throw error;
  }
  const { dynamo, ses, fauxqs, sms } = running;

  const endpoints = {
    dynamodb: dynamo.url,
    ses: ses.url,
    s3: fauxqs.url,
    sqs: fauxqs.url,
    sns: sms.url,
    sms: sms.url,
  };
  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    ...(engine ? { dynamoEngine: engine } : {}),
    env: sdkEnvironment(endpoints),
    mailbox: () => ses.mailbox(),
    clearMailbox: () => ses.clearMailbox(),
    smsOutbox: () => sms.outbox(),
    optOutPhone: (phone) => sms.optOut(phone),
    suppressEmail: (address, reason = 'BOUNCE') => ses.suppressionList.add(address, reason),
    topicMessages: (topicArn) => fauxqs.topicMessages(topicArn),
    stop() {
      stopped ??= stopAll(started);
      return stopped;
    },
  };
}

async function stopAll(emulators: Stoppable[]): Promise<void> {
  const results = await Promise.allSettled(emulators.map((emulator) => emulator.stop()));
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) throw new AggregateError(failures, 'some local AWS emulators failed to stop');
}

/** See `LocalAws.env`. */
function sdkEnvironment(endpoints: LocalAws['endpoints']): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
  };
}
