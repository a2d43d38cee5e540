import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { closeServer, listenOnLoopback } from './http-server';

/**
 * DynamoDB for the local system: dynalite over HTTP on 127.0.0.1, in memory or persisted in a LevelDB directory,
 * with tables becoming ACTIVE at once.
 */

/** The options of dynalite we use (the package ships no types). */
export interface DynaliteOptions {
  /** LevelDB directory; in memory when absent. */
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite is CommonJS whose export is the server factory: load it with require so every loader (tsx, vitest,
// plain node) sees the same function.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

/** A running DynamoDB emulator. */
export interface DynamoEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes the HTTP server and the LevelDB store (flushing it when persistent). */
  stop(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB over HTTP) on 127.0.0.1.
 * @param options.path LevelDB directory (created if missing): data survives a restart; in memory when undefined.
 * @param options.port port to listen on; 0 = any free port.
 */
export async function startDynamo(options: { path?: string; port?: number | undefined }): Promise<DynamoEmulator> {
  if (options.path !== undefined) mkdirSync(options.path, { recursive: true });
  const server = dynalite(dynaliteStoreOptions(options.path));
  const url = await listenOnLoopback(server, 'DynamoDB (dynalite)', options.port);
  return { url, stop: () => closeServer(server) };
}

/**
 * dynalite's store options, for its server and its engine alike: LevelDB in `path` (in memory when undefined), and
 * tables, indexes and updates ACTIVE at once instead of after dynalite's default 500 ms.
 */
export function dynaliteStoreOptions(path: string | undefined): DynaliteOptions {
  return {
    ...(path === undefined ? {} : { path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
}
