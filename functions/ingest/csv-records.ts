import { Readable } from 'node:stream';
import { CsvError, type Info, parse } from 'csv-parse';
import { CsvRecordGuard } from './csv-record-guard';
import type { ParsedRecord } from './parsed-record';

const BLANK = /^\s*$/;

/**
 * Reads CSV records (header row first) out of text chunks with csv-parse's stream API. Header names are trimmed
 * and become the record keys; the delimiter is `,` or, for a header with semicolons and no comma, `;`. Quoted
 * fields may hold delimiters, newlines and `""`. Blank lines are skipped; a row with the wrong number of columns,
 * a quoting error or an oversized record becomes an error entry for its line and reading goes on.
 */
export async function* readCsvRecords(
  text: AsyncIterable<string>,
  maxRecordBytes: number,
): AsyncGenerator<ParsedRecord> {
  const source = text[Symbol.asyncIterator]();
  const head = await readHeaderLine(source, maxRecordBytes);
  if (head.chunks.length === 0) return;
  const guard = new CsvRecordGuard(head.delimiter, maxRecordBytes);
  const errors = guard.errors; // guard and parser errors, merged into the output by line

  const parser = parse({
    delimiter: head.delimiter,
    record_delimiter: '\n', // the guard has dropped every carriage return
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) errors.push({ line: lineOf(error, guard.currentLine), error: csvErrorMessage(error) });
      return undefined;
    },
  });
  const guarded = Readable.from(guardText(head.chunks, source, guard), { objectMode: false });
  // A failure reading the body reaches the loop below through the parser, and is thrown from there.
  guarded.on('error', (error) => parser.destroy(error));
  guarded.pipe(parser);

  let header: string[] | undefined;
  let lastLine = 1;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      const line = info.lines - newlinesIn(record);
      lastLine = info.lines;
      yield* takeErrorsBefore(errors, line);
      if (record.every((field) => BLANK.test(field))) continue;
      if (header === undefined) {
        header = record.map((name) => name.trim());
        const duplicate = header.find((name, index) => name !== '' && header?.indexOf(name) !== index);
        if (duplicate !== undefined) {
          yield { line, error: `the header names the column ${JSON.stringify(duplicate)} twice` };
          return;
        }
        continue;
      }
      if (record.length !== header.length) {
        const columns = record.length === 1 ? '1 column' : `${record.length} columns`;
        yield { line, error: `row has ${columns} but the header has ${header.length}` };
        continue;
      }
      yield { line, record: toObject(header, record) };
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    yield* takeErrorsBefore(errors, Number.POSITIVE_INFINITY);
    yield { line: lineOf(error, lastLine), error: csvErrorMessage(error) };
    return;
  } finally {
    guarded.destroy();
    parser.destroy();
  }
  yield* takeErrorsBefore(errors, Number.POSITIVE_INFINITY);
}

/**
 * Reads chunks until the first line with content is complete (or the limit is passed) and picks the delimiter from
 * it. Linear in the text read, whatever the chunk sizes: only the comma/semicolon flags of the line are kept.
 */
async function readHeaderLine(
  source: AsyncIterator<string>,
  maxRecordBytes: number,
): Promise<{ chunks: string[]; delimiter: ',' | ';' }> {
  const chunks: string[] = [];
  let seen = 0;
  let line = { content: false, comma: false, semicolon: false };
  const delimiterOf = (): ',' | ';' => (!line.comma && line.semicolon ? ';' : ',');
  for (;;) {
    const next = await source.next();
    if (next.done) return { chunks, delimiter: delimiterOf() };
    const text = next.value;
    chunks.push(text);
    seen += text.length;
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const segment = text.slice(start, newline === -1 ? text.length : newline);
      line = {
        content: line.content || !BLANK.test(segment),
        comma: line.comma || segment.includes(','),
        semicolon: line.semicolon || segment.includes(';'),
      };
      if (newline === -1) break;
      if (line.content) return { chunks, delimiter: delimiterOf() };
      line = { content: false, comma: false, semicolon: false };
      start = newline + 1;
    }
    if (seen > maxRecordBytes) return { chunks, delimiter: delimiterOf() };
  }
}

async function* guardText(first: string[], rest: AsyncIterator<string>, guard: CsvRecordGuard): AsyncGenerator<string> {
  try {
    for (const chunk of first) {
      const out = guard.push(chunk);
      if (out.length > 0) yield out;
    }
    for (let next = await rest.next(); !next.done && !guard.stopped; next = await rest.next()) {
      const out = guard.push(next.value);
      if (out.length > 0) yield out;
    }
    const last = guard.end();
    if (last.length > 0) yield last;
  } finally {
    await rest.return?.();
  }
}

/** Removes from `errors` and yields, in line order, those that belong before `line`. */
function* takeErrorsBefore(errors: ParsedRecord[], line: number): Generator<ParsedRecord> {
  if (errors.length === 0) return;
  const due = errors.filter((e) => e.line < line).sort((a, b) => a.line - b.line);
  if (due.length === 0) return;
  const kept = errors.filter((e) => e.line >= line);
  errors.splice(0, errors.length, ...kept);
  yield* due;
}

function lineOf(error: CsvError, fallback: number): number {
  return typeof error.lines === 'number' ? error.lines : fallback;
}

function newlinesIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count++;
  }
  return count;
}

function toObject(header: string[], record: string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const key = header[i];
    if (key) object[key] = record[i];
  }
  return object;
}

/** csv-parse's message for a report, without its "at line N" (the entry carries the line). */
function csvErrorMessage(error: Error): string {
  const message = error.message.replaceAll(/ (?:at|on) line \d+/g, '');
  return `CSV syntax error: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`;
}
