import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * The JSON state files the local system keeps in its data directory (the SMS endpoint's outbox and opt-outs, the
 * runtime's clock and executions): read back and checked against their schema, with a message saying what to do
 * when one is broken, and written atomically (a temporary file renamed), so a crash never leaves half a file.
 */

/** What a broken state file's messages say: what it should be, and how to start afresh. */
export interface StateFileKind {
  /** E.g. `a local runtime state file`: "<file> is not <kind>: <schema issues>". */
  readonly kind: string;
  /** E.g. `delete the data directory to start afresh`: "<file> is not valid JSON (<remedy>)". */
  readonly remedy: string;
}

/** The file's content checked against `schema`, or undefined when there is no such file. Throws when it is broken. */
export function readStateFile<T>(file: string, schema: z.ZodType<T>, what: StateFileKind): T | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${what.remedy})`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not ${what.kind}: ${parsed.error.message}`);
  return parsed.data;
}

/** Writes `text` to `<dir>/<fileName>` atomically (the directory made if need be). */
export function writeStateFile(dir: string, fileName: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, fileName);
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
