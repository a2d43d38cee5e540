import { jsonErrorMessage, objectRecord, type ParsedRecord, RecordText, recordTooLargeMessage } from './parsed-record';

const BLANK = /^\s*$/;

/**
 * Splits JSON Lines text, fed as chunks cut anywhere, into one record per non-blank line (LF; CRLF and CR were made
 * LF before). A byte-order mark opening a line is ignored. A line that
 * is not a JSON object, or is larger than `maxRecordBytes` (skipped without being buffered), becomes an error entry
 * and the next line is read as usual.
 */
export class JsonLinesSplitter {
  private line = 1;
  private readonly text: RecordText;

  constructor(private readonly maxRecordBytes: number) {
    this.text = new RecordText(maxRecordBytes);
  }

  /** Feeds the next text chunk; returns the records (and errors) of the lines it completed. */
  push(text: string): ParsedRecord[] {
    const out: ParsedRecord[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.text.append(text.slice(start, newline));
      this.finishLine(out);
      start = newline + 1;
    }
    this.text.append(text.slice(start));
    return out;
  }

  /** Signals the end of the input; returns the record of a last line without a newline, if any. */
  end(): ParsedRecord[] {
    const out: ParsedRecord[] = [];
    this.finishLine(out);
    return out;
  }

  private finishLine(out: ParsedRecord[]): void {
    const line = this.line++;
    const joined = this.text.take();
    if (joined === undefined) {
      out.push({ line, error: recordTooLargeMessage(this.maxRecordBytes) });
      return;
    }
    // Files joined with `cat` keep each part's byte-order mark at the start of a line: it is not part of the JSON.
    const text = joined.charCodeAt(0) === 0xfeff ? joined.slice(1) : joined;
    if (BLANK.test(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      out.push({ line, error: `not valid JSON: ${jsonErrorMessage(error)}` });
      return;
    }
    out.push(objectRecord(line, value));
  }
}
