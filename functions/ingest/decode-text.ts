/**
 * Turns a file body (bytes or text chunks, split anywhere) into text chunks: UTF-8 decoded in streaming mode so a
 * character split across chunks survives, invalid bytes replaced with U+FFFD instead of failing, and a leading
 * byte-order mark dropped.
 */
export async function* decodeText(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
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
      // Finish any multi-byte character left over from earlier byte chunks before switching to text.
      const pending = decoder.decode();
      text = pending + chunk;
    } else {
      text = decoder.decode(chunk, { stream: true });
    }
    const out = emit(text);
    if (out.length > 0) yield out;
  }
  const rest = emit(decoder.decode());
  if (rest.length > 0) yield rest;
}
