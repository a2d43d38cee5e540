/** One record read from a file, or why the record at that line could not be read. `line` is 1-based. */
export type ParsedRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

/** Default largest record: 64 KiB of UTF-8. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/** The error text for a record above the limit: `record is larger than 64 KiB`. */
export function recordTooLargeMessage(maxRecordBytes: number): string {
  const size = maxRecordBytes % 1024 === 0 ? `${maxRecordBytes / 1024} KiB` : `${maxRecordBytes} bytes`;
  return `record is larger than ${size}`;
}

/**
 * The text of the record being read, kept piece by piece while it stays within `maxRecordBytes` of UTF-8; past that
 * nothing more of it is kept (a record above the limit is skipped without being buffered).
 */
export class RecordText {
  private pieces: string[] = [];
  private bytes = 0;
  private oversized = false;

  constructor(private readonly maxRecordBytes: number) {}

  /** Keeps a piece of the record, unless the record outgrew the limit. */
  append(piece: string): void {
    if (this.oversized || piece.length === 0) return;
    this.bytes += Buffer.byteLength(piece, 'utf8');
    if (this.bytes > this.maxRecordBytes) {
      this.oversized = true;
      this.pieces = [];
    } else this.pieces.push(piece);
  }

  /** The record's text, or undefined when it outgrew the limit; the next record starts empty. */
  take(): string | undefined {
    const text = this.oversized
      ? undefined
      : this.pieces.length === 1
        ? (this.pieces[0] as string)
        : this.pieces.join('');
    this.pieces = [];
    this.bytes = 0;
    this.oversized = false;
    return text;
  }
}

/** True for a plain JSON object (the only shape an invoice record may have). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record of a JSON value read at `line`: the invoice object, or an error naming what the value is instead. */
export function objectRecord(line: number, value: unknown): ParsedRecord {
  return isJsonObject(value)
    ? { line, record: value }
    : { line, error: `expected an invoice object, got ${describeJsonValue(value)}` };
}

/** `an array`, `a number`, `null`…: how an unexpected JSON value is named in an error. */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** JSON.parse's message without its echo of the input (which can be long). */
export function jsonErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 160 ? `${message.slice(0, 160)}…` : message;
}
