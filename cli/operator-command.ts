import { createReadStream, readFileSync } from 'node:fs';
import { formatFromKey, parseRecords } from '../functions/ingest/parse-records';
import { type ApiAnswer, ApiClient, ApiNotFound, type ClientDeps, type ResolveDeps, resolveApi } from './api-client';
import {
  type ApiRequest,
  customerUpdateRequest,
  describeAnswer,
  describeError,
  OPERATOR_USAGE,
  requestFor,
  submitRequests,
  TOKEN_ENV,
  tokenProblem,
} from './operator';
import { parseOperatorArgs } from './operator-args';

/** Where the CLI writes: answers to `out`, problems to `err`. */
export interface OperatorIo {
  out(text: string): void;
  err(text: string): void;
}

export type OperatorDeps = ResolveDeps & ClientDeps;

/**
 * `dunning invoices submit | invoice … | history …`: parses the arguments, finds the API (the local system, a URL,
 * or a deployed stack), sends the request(s) and prints the answer. Returns the exit status: 0 done, 1 the API
 * refused or could not be reached, 2 invalid arguments (or, for submit, rows the API rejected).
 */
export async function operatorCommand(
  argv: readonly string[],
  io: OperatorIo,
  deps: OperatorDeps = {},
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${OPERATOR_USAGE}\n`);
    return 0;
  }
  const parsed = parseOperatorArgs(argv);
  if ('problems' in parsed) {
    io.err(`${parsed.problems.join('\n')}\n\n${OPERATOR_USAGE}\n`);
    return 2;
  }
  // --token, else DUNNING_API_TOKEN: a Cognito JWT sent as Authorization (and no SigV4)
  const fromEnv = parsed.token === undefined ? (deps.env ?? process.env)[TOKEN_ENV]?.trim() || undefined : undefined;
  const envProblem = fromEnv === undefined ? undefined : tokenProblem(fromEnv, TOKEN_ENV);
  if (envProblem) {
    io.err(`${envProblem}\n`);
    return 2;
  }
  const token = parsed.token ?? fromEnv;
  let client: ApiClient;
  try {
    client = new ApiClient(await resolveApi(parsed.target, deps), { ...deps, ...(token ? { token } : {}) });
  } catch (error) {
    if (!(error instanceof ApiNotFound)) throw error;
    io.err(`${error.message}\n`);
    return 2;
  }
  const { command } = parsed;
  try {
    if (command.kind === 'submit') return await submit(command.file, client, parsed.json, io);
    let request: ApiRequest;
    if (command.kind === 'customer-update') {
      const details = readJsonObject(command.file, io);
      if (details === undefined) return 2;
      request = customerUpdateRequest(command.customerId, details);
    } else {
      request = requestFor(command);
    }
    const answer = await client.send(request);
    if (answer.status >= 300) {
      io.err(`${describeError(answer.status, answer.body)}\n`);
      return 1;
    }
    io.out(`${parsed.json ? JSON.stringify(answer.body, null, 2) : describeAnswer(command, answer.body)}\n`);
    return 0;
  } catch (error) {
    io.err(`${unreachable(client, error)}\n`);
    return 1;
  }
}

/** The JSON object a file holds, or undefined with the problem written to `io` (missing file, not JSON, not an object). */
function readJsonObject(file: string, io: OperatorIo): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.err(`${cannotRead(file, error)}\n`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    io.err(`${file}: not valid JSON: ${(error as Error).message}\n`);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    io.err(`${file}: must hold one JSON object with the customer's fields (customerName, email, phone, …)\n`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** Why a file the command names cannot be read: `<file>: cannot be read: file not found` (or the system's reason). */
function cannotRead(file: string, error: unknown): string {
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
  return `${file}: cannot be read: ${reason}`;
}

function unreachable(client: ApiClient, error: unknown): string {
  const detail = (error as { cause?: { code?: string; message?: string } }).cause;
  const cause = detail?.code ?? detail?.message ?? (error as Error).message;
  const local = client.api.baseUrl.startsWith('http://127.0.0.1') || client.api.baseUrl.startsWith('http://localhost');
  return `cannot reach the API at ${client.api.baseUrl}: ${cause}${local ? ' (is `npm start` running?)' : ''}`;
}

interface SubmitSummary {
  registered: string[];
  duplicates: string[];
  rejected: { line: number; invoiceId?: string; details: { path: string; issue: string }[] }[];
  failed: { invoiceId: string; error: string }[];
}

/**
 * `invoices submit <file>`: reads a CSV / JSON array / JSON Lines file as the S3 drop does and posts its records in
 * batches of 500. Rows are validated by the API; rejected ones are listed as `file:line: field: issue`.
 */
async function submit(file: string, client: ApiClient, json: boolean, io: OperatorIo): Promise<number> {
  const format = formatFromKey(file);
  if (!format) {
    io.err(`${file}: unsupported file type: use .csv, .json or .jsonl\n`);
    return 2;
  }
  const summary: SubmitSummary = { registered: [], duplicates: [], rejected: [], failed: [] };
  let read: FileRecords;
  try {
    read = await readRecords(file, format, summary);
  } catch (error) {
    io.err(`${cannotRead(file, error)}\n`);
    return 2;
  }
  let offset = 0;
  for (const request of submitRequests(read.records)) {
    const answer = await client.send(request);
    if (!addBatchAnswer(answer, read.lines, offset, summary)) {
      io.err(`${describeError(answer.status, answer.body)}\n`);
      return 1;
    }
    offset += (request.body as unknown[]).length;
  }
  summary.rejected.sort((a, b) => a.line - b.line);
  printSubmitSummary(file, summary, json, io);
  if (summary.failed.length > 0) return 1;
  return summary.rejected.length > 0 ? 2 : 0;
}

/** The records of a file and the line each starts on. */
interface FileRecords {
  records: Record<string, unknown>[];
  lines: number[];
}

/** Reads the records of `file`; records that cannot be parsed go to `summary.rejected`. Throws when it cannot read. */
async function readRecords(
  file: string,
  format: NonNullable<ReturnType<typeof formatFromKey>>,
  summary: SubmitSummary,
): Promise<FileRecords> {
  const read: FileRecords = { records: [], lines: [] };
  for await (const parsed of parseRecords(createReadStream(file), format)) {
    if ('error' in parsed) {
      summary.rejected.push({ line: parsed.line, details: [{ path: '(record)', issue: parsed.error }] });
      continue;
    }
    read.records.push(parsed.record);
    read.lines.push(parsed.line);
  }
  return read;
}

/** The API's answer to one batch of `POST /invoices`. */
type BatchAnswer = Partial<SubmitSummary> & {
  rejected?: { index: number; invoiceId?: string; details: { path: string; issue: string }[] }[];
  error?: { details?: { path: string; issue: string }[] };
};

/**
 * Adds the answer to the batch starting at record `offset` to `summary` (lines of the file by `lines`); false when
 * the API refused the request (any status of 300 or more but 503, or a 400 that is not a list of invalid records).
 */
function addBatchAnswer(answer: ApiAnswer, lines: readonly number[], offset: number, summary: SubmitSummary): boolean {
  const body = answer.body as BatchAnswer;
  if (answer.status === 400 && body.error) {
    addInvalidBatch(body.error.details ?? [], lines, offset, summary);
    return true;
  }
  if (answer.status >= 300 && answer.status !== 503) return false;
  summary.registered.push(...(body.registered ?? []));
  summary.duplicates.push(...(body.duplicates ?? []));
  summary.failed.push(...(body.failed ?? []));
  for (const r of body.rejected ?? []) {
    summary.rejected.push({
      line: lines[offset + r.index] ?? 0,
      ...(r.invoiceId ? { invoiceId: r.invoiceId } : {}),
      details: r.details,
    });
  }
  return true;
}

/** No record of the batch was valid: the details name `[index].field`. */
function addInvalidBatch(
  details: readonly { path: string; issue: string }[],
  lines: readonly number[],
  offset: number,
  summary: SubmitSummary,
): void {
  for (const detail of details) {
    const match = /^\[(\d+)\]\.(.*)$/.exec(detail.path);
    const index = match ? Number(match[1]) : 0;
    summary.rejected.push({
      line: lines[offset + index] ?? 0,
      details: [{ path: match ? (match[2] as string) : detail.path, issue: detail.issue }],
    });
  }
}

/** The summary as JSON (`--json`), or as counts on `out` and one line per rejected field or failed invoice on `err`. */
function printSubmitSummary(file: string, summary: SubmitSummary, json: boolean, io: OperatorIo): void {
  if (json) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  io.out(
    `${file}: ${summary.registered.length} registered, ${summary.duplicates.length} already known, ` +
      `${summary.rejected.length} rejected, ${summary.failed.length} failed\n`,
  );
  for (const r of summary.rejected) {
    for (const d of r.details) io.err(`${file}:${r.line}: ${d.path}: ${d.issue}\n`);
  }
  for (const f of summary.failed) io.err(`${f.invoiceId}: ${f.error} (submit the file again to retry)\n`);
}
