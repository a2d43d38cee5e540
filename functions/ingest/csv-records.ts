import { CsvRecordReader, type CsvRow } from './csv-record-reader';
import type { ParsedRecord } from './parsed-record';

const BLANK = /^\s*$/;

/**
 * Reads CSV records (header row first) out of text chunks whose line ends are LF. Header names are trimmed and become
 * the record keys; the delimiter is `,` or, for a header with semicolons and no comma, `;`. Quoted fields may hold
 * delimiters, newlines and `""` (see CsvRecordReader). Blank lines are skipped; a row with the wrong number of
 * columns, a quoting error or an oversized record becomes an error entry for its line and reading goes on. A header
 * that cannot be read ends the file with one error, since no row could be mapped to columns.
 */
export async function* readCsvRecords(
  text: AsyncIterable<string>,
  maxRecordBytes: number,
): AsyncGenerator<ParsedRecord> {
  const source = text[Symbol.asyncIterator]();
  try {
    const head = await readHeaderLine(source, maxRecordBytes);
    if (head.chunks.length === 0) return;
    const reader = new CsvRecordReader(head.delimiter, maxRecordBytes);
    const table = new CsvTable();
    for (const chunk of head.chunks) {
      for (const piece of pieces(chunk)) {
        yield* table.take(reader.push(piece));
        if (table.stopped) return;
      }
    }
    for (let next = await source.next(); !next.done; next = await source.next()) {
      for (const piece of pieces(next.value)) {
        yield* table.take(reader.push(piece));
        if (table.stopped) return;
      }
    }
    yield* table.take(reader.end());
  } finally {
    await source.return?.();
  }
}

/**
 * Text is fed to the reader in pieces of at most this many characters: the rows of a piece are split all at once and
 * held until the last one is taken, so a big chunk (S3 streams 64 KiB and more) would keep hundreds of rows alive
 * across garbage collections, promoting them to the old generation and making the heap grow along a big file.
 */
const PIECE_CHARS = 8192;

/** `text` in pieces of at most PIECE_CHARS, never cutting a surrogate pair (the reader counts UTF-8 bytes per piece). */
function* pieces(text: string): Generator<string> {
  let from = 0;
  while (text.length - from > PIECE_CHARS) {
    let to = from + PIECE_CHARS;
    const last = text.charCodeAt(to - 1);
    if (last >= 0xd800 && last <= 0xdbff) to--; // a high surrogate stays with its low half
    yield text.slice(from, to);
    from = to;
  }
  yield from === 0 ? text : text.slice(from);
}

/** Maps rows to records by the header (the first row); stops at a header that cannot be used. */
class CsvTable {
  private header: string[] | undefined;
  stopped = false;

  *take(rows: CsvRow[]): Generator<ParsedRecord> {
    for (const row of rows) {
      if (this.stopped) return;
      if (this.header === undefined) {
        if ('error' in row) {
          this.stopped = true;
          yield { line: row.line, error: `header ${row.error}` };
          return;
        }
        const header = row.fields.map((name) => name.trim());
        const duplicate = header.find((name, index) => name !== '' && header.indexOf(name) !== index);
        if (duplicate !== undefined) {
          this.stopped = true;
          yield { line: row.line, error: `the header names the column ${JSON.stringify(duplicate)} twice` };
          return;
        }
        this.header = header;
        continue;
      }
      if ('error' in row) {
        yield row;
        continue;
      }
      if (row.fields.length !== this.header.length) {
        const columns = row.fields.length === 1 ? '1 column' : `${row.fields.length} columns`;
        yield { line: row.line, error: `row has ${columns} but the header has ${this.header.length}` };
        continue;
      }
      yield { line: row.line, record: toObject(this.header, row.fields) };
    }
  }
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

function toObject(header: string[], record: string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const key = header[i];
    if (key) object[key] = record[i];
  }
  return object;
}
