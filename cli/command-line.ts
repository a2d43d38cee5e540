import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * What the `dunning simulate` and `dunning check` commands share: where they write, and reading their flags the
 * same way (a flag error or `--help` prints the usage and ends the command with its exit status).
 */

/** Where a `dunning` command writes: its output (a timeline, a report) to `out`, progress and problems to `err`. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** The flags' values by name (no flag takes several values). */
export type FlagValues = Record<string, string | boolean | undefined>;

/** The flags naming the files both commands read: the billing rule, the invoices and the events. */
export const INPUT_FLAGS = {
  rule: { type: 'string' },
  invoices: { type: 'string' },
  events: { type: 'string' },
} as const;

/**
 * The flags of `argv` as `options` declares them (and `--help`, which every command takes), or the exit status when
 * the command ends here: 2 after printing the parse error and `usage` on `err`, 0 after printing `usage` on `out` for
 * `--help`.
 */
export function readFlags(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  io: CommandIo,
): FlagValues | number {
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', default: false } },
    }) as { values: FlagValues });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${usage}\n`);
    return 0;
  }
  return values;
}
