import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * A fast in-process AWS at the network edge: an SDK `requestHandler` that answers the requests the ingest path makes
 * (DynamoDB PutItem / UpdateItem / GetItem, SQS SendMessageBatch, S3 GetObject / PutObject / CopyObject /
 * DeleteObject) without a network. Everything above it runs as on Lambda — marshalling, serialization, signing,
 * retries, deserialization, SQS's MD5 checks — so a benchmark measures the handler's own cost, not an emulator's.
 * S3 objects are files on disk; GetObject streams them.
 */

/** The part of the SDK's HttpRequest the fake reads. */
interface EdgeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

interface EdgeResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | Readable;
}

export interface FakeAwsEdge {
  /** Pass as `requestHandler` to an SDK client (the SDK accepts any object with `handle`). */
  readonly requestHandler: {
    handle(request: EdgeRequest): Promise<{ response: EdgeResponse }>;
    updateHttpClientConfig(): void;
    httpHandlerConfigs(): Record<string, never>;
    destroy(): void;
  };
  /** Requests answered, by operation (`DynamoDB.PutItem`, `SQS.SendMessageBatch`, `S3.GetObject`, …). */
  readonly counts: Map<string, number>;
}

const json = (value: unknown, type: string): EdgeResponse => ({
  statusCode: 200,
  headers: { 'content-type': type },
  body: Buffer.from(JSON.stringify(value)),
});

/** `objects`: S3 key → file path (GetObject streams the file). */
export function fakeAwsEdge(objects: ReadonlyMap<string, string>): FakeAwsEdge {
  const counts = new Map<string, number>();
  let ids = 0;
  const count = (operation: string) => counts.set(operation, (counts.get(operation) ?? 0) + 1);
  const bodyText = (body: unknown): string =>
    typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';

  const handle = async (request: EdgeRequest): Promise<{ response: EdgeResponse }> => {
    const header = (name: string) =>
      Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? '';
    const target = header('x-amz-target');
    if (target.startsWith('DynamoDB_')) {
      const operation = target.split('.')[1] ?? '';
      count(`DynamoDB.${operation}`);
      // PutItem / UpdateItem succeed (every invoice is new), GetItem finds nothing.
      return { response: json({}, 'application/x-amz-json-1.0') };
    }
    if (target.startsWith('AmazonSQS.')) {
      const operation = target.split('.')[1] ?? '';
      count(`SQS.${operation}`);
      if (operation !== 'SendMessageBatch') return { response: json({}, 'application/x-amz-json-1.0') };
      const input = JSON.parse(bodyText(request.body)) as { Entries: { Id: string; MessageBody: string }[] };
      return {
        response: json(
          {
            Successful: input.Entries.map((e) => ({
              Id: e.Id,
              MessageId: `m-${++ids}`,
              MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
            })),
            Failed: [],
          },
          'application/x-amz-json-1.0',
        ),
      };
    }
    // S3, path style: /<bucket>/<key>
    const key = decodeURIComponent(request.path.split('/').slice(2).join('/'));
    if (request.method === 'GET') {
      count('S3.GetObject');
      const file = objects.get(key);
      if (!file)
        return {
          response: { statusCode: 404, headers: {}, body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') },
        };
      return {
        response: {
          statusCode: 200,
          headers: { 'content-length': String(statSync(file).size), 'content-type': 'text/csv', etag: '"bench"' },
          body: createReadStream(file, { highWaterMark: 64 * 1024 }),
        },
      };
    }
    if (request.method === 'PUT' && header('x-amz-copy-source')) {
      count('S3.CopyObject');
      const xml = `<CopyObjectResult><ETag>"bench"</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyObjectResult>`;
      return { response: { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) } };
    }
    if (request.method === 'PUT') {
      count('S3.PutObject');
      const body = request.body as { resume?: () => void } | undefined;
      body?.resume?.(); // a stream body: drain it
      return { response: { statusCode: 200, headers: { etag: '"bench"' }, body: new Uint8Array() } };
    }
    if (request.method === 'DELETE') {
      count('S3.DeleteObject');
      return { response: { statusCode: 204, headers: {}, body: new Uint8Array() } };
    }
    throw new Error(`fake AWS edge: no answer for ${request.method} ${request.path} ${target}`);
  };

  return {
    requestHandler: { handle, updateHttpClientConfig: () => {}, httpHandlerConfigs: () => ({}), destroy: () => {} },
    counts,
  };
}
