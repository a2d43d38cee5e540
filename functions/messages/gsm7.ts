/**
 * The GSM 03.38 default alphabet (7-bit) an SMS is sent in when every character of it belongs there: 160 characters
 * in one part, 153 per part when split. One character outside it sends the whole SMS as UCS-2: 70 characters in one
 * part, 67 per part — a 300-character SMS then costs 5 parts instead of 2.
 */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** The extension table: each of these takes two septets (an escape and the character). */
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

/** Characters outside the alphabet with a usual stand-in (typographic punctuation, other spaces). */
const STAND_INS: Readonly<Record<string, string>> = {
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\t': ' ',
  '–': '-',
  '—': '-',
  '‑': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '«': '"',
  '»': '"',
  '…': '...',
  '•': '-',
  ç: 'c',
  º: 'o',
  ª: 'a',
};

export function isGsm7Character(char: string): boolean {
  return GSM7_BASIC.has(char) || GSM7_EXTENDED.has(char);
}

/**
 * The text in the GSM-7 alphabet, as SMS to debtors are sent (cost: 2 parts for up to 306 characters instead of 5):
 * characters of the alphabet stay (é, ñ, ü, Ç…), typographic punctuation and other spaces get their plain stand-in,
 * accented letters lose the accent the alphabet lacks (ã → a, ç → c, í → i, ê → e), anything else becomes `?`.
 * Plain ASCII text comes back unchanged.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (isGsm7Character(char)) out += char;
    else if (STAND_INS[char] !== undefined) out += STAND_INS[char];
    else out += foldAccent(char);
  }
  return out;
}

function foldAccent(char: string): string {
  const base = char.normalize('NFD').replace(/\p{M}+/gu, '');
  return base !== '' && [...base].every(isGsm7Character) ? base : '?';
}

/** How many SMS parts a text is sent in (GSM-7 when it fits the alphabet, else UCS-2 counted in UTF-16 units). */
export function smsParts(text: string): number {
  const chars = [...text];
  if (chars.every(isGsm7Character)) {
    const septets = chars.reduce((n, c) => n + (GSM7_EXTENDED.has(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}
