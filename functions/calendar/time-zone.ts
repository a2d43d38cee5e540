import { timeZone } from './zoned-time';

/** True for a valid IANA time zone name (Intl knows it; cached, the first check of a name costs ~0.1 ms). */
export function isValidTimeZone(zone: string): boolean {
  return timeZone(zone) !== undefined;
}
