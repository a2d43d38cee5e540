// Control characters (C0, DEL, C1), line/paragraph separators and bidirectional overrides: anything that could
// start a new line or disguise the text around it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LINE_BREAKING_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/**
 * A supplied value made safe for a one-line slot of a text body, SMS or subject: control characters and line
 * breaks collapse into single spaces, runs of spaces shrink to one, and the ends are trimmed — so a customer
 * name cannot add lines (or headers) to a message.
 */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKING_OR_CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}
