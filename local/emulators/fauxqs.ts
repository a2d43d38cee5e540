import { join } from 'node:path';
import type { FauxqsServer, MessageAttributeValue } from 'fauxqs';
import { LOOPBACK } from './http-server';

/**
 * SQS, SNS topics and S3 for the local system: fauxqs in-process (persisted in SQLite and plain files when given a
 * data directory), plus what was published to the topics, for the operators' topic the tests and `/_local/` read.
 */

/** One message published to an SNS topic, as `topicMessages()` returns it. */
export interface TopicMessage {
  topicArn: string;
  messageId: string;
  message: string;
  /** Message attributes: string (or base64 binary) value by name. */
  attributes: Record<string, string>;
  /** When fauxqs received it (ISO-8601 UTC). */
  at: string;
}

/** A running fauxqs: SQS, SNS topics and S3 on one port. */
export interface FauxqsEmulator {
  /** `http://127.0.0.1:<port>` — the endpoint of SQS, SNS (topics) and S3 alike. */
  readonly url: string;
  /** Messages published to topics since start, oldest first; only those of `topicArn` when given. */
  topicMessages(topicArn?: string): TopicMessage[];
  stop(): Promise<void>;
}

/** How many events (SQS, SNS and S3 together) fauxqs's message spy keeps before dropping the oldest. */
const SPY_BUFFER_SIZE = 50_000;

/**
 * Starts fauxqs in-process. fauxqs always binds 0.0.0.0 (not configurable); we hand out the 127.0.0.1 URL.
 * @param options.dataDir when set, queues, messages, topics and subscriptions persist in `<dataDir>/fauxqs`
 *   (SQLite) and S3 buckets and objects in `<dataDir>/s3` as plain files (`buckets/<bucket>/objects/<key>.data`).
 * @param options.port port to listen on; 0 = any free port.
 */
export async function startFauxqsEmulator(options: {
  dataDir?: string | undefined;
  port?: number | undefined;
}): Promise<FauxqsEmulator> {
  let server: FauxqsServer;
  try {
    // Loaded on first use: importing it loads node:sqlite, whose "experimental" warning the entry points filter.
    const { startFauxqs } = await import('fauxqs');
    server = await startFauxqs({
      port: options.port ?? 0,
      logger: false,
      messageSpies: { bufferSize: SPY_BUFFER_SIZE },
      ...(options.dataDir === undefined
        ? {}
        : { dataDir: join(options.dataDir, 'fauxqs'), s3StorageDir: join(options.dataDir, 's3') }),
    });
  } catch (error) {
    throw new Error(`SQS/SNS/S3 (fauxqs) emulator could not start on port ${options.port ?? 0}`, { cause: error });
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${server.port}`,
    topicMessages(topicArn) {
      const messages: TopicMessage[] = [];
      for (const event of server.spy.getAllMessages()) {
        if (event.service !== 'sns' || (topicArn !== undefined && event.topicArn !== topicArn)) continue;
        messages.push({
          topicArn: event.topicArn,
          messageId: event.messageId,
          message: event.body,
          attributes: flattenAttributes(event.messageAttributes),
          at: new Date(event.timestamp).toISOString(),
        });
      }
      return messages;
    },
    stop() {
      stopped ??= server.stop();
      return stopped;
    },
  };
}

/** `{ Name: { DataType, StringValue | BinaryValue } }` -> `{ Name: value }`. */
export function flattenAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    flat[name] = value.StringValue ?? value.BinaryValue ?? '';
  }
  return flat;
}
