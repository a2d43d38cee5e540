import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExecutionRecord } from '../stepfunctions/workflow-runtime';

/**
 * The runtime's own state in a data directory — the virtual clock and the executions — so a restart of the local
 * system loses nothing: read at start, written (atomically) by the background loop and at stop.
 */

/** Where the runtime's own state (virtual clock, executions) is kept in the data directory. */
export const RUNTIME_STATE_FILE = 'runtime.json';

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

/** The state saved in a data directory, as read back. */
export type RuntimeState = z.infer<typeof RuntimeStateSchema>;

/** The state a data directory holds (undefined when it holds none); throws when the file is not one. */
export function readRuntimeState(dataDir: string): RuntimeState | undefined {
  const file = join(dataDir, RUNTIME_STATE_FILE);
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

/** Writes the clock and the executions to the data directory (atomically). */
export function writeRuntimeState(dataDir: string, clock: Date, executions: readonly ExecutionRecord[]): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, RUNTIME_STATE_FILE);
  const state = { clock: clock.toISOString(), executions };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
  renameSync(`${file}.tmp`, file);
}
