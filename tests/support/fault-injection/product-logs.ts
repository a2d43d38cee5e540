/** The handlers' JSON log lines (e.g. "start failed, will retry" under throttling), counted instead of printed. */
export const productLogs = new Map<string, number>();
const consoleLog = console.log;
const consoleError = console.error;

/** Counts the handlers' log lines from now on; other lines are printed as before. */
export function captureProductLogs(): void {
  const capture =
    (print: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      const line = args[0];
      if (typeof line === 'string' && line.startsWith('{"level"')) {
        const { level, message } = JSON.parse(line) as { level: string; message: string };
        productLogs.set(`${level} ${message}`, (productLogs.get(`${level} ${message}`) ?? 0) + 1);
      } else print(...args);
    };
  console.log = capture(consoleLog);
  console.error = capture(consoleError);
}

/** Prints again everything logged. */
export function releaseProductLogs(): void {
  console.log = consoleLog;
  console.error = consoleError;
}
