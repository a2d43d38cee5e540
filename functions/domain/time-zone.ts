import { IANAZone } from 'luxon';

const zoneValidity = new Map<string, boolean>();

/** True for a valid IANA time zone name (luxon/Intl; cached, the check costs ~0.1 ms). */
export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size >= 10_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}
