import { isKnownCurrency, parseDecimalAmount } from '../../values/money';
import { asText, cachedTextCheck, type FieldCheck, quote } from './field-reader';
import { MAX_AMOUNT_LENGTH } from './limits';

/** Checks of money fields: the currency (ISO 4217) and the amount, read in the currency's minor units. */

export const checkCurrency = cachedTextCheck((currency) => {
  const code = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return { issue: `must be a 3-letter ISO 4217 code like "BRL", got ${quote(currency)}` };
  if (!isKnownCurrency(code)) return { issue: `unknown currency ${quote(currency)} (use an ISO 4217 code like "BRL")` };
  return { value: code };
});

const DECIMAL_SHAPE = /^\d+(?:\.\d+)?$/;

/** The amount check of each currency, made once (the currency was validated first, so there are few). */
const amountChecks = new Map<string | undefined, FieldCheck<number>>();

export function amountCheck(currency: string | undefined): FieldCheck<number> {
  let check = amountChecks.get(currency);
  if (check === undefined) {
    check = checkAmount(currency);
    amountChecks.set(currency, check);
  }
  return check;
}

/** Amount in minor units of `currency`; when the currency itself is invalid only the decimal shape is checked. */
function checkAmount(currency: string | undefined): FieldCheck<number> {
  return (value) => {
    let decimal: string;
    if (typeof value === 'number') {
      decimal = String(value);
      if (!Number.isFinite(value) || /e/i.test(decimal)) {
        return { issue: `must be a decimal string like "1234.50", got the number ${decimal}` };
      }
    } else {
      const text = asText(value);
      if ('issue' in text) return text;
      decimal = text.value;
    }
    if (decimal.length > MAX_AMOUNT_LENGTH) {
      return { issue: `is longer than ${MAX_AMOUNT_LENGTH} characters: ${quote(decimal)}` };
    }
    if (currency === undefined) {
      if (!DECIMAL_SHAPE.test(decimal)) {
        return { issue: `must be a positive decimal number like "1234.50", got ${quote(decimal)}` };
      }
      return /[1-9]/.test(decimal) ? { value: 0 } : { issue: 'must be greater than 0' };
    }
    const parsed = parseDecimalAmount(decimal, currency);
    if (!parsed.ok) return { issue: parsed.issue };
    if (parsed.minor <= 0) return { issue: `must be greater than 0, got ${quote(decimal)}` };
    return { value: parsed.minor };
  };
}
