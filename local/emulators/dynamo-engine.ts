import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type DynaliteOptions, dynaliteStoreOptions } from './dynamo';

/**
 * dynalite's engine without its HTTP server: the same code that answers DynamoDB requests in `dynalite` (request
 * validation, condition and update expressions, indexes, LevelDB storage), called in-process. The simulator uses it
 * through {@link serveDocumentClientInProcess} to skip the HTTP round trip of every DynamoDB call — the semantics
 * are dynalite's either way; the e2e tests check that a simulation prints the same timeline over both transports.
 */
export interface DynamoEngine {
  /** Runs one DynamoDB operation (`GetItem`, `PutItem`, …) on its JSON request; rejects with the SDK's exception. */
  call(operation: string, request: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Closes the store (flushing it when persistent). */
  close(): Promise<void>;
}

type Callback = (error: unknown, data?: Record<string, unknown>) => void;
type Action = (store: unknown, data: unknown, cb: Callback) => void;
interface ActionValidation {
  types: unknown;
  custom?: unknown;
}
interface Validations {
  toLowerFirst(name: string): string;
  checkTypes(data: unknown, types: unknown): Record<string, unknown>;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: unknown): void;
}
interface Store {
  db: { close(cb: (error?: unknown) => void): void };
}

const require = createRequire(import.meta.url);
/** The operations the engine answers (dynalite's list). */
const OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'UpdateItem',
  'UpdateTable',
];

/** Starts dynalite's engine on a store in memory, or in LevelDB under `path`. */
export function createDynamoEngine(options: { path?: string } = {}): DynamoEngine {
  if (options.path !== undefined) mkdirSync(options.path, { recursive: true });
  const db = require('dynalite/db') as { create(options: DynaliteOptions): Store };
  const validations = require('dynalite/validations') as Validations;
  const store = db.create(dynaliteStoreOptions(options.path));
  const actions = new Map<string, { action: Action; validation: ActionValidation }>();
  for (const operation of OPERATIONS) {
    const name = validations.toLowerFirst(operation);
    actions.set(operation, {
      action: require(`dynalite/actions/${name}`) as Action,
      validation: require(`dynalite/validations/${name}`) as ActionValidation,
    });
  }
  return {
    call(operation, request) {
      const entry = actions.get(operation);
      if (!entry) return Promise.reject(new Error(`The in-process DynamoDB does not answer ${operation}`));
      return new Promise((resolve, reject) => {
        try {
          // JSON round trip: what the SDK would have put on the wire (no undefined members, Uint8Array as base64).
          const data = validations.checkTypes(JSON.parse(JSON.stringify(request)), entry.validation.types);
          validations.checkValidations(data, entry.validation.types, entry.validation.custom, store);
          entry.action(store, data, (error, output) => (error ? reject(toSdkError(error)) : resolve(output ?? {})));
        } catch (error) {
          reject(toSdkError(error));
        }
      });
    },
    close: () => new Promise<void>((resolve, reject) => store.db.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** dynalite's `{ statusCode, body: { __type, message } }` as the exception the SDK would have thrown. */
function toSdkError(error: unknown): Error {
  const body = (error as { body?: { __type?: string; message?: string; Message?: string } }).body;
  if (!body?.__type) return error instanceof Error ? error : new Error(String(error));
  const name = body.__type.split('#').pop() ?? 'DynamoDBServiceException';
  const message = body.message ?? body.Message ?? name;
  const statusCode = (error as { statusCode?: number }).statusCode ?? 400;
  const metadata = { httpStatusCode: statusCode };
  const Exception = (DynamoDB as unknown as Record<string, unknown>)[name];
  if (typeof Exception === 'function' && Exception.prototype instanceof DynamoDB.DynamoDBServiceException) {
    const Ctor = Exception as new (options: { message: string; $metadata: object }) => Error;
    return new Ctor({ message, $metadata: metadata });
  }
  return new DynamoDB.DynamoDBServiceException({
    name,
    $fault: statusCode >= 500 ? 'server' : 'client',
    message,
    $metadata: metadata,
  });
}

/** Output members holding items (AttributeValue maps) that the document client unmarshalls. */
const ITEM_MEMBERS = ['Item', 'Attributes', 'LastEvaluatedKey'] as const;

/**
 * Serves every command of a document client from `engine`, in-process: a middleware placed right after the
 * document client's marshalling receives the DynamoDB JSON request and answers it, skipping serialization, signing
 * and HTTP; items in the answer are unmarshalled as the document client would (numbers as JS numbers).
 */
export function serveDocumentClientInProcess(client: DynamoDBDocumentClient, engine: DynamoEngine): void {
  type Middleware = Parameters<DynamoDBDocumentClient['middlewareStack']['addRelativeTo']>[0];
  const answer =
    (_next: unknown, context: { commandName?: string }) =>
    async (args: { input: unknown }): Promise<{ output: unknown; response: unknown }> => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const output = await engine.call(operation, args.input as Record<string, unknown>);
      const document: Record<string, unknown> = { ...output, $metadata: { httpStatusCode: 200 } };
      for (const member of ITEM_MEMBERS) {
        if (output[member]) document[member] = unmarshall(output[member] as Record<string, DynamoDB.AttributeValue>);
      }
      if (Array.isArray(output.Items)) {
        document.Items = (output.Items as Record<string, DynamoDB.AttributeValue>[]).map((item) => unmarshall(item));
      }
      return { output: document, response: {} };
    };
  // The stack's middleware type is generic over every command's input and output: this one answers them all.
  client.middlewareStack.addRelativeTo(answer as unknown as Middleware, {
    name: 'localInProcessDynamo',
    relation: 'after',
    toMiddleware: 'DocumentMarshall',
  });
}
