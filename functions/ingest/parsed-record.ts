/** One record read from a file, or why the record at that line could not be read. `line` is 1-based. */
export type ParsedRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

/** Default largest record: 64 KiB of UTF-8. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/** The error text for a record above the limit: `record is larger than 64 KiB`. */
export function recordTooLargeMessage(maxRecordBytes: number): string {
  const size = maxRecordBytes % 1024 === 0 ? `${maxRecordBytes / 1024} KiB` : `${maxRecordBytes} bytes`;
  return `record is larger than ${size}`;
}

/** True for a plain JSON object (the only shape an invoice record may have). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
