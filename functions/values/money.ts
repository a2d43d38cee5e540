/**
 * Money is an integer number of minor units (cents) plus an ISO-4217 currency. Never a float.
 */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

const minorDigitsCache = new Map<string, number>();
let knownCurrencies: ReadonlySet<string> | undefined;

/** True when `code` is an ISO-4217 code this runtime knows (Intl's list). */
export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

/** Number of minor-unit digits of a currency (BRL 2, JPY 0, KWD 3). */
export function currencyMinorDigits(currency: string): number {
  const cached = minorDigitsCache.get(currency);
  if (cached !== undefined) return cached;
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  minorDigitsCache.set(currency, digits);
  return digits;
}

export type ParseAmountResult = { ok: true; minor: number } | { ok: false; issue: string };

/**
 * Parses a decimal string (`"1234.50"`, `"10"`) into minor units of `currency`, exactly (no float arithmetic).
 * Rejects negatives, exponents, thousands separators, more decimals than the currency has, and amounts above
 * Number.MAX_SAFE_INTEGER minor units.
 */
export function parseDecimalAmount(text: string, currency: string): ParseAmountResult {
  const trimmed = text.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(trimmed);
  if (!match) {
    return { ok: false, issue: `must be a positive decimal number like "1234.50", got "${truncate(trimmed)}"` };
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const digits = currencyMinorDigits(currency);
  if (fraction.length > digits) {
    return { ok: false, issue: `${currency} has ${digits} decimal places, got "${truncate(trimmed)}"` };
  }
  const digitsText = whole + fraction.padEnd(digits, '0');
  // Up to 15 digits is below 10^15 < Number.MAX_SAFE_INTEGER: Number reads it exactly, without a BigInt per amount.
  if (digitsText.length <= 15) return { ok: true, minor: Number(digitsText) };
  const minorText = digitsText.replace(/^0+(?=\d)/, '');
  const minor = BigInt(minorText);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, issue: 'is too large' };
  }
  return { ok: true, minor: Number(minor) };
}

/** Minor units back to a plain decimal string (`123450, BRL` -> `"1234.50"`). */
export function formatDecimalAmount(minor: number, currency: string): string {
  const digits = currencyMinorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  if (digits === 0) return sign + abs;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Intl number formats are costly to build (~50 µs) and immutable: one per locale, currency and style. */
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(key: string, build: () => Intl.NumberFormat): Intl.NumberFormat {
  let format = numberFormats.get(key);
  if (!format) {
    format = build();
    numberFormats.set(key, format);
  }
  return format;
}

/** Localised display (`R$ 1.234,50`), computed from the exact decimal string. */
export function formatMoney(money: Money, locale: string): string {
  const decimal = formatDecimalAmount(money.minor, money.currency);
  // Intl accepts decimal strings exactly (no float rounding) since ES2023.
  const format = numberFormat(
    `money|${locale}|${money.currency}`,
    () => new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }),
  );
  return format.format(decimal as unknown as number); // string input is exact in Intl.NumberFormat v3; the lib typing lags behind
}

/** Localised number without the currency (`1.234,50` in pt-BR), with the currency's minor digits, exactly. */
export function formatAmount(money: Money, locale: string): string {
  const digits = currencyMinorDigits(money.currency);
  const format = numberFormat(
    `amount|${locale}|${digits}`,
    () => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  );
  return format.format(formatDecimalAmount(money.minor, money.currency) as unknown as number); // exact decimal string
}

/** The sum of `amounts` per currency, in the order the currencies first appear (money of two currencies never adds). */
export function totalsByCurrency(amounts: readonly Money[]): Money[] {
  const totals = new Map<string, number>();
  for (const { minor, currency } of amounts) totals.set(currency, (totals.get(currency) ?? 0) + minor);
  return [...totals].map(([currency, minor]) => ({ minor, currency }));
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
