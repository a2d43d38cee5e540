import { TextDecoder } from 'node:util';

/**
 * Turns a file body (bytes or text chunks, split anywhere) into text chunks, decoded in streaming mode so a character
 * split across chunks survives. The encoding is UTF-8 unless the file starts with a UTF-16 byte-order mark (Excel's
 * "Unicode text" export), and any byte-order mark is dropped. Invalid bytes become U+FFFD rather than failing the
 * whole file: the record validation refuses any field holding U+FFFD, so a damaged row is reported by line and field
 * and is never registered as mojibake, while the rows around it still are.
 */
export async function* decodeText(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let head: Uint8Array = new Uint8Array(0); // first bytes, kept until the byte-order mark can be read
  let atStart = true;
  const emit = (text: string): string => {
    if (atStart && text.length > 0) {
      atStart = false;
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
    return text;
  };
  for await (const chunk of body) {
    let text: string;
    if (typeof chunk === 'string') {
      // Finish any bytes left over from earlier byte chunks before switching to text.
      decoder ??= new TextDecoder('utf-8');
      text = (head.length > 0 ? decoder.decode(head, { stream: true }) : '') + decoder.decode() + chunk;
      head = new Uint8Array(0);
    } else if (decoder === undefined) {
      head = concat(head, chunk);
      if (head.length < 2) continue;
      decoder = new TextDecoder(encodingOf(head), { fatal: false, ignoreBOM: false });
      text = decoder.decode(head, { stream: true });
      head = new Uint8Array(0);
    } else {
      text = decoder.decode(chunk, { stream: true });
    }
    const out = emit(text);
    if (out.length > 0) yield out;
  }
  decoder ??= new TextDecoder('utf-8');
  const rest = emit((head.length > 0 ? decoder.decode(head, { stream: true }) : '') + decoder.decode());
  if (rest.length > 0) yield rest;
}

/** `utf-16le` / `utf-16be` for a body starting with that byte-order mark, else `utf-8`. */
function encodingOf(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Makes every line end with LF: CRLF (Windows) and a lone CR (classic Mac, Excel for Mac's "CSV") both become LF, also
 * when a CRLF is split across two chunks. Without it a CR-only file reads as one long line and yields no row at all.
 * JSON never holds a raw CR inside a string, so this changes no JSON value, only how lines are counted.
 */
export async function* normalizeLineEndings(text: AsyncIterable<string>): AsyncGenerator<string> {
  let pendingCr = false;
  for await (const chunk of text) {
    // A CR that ended the previous chunk was already passed on as LF: drop the LF that completes its CRLF.
    if (chunk.length === 0) continue;
    const piece = pendingCr && chunk.charCodeAt(0) === 10 ? chunk.slice(1) : chunk;
    pendingCr = chunk.endsWith('\r');
    if (piece.length === 0) continue;
    const out = piece.includes('\r') ? piece.replaceAll('\r\n', '\n').replaceAll('\r', '\n') : piece;
    yield out;
  }
}
