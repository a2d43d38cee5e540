import * as z from 'zod';
import { isValidTimeZone } from '../../calendar/time-zone';
import { isExactPercent } from '../../values/percent';

/** Schemas of single fields the billing rule's parts share: times, dates, zones, places, counts and percentages. */

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

export const TimeOfDay = z.string({ error: (i) => `must be HH:MM (24h), got ${show(i.input)}` }).regex(HHMM, {
  error: (i) => `must be HH:MM (24h), got ${show(i.input)}`,
});

function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return false;
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d;
}

export const IsoDate = z
  .string({ error: (i) => `must be a date YYYY-MM-DD, got ${show(i.input)}` })
  .regex(ISO_DATE, { error: (i) => `must be a date YYYY-MM-DD, got ${show(i.input)}` })
  .refine((date) => !ISO_DATE.test(date) || isRealDate(date), { error: (i) => `not a real date: ${show(i.input)}` });

export const TimeZone = z
  .string({ error: (i) => `must be an IANA time zone like "America/Sao_Paulo", got ${show(i.input)}` })
  .refine(isValidTimeZone, {
    error: (i) => `must be an IANA time zone like "America/Sao_Paulo", got ${show(i.input)}`,
  });

export const wholeNumber = (what: string, min: number, max: number) =>
  z
    .int({ error: `must be a whole number of ${what} from ${min} to ${max}` })
    .min(min)
    .max(max);

export const percent = (max: number) => {
  const message = `must be a percentage from 0 to ${max} with at most 4 decimal places, e.g. 2 or 0.033`;
  return z.number({ error: message }).refine((value) => isExactPercent(value) && value <= max, { error: message });
};

export const CountrySchema = z
  .string({ error: (i) => `must be an ISO 3166 alpha-2 code like "BR", got ${show(i.input)}` })
  .regex(/^[A-Z]{2}$/, {
    error: (i) => `must be an ISO 3166 alpha-2 code like "BR" (uppercase), got ${show(i.input)}`,
  });

export const RegionSchema = z
  .string({ error: (i) => `must be a region code like "SP", got ${show(i.input)}` })
  .regex(/^[A-Za-z0-9]{1,10}$/, { error: (i) => `must be a region code like "SP", got ${show(i.input)}` });
