import { holidayTable } from './holiday-table';

/** A country (ISO 3166-1 alpha-2) and optionally a region (state) within it, whose public holidays close contact. */
export interface HolidayArea {
  readonly country: string;
  readonly region?: string | undefined;
}

/** True when the holiday table (generated from date-holidays) has public-holiday data for the country (`"BR"`). */
export function hasHolidayData(country: string): boolean {
  return holidayTable().hasCountry(country);
}

/** The region (state) codes the holiday table knows for a country (`SP`, `RJ`, … for BR), empty when it has none. */
export function holidayRegionsOf(country: string): readonly string[] {
  return holidayTable().statesOf(country);
}

/**
 * The holiday area of a person's address as far as the holiday data knows it: the country upper-cased, the region
 * matched case-insensitively and without its country prefix (`br-sp` → `SP`). Undefined for a missing country or one without
 * holiday data; a region the data does not know is dropped (the country's national holidays still apply).
 */
export function knownHolidayArea(country: string | undefined, region: string | undefined): HolidayArea | undefined {
  const code = country?.trim().toUpperCase();
  if (!code || !/^[A-Z]{2}$/.test(code) || !hasHolidayData(code)) return undefined;
  const wanted = region
    ?.trim()
    .toUpperCase()
    .replace(new RegExp(`^${code}-`), '');
  const state = wanted ? holidayRegionsOf(code).find((r) => r.toUpperCase() === wanted) : undefined;
  return state ? { country: code, region: state } : { country: code };
}
