import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeStateFile } from '../emulators/state-files';
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
  const state = readStateFile(file, RuntimeStateSchema, {
    kind: 'a local runtime state file',
    remedy: 'delete the data directory to start afresh',
  });
  if (state && Number.isNaN(Date.parse(state.clock))) throw new Error(`${file}: the saved clock is not an instant`);
  return state;
}

/** Writes the clock and the executions to the data directory (atomically). */
export function writeRuntimeState(dataDir: string, clock: Date, executions: readonly ExecutionRecord[]): void {
  const state = { clock: clock.toISOString(), executions };
  writeStateFile(dataDir, RUNTIME_STATE_FILE, `${JSON.stringify(state)}\n`);
}
