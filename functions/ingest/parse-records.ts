import { readCsvRecords } from './csv-records';
import { decodeText, normalizeLineEndings } from './decode-text';
import { JsonArraySplitter } from './json-array-splitter';
import { JsonLinesSplitter } from './json-lines-splitter';
import { DEFAULT_MAX_RECORD_BYTES, type ParsedRecord } from './parsed-record';

export { DEFAULT_MAX_RECORD_BYTES, type ParsedRecord } from './parsed-record';

/** The file formats an invoice drop may use (docs/formats.md). */
export type InputFormat = 'csv' | 'json' | 'jsonl';

export interface ParseOptions {
  /** Largest record accepted, in bytes of UTF-8; a bigger one becomes an error entry and is skipped. @default 64 KiB */
  readonly maxRecordBytes?: number;
}

const FORMAT_BY_EXTENSION: Record<string, InputFormat> = { csv: 'csv', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl' };

/** The format of a file from its name or S3 key (`.csv`, `.json`, `.jsonl`, `.ndjson`, any case), or null. */
export function formatFromKey(key: string): InputFormat | null {
  const dot = key.lastIndexOf('.');
  if (dot === -1 || key.indexOf('/', dot) !== -1) return null;
  return FORMAT_BY_EXTENSION[key.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * Streams records out of a file body without loading it whole. `line` is the 1-based line where the record starts.
 * The body may arrive in chunks cut anywhere (bytes or text), in UTF-8 or (with its byte-order mark) UTF-16; line ends
 * may be LF, CRLF or CR. Invalid bytes become U+FFFD, which record validation refuses field by field. Problems with one
 * record (wrong column count, a quoting error, not an object, larger than `maxRecordBytes`, a bad JSON line) become
 * `{ line, error }` entries and reading goes on; a JSON array with a syntax error yields one error entry and ends
 * there. Bad input never throws; only errors reading the body itself are thrown.
 */
export async function* parseRecords(
  body: AsyncIterable<Uint8Array | string>,
  format: InputFormat,
  options: ParseOptions = {},
): AsyncGenerator<ParsedRecord> {
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const text = normalizeLineEndings(decodeText(body));
  switch (format) {
    case 'csv':
      yield* readCsvRecords(text, maxRecordBytes);
      return;
    case 'json':
      yield* split(text, new JsonArraySplitter(maxRecordBytes));
      return;
    case 'jsonl':
      yield* split(text, new JsonLinesSplitter(maxRecordBytes));
      return;
  }
}

interface Splitter {
  push(text: string): ParsedRecord[];
  end(): ParsedRecord[];
  readonly stopped?: boolean;
}

async function* split(text: AsyncIterable<string>, splitter: Splitter): AsyncGenerator<ParsedRecord> {
  for await (const chunk of text) {
    yield* splitter.push(chunk);
    if (splitter.stopped) return;
  }
  yield* splitter.end();
}
