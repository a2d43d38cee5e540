import { type ParsedRecord, recordTooLargeMessage } from './parsed-record';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;

/**
 * Sits in front of the CSV parser and keeps every record it lets through under `maxRecordBytes`, without ever
 * holding more than that. It follows CSV quoting (a quote opens a field only at the field's start; `""` is an
 * escaped quote) to find where records end. A record over the limit is reported with its starting line and replaced
 * by as many bare newlines as it spanned, so the parser skips it as blank lines and its line count stays right.
 * An oversized header ends the file (`stopped`): no later row could be mapped to columns.
 *
 * Carriage returns are dropped from the text passed on (CRLF becomes LF, also inside quoted fields): csv-parse counts
 * each CR and each LF inside a quoted field as a line of its own, which would shift every later line number.
 */
export class CsvRecordGuard {
  private readonly delimiter: number;
  private line = 1;
  private inQuotes = false;
  private quoteInQuotes = false;
  private atFieldStart = true;
  // The record being read.
  private recordLine = 1;
  private recordHasContent = false;
  private recordNewlines = 0;
  private held: string[] = [];
  private heldBytes = 0;
  private oversized = false;
  private sawHeader = false;
  private halted = false;
  /** Errors found so far; the caller takes them (they must be merged with the parser's output by line). */
  readonly errors: ParsedRecord[] = [];

  constructor(
    delimiter: ',' | ';',
    private readonly maxRecordBytes: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The line the guard has read up to (1-based). */
  get currentLine(): number {
    return this.line;
  }

  /** True once an oversized header ended the file. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Feeds a text chunk; returns the text to pass on to the parser (complete records only). */
  push(text: string): string {
    if (this.halted) return '';
    const out: string[] = [];
    let passStart = 0; // start of this chunk's text not yet passed on or held
    let recordStart = 0; // where the current record starts in this chunk (0 when it started in an earlier one)
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (this.quoteInQuotes) {
          this.quoteInQuotes = false;
          if (c === QUOTE) continue; // "" is an escaped quote
          this.inQuotes = false; // the previous quote closed the field; read c as unquoted
        } else {
          if (c === QUOTE) this.quoteInQuotes = true;
          else if (c === NEWLINE) {
            this.line++;
            this.recordNewlines++;
          }
          continue;
        }
      }
      if (c === NEWLINE) {
        this.line++;
        this.recordNewlines++;
        if (!this.oversized && this.exceedsLimit(text, recordStart, i + 1)) this.markOversized();
        if (this.oversized) {
          out.push(text.slice(passStart, recordStart), '\n'.repeat(this.recordNewlines));
          passStart = i + 1;
          this.reportOversized();
          if (this.halted) return withoutCarriageReturns(out.join(''));
        } else if (this.held.length > 0) {
          out.push(...this.held);
        }
        this.sawHeader ||= this.recordHasContent;
        this.startRecord();
        recordStart = i + 1;
        continue;
      }
      if (c === CARRIAGE_RETURN) continue;
      this.recordHasContent = true;
      if (c === this.delimiter) {
        this.atFieldStart = true;
        continue;
      }
      if (c === QUOTE && this.atFieldStart) this.inQuotes = true;
      this.atFieldStart = false;
    }
    // Complete records are passed on; the unfinished one is held (or dropped when already too large).
    out.push(text.slice(passStart, recordStart));
    if (!this.oversized) {
      const rest = text.slice(recordStart);
      if (rest.length > 0) {
        this.heldBytes += Buffer.byteLength(rest, 'utf8');
        if (this.heldBytes > this.maxRecordBytes) this.markOversized();
        else this.held.push(rest);
      }
    }
    return withoutCarriageReturns(out.join(''));
  }

  /** Signals the end of the input; returns the last record's text (if it had no final newline). */
  end(): string {
    if (this.halted) return '';
    if (this.oversized) {
      this.reportOversized();
      return '';
    }
    const rest = this.held.join('');
    this.held = [];
    return withoutCarriageReturns(rest);
  }

  /** Whether held text plus `text[from, to)` is over the limit; counts bytes only when characters might be. */
  private exceedsLimit(text: string, from: number, to: number): boolean {
    const chars = to - from;
    if (this.heldBytes + chars * 3 <= this.maxRecordBytes) return false;
    return this.heldBytes + Buffer.byteLength(text.slice(from, to), 'utf8') > this.maxRecordBytes;
  }

  private markOversized(): void {
    this.oversized = true;
    this.held = [];
    this.heldBytes = 0;
  }

  private reportOversized(): void {
    const isHeader = !this.sawHeader;
    const message = recordTooLargeMessage(this.maxRecordBytes);
    this.errors.push({ line: this.recordLine, error: isHeader ? `header ${message}` : message });
    if (isHeader) this.halted = true;
  }

  private startRecord(): void {
    this.recordLine = this.line;
    this.recordHasContent = false;
    this.recordNewlines = 0;
    this.held = [];
    this.heldBytes = 0;
    this.oversized = false;
    this.atFieldStart = true;
  }
}

function withoutCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replaceAll('\r', '') : text;
}
