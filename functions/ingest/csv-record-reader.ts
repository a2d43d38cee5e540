import { recordTooLargeMessage } from './parsed-record';

/** One CSV record split into its fields, or why the record starting at that line could not be read. */
export type CsvRow = { line: number; fields: string[] } | { line: number; error: string };

const NEWLINE = 10;
const QUOTE = 34;
const BLANK = /^\s*$/;

/** Text still to scan, from an index on (part of a malformed record is read again this way). */
interface Work {
  readonly text: string;
  readonly from: number;
}

/**
 * Reads CSV records out of text chunks cut anywhere (line ends already normalised to LF), holding at most
 * `maxRecordBytes` of one record. Quoting follows RFC 4180 as spreadsheets write it: a quote opens a field only at
 * the field's start, `""` inside a quoted field is a quote, and a quoted field may hold delimiters and newlines.
 * A quote inside an unquoted field is an ordinary character (Excel reads `27" screen` that way).
 *
 * One bad record never costs the records around it. A record is malformed when text follows a closing quote
 * (`"a"b`), when a quoted field is never closed, or when it goes over the limit although its first line fits (a
 * closing quote is missing). A malformed record spanning several lines is most likely a stray quote that swallowed
 * the lines after it: only its first line is reported and reading resumes at its second line. A single-line one is
 * reported whole. A record whose first line alone is over the limit is reported as too large and skipped to its end.
 * All of this depends only on the text, never on where the chunks were cut.
 */
export class CsvRecordReader {
  private readonly delimiter: number;
  /** Line of the next character (1-based). */
  private line = 1;
  private inQuotes = false;
  /** A quote seen inside a quoted field: it closes the field unless the next character is another quote. */
  private quotePending = false;
  private atFieldStart = true;
  // The record being read: text held from earlier chunks, then text[start, …) of the text being scanned.
  private recordLine = 1;
  private held: string[] = [];
  private heldBytes = 0;
  private start = 0;
  /** UTF-8 bytes of text[start, counted), counted lazily (only when the record might be near the limit). */
  private pendingBytes = 0;
  private counted = 0;
  /** The record's first line alone is over the limit: it is skipped to its end and nothing of it is kept. */
  private oversized = false;

  constructor(
    delimiter: ',' | ';',
    private readonly maxRecordBytes: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds a text chunk; returns the records (and errors) it completed, in order. */
  push(text: string): CsvRow[] {
    const out: CsvRow[] = [];
    this.run([{ text, from: 0 }], out);
    return out;
  }

  /** Signals the end of the input; returns the last records (the one without a final newline) or their errors. */
  end(): CsvRow[] {
    const out: CsvRow[] = [];
    // Re-read text may end inside a record again: repeat until nothing is held.
    while (this.oversized || this.held.length > 0) {
      if (this.oversized) {
        out.push({ line: this.recordLine, error: recordTooLargeMessage(this.maxRecordBytes) });
        this.startRecord(0);
        break;
      }
      const record = this.takeRecord('', 0);
      const unclosed = this.inQuotes && !this.quotePending;
      const reread = unclosed
        ? this.malformed(record, 'the quoted field opened on this line is never closed', out)
        : this.complete(record, out);
      this.startRecord(0);
      if (reread !== undefined) this.run([reread], out);
    }
    return out;
  }

  private run(work: Work[], out: CsvRow[]): void {
    for (let item = work.pop(); item !== undefined; item = work.pop()) this.scan(item, work, out);
  }

  /** Scans `item`; when part of a record must be read again it queues that part, then the rest of `item`, and stops. */
  private scan(item: Work, work: Work[], out: CsvRow[]): void {
    const { text } = item;
    this.start = item.from;
    this.counted = item.from;
    this.pendingBytes = 0;
    for (let i = item.from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === QUOTE) continue; // "" is an escaped quote
          this.inQuotes = false; // the quote closed the field: c is read as unquoted
        } else {
          if (c === QUOTE) this.quotePending = true;
          else if (c === NEWLINE && this.lineEnded(text, i + 1, work, out)) return;
          continue;
        }
      }
      if (c === NEWLINE) {
        if (this.lineEnded(text, i + 1, work, out)) return;
        if (this.oversized) {
          out.push({ line: this.recordLine, error: recordTooLargeMessage(this.maxRecordBytes) });
          this.startRecord(i + 1);
          continue;
        }
        const reread = this.complete(this.takeRecord(text, i), out);
        this.startRecord(i + 1);
        if (reread !== undefined) {
          work.push({ text, from: i + 1 }, reread);
          return;
        }
        continue;
      }
      if (c === this.delimiter) {
        this.atFieldStart = true;
        continue;
      }
      if (c === QUOTE && this.atFieldStart) this.inQuotes = true;
      this.atFieldStart = false;
    }
    // The unfinished record is held for the next chunk (nothing is kept of an oversized one).
    if (this.oversized || this.start >= text.length) return;
    if (this.overLimit(text, text.length)) {
      const reread = this.tooLarge(text, text.length, out);
      if (reread !== undefined) work.push(reread);
      return;
    }
    this.heldBytes += this.pendingBytes + Buffer.byteLength(text.slice(this.counted), 'utf8');
    this.held.push(text.slice(this.start));
  }

  /**
   * A newline ended a line of the record just before `next` (inside a quoted field or not): counts the line and checks
   * the record's size so far. True when part of the record must be read again: it is queued, after the rest of `text`,
   * and the scan stops.
   */
  private lineEnded(text: string, next: number, work: Work[], out: CsvRow[]): boolean {
    this.line++;
    if (this.oversized || !this.overLimit(text, next)) return false;
    const reread = this.tooLarge(text, next, out);
    if (reread === undefined) return false;
    work.push({ text, from: next }, reread);
    return true;
  }

  /** Whether held text plus text[start, to) is over the limit; counts bytes only when it might be. */
  private overLimit(text: string, to: number): boolean {
    const room = this.maxRecordBytes - this.heldBytes - this.pendingBytes;
    if ((to - this.counted) * 3 <= room) return false; // a UTF-16 unit is at most 3 bytes of UTF-8
    this.pendingBytes += Buffer.byteLength(text.slice(this.counted, to), 'utf8');
    this.counted = to;
    return this.heldBytes + this.pendingBytes > this.maxRecordBytes;
  }

  /**
   * The record so far (held text plus text[start, to)) is over the limit. If its first line fits, a closing quote is
   * missing: the first line is reported and the text after it is returned to be read again. Otherwise the record is
   * dropped and skipped to its end (`oversized`).
   */
  private tooLarge(text: string, to: number, out: CsvRow[]): Work | undefined {
    const record = this.takeRecord(text, to);
    const firstNewline = record.indexOf('\n');
    const firstLineFits =
      firstNewline !== -1 && Buffer.byteLength(record.slice(0, firstNewline + 1), 'utf8') <= this.maxRecordBytes;
    if (!firstLineFits) {
      this.oversized = true;
      return undefined;
    }
    const line = this.recordLine;
    out.push({
      line,
      error: `CSV syntax error: the quoted field opened on this line is not closed within ${sizeOf(this.maxRecordBytes)} (is a closing quote missing?)`,
    });
    this.restartAt(line + 1);
    return { text: record.slice(firstNewline + 1), from: 0 };
  }

  /** A complete record (without its final newline): yields its fields, or reports it as malformed. */
  private complete(record: string, out: CsvRow[]): Work | undefined {
    const split = splitRecord(record, this.delimiter);
    if ('error' in split) return this.malformed(record, split.error, out);
    if (!split.fields.every((field) => BLANK.test(field))) out.push({ line: this.recordLine, fields: split.fields });
    return undefined;
  }

  /**
   * Reports a malformed record. One spanning several lines is reported on its first line only, and the lines after it
   * are returned to be read again, as if the first line had ended outside any quote; a single-line one is reported whole.
   */
  private malformed(record: string, reason: string, out: CsvRow[]): Work | undefined {
    const line = this.recordLine;
    out.push({ line, error: `CSV syntax error: ${reason}` });
    const firstNewline = record.indexOf('\n');
    if (firstNewline === -1) return undefined;
    this.restartAt(line + 1);
    return { text: `${record.slice(firstNewline + 1)}\n`, from: 0 };
  }

  /** Held text plus text[start, to); the record's held text is released. */
  private takeRecord(text: string, to: number): string {
    const tail = text.slice(this.start, to);
    const record = this.held.length > 0 ? this.held.join('') + tail : tail;
    this.held = [];
    this.heldBytes = 0;
    return record;
  }

  /** Starts over, outside any record, at `line` (the next text scanned begins that line). */
  private restartAt(line: number): void {
    this.line = line;
    this.startRecord(0);
  }

  private startRecord(at: number): void {
    this.recordLine = this.line;
    this.held = [];
    this.heldBytes = 0;
    this.start = at;
    this.counted = at;
    this.pendingBytes = 0;
    this.oversized = false;
    this.inQuotes = false;
    this.quotePending = false;
    this.atFieldStart = true;
  }
}

/**
 * Splits one complete record into fields. The reader ended the record outside any quote, so the only defect left to
 * find is text between a closing quote and the next delimiter.
 */
function splitRecord(record: string, delimiter: number): { fields: string[] } | { error: string } {
  const separator = String.fromCharCode(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (record.charCodeAt(i) !== QUOTE) {
      const next = record.indexOf(separator, i);
      fields.push(record.slice(i, next === -1 ? record.length : next));
      if (next === -1) return { fields };
      i = next + 1;
      continue;
    }
    const parts: string[] = [];
    let from = i + 1;
    for (;;) {
      const close = record.indexOf('"', from);
      if (close === -1) return { error: 'the quoted field opened on this line is never closed' };
      parts.push(record.slice(from, close));
      if (record.charCodeAt(close + 1) !== QUOTE) {
        i = close + 1;
        break;
      }
      parts.push('"');
      from = close + 2;
    }
    fields.push(parts.join(''));
    if (i === record.length) return { fields };
    if (record.charCodeAt(i) !== delimiter) {
      return { error: `unexpected text after the closing quote of column ${fields.length}` };
    }
    i++;
  }
}

function sizeOf(maxRecordBytes: number): string {
  return maxRecordBytes % 1024 === 0 ? `${maxRecordBytes / 1024} KiB` : `${maxRecordBytes} bytes`;
}
