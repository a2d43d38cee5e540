/**
 * The child side of a bench script that bench/run.ts runs in its own Node process: the one `@@result {json}` line it
 * prints, and how it runs when started directly.
 */

/** What starts the line bench/run.ts reads a child's result from. */
export const RESULT_PREFIX = '@@result ';

/** Prints the script's result as its `@@result {json}` line. */
export function printResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * Runs `main` when the module at `moduleUrl` is the file Node was started with, then exits: 0, or 1 after printing
 * the error (what the run left open does not keep the process alive).
 */
export function runWhenStarted(moduleUrl: string, main: () => Promise<void>): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
