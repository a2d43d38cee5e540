import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public-holiday table: date-holidays' `public` holidays precomputed for a fixed range of years by
 * `npm run holidays` (scripts/holidays.ts) into `holidays/` beside this module, one JSON file per country plus
 * `index.json`. At run time only the index and the files of the countries asked about are read, so a Lambda carries
 * neither date-holidays nor its time-zone and astronomy dependencies.
 *
 * Format (all plain JSON, generated, do not edit):
 * - `index.json`: `{ source: "date-holidays@<version>", years: { from, to }, countries: { <CC>: [<state>, …] } }`,
 *   the states in date-holidays' order.
 * - `<CC>.json`: `{ country, source, years, national, states: { <state>: { add?, remove? } } }`. `national` lists
 *   the country's closed days (see {@link encodeDays}); a state's days are the national ones plus `add` minus
 *   `remove` (a state may drop a national holiday).
 * A day is listed when a date-holidays holiday of type `public` of some year covers it (its local date and the
 * following days, `max(1, round((end - start) / 1 day))` of them): a multi-day holiday may spill into the next year.
 */

const DAY_MS = 86_400_000;

/**
 * The folder of the table: `DUNNING_HOLIDAYS_DIR` when set, else `holidays/` beside this module (the Lambda bundle
 * carries a copy beside itself, and defines `import.meta.url` as the bundle's own file).
 */
export function holidaysDir(): string {
  return process.env.DUNNING_HOLIDAYS_DIR || fileURLToPath(new URL('./holidays/', import.meta.url));
}

/** What `index.json` says: where the data comes from, the years it covers and every country with its states. */
export interface HolidayIndex {
  /** `date-holidays@<version>` the table was generated from. */
  readonly source: string;
  /** First and last year covered (inclusive). */
  readonly years: { readonly from: number; readonly to: number };
  /** Country code → its state codes (date-holidays' `getStates`, in its order), empty when it has none. */
  readonly countries: ReadonlyMap<string, readonly string[]>;
}

/** One area's closed days: bit `d` set when epoch day `firstDay + d` is a public holiday. */
type DayBits = Uint32Array;

interface LoadedCountry {
  readonly national: DayBits;
  /** A state's encoded difference from `national`, by its code as in the file (date-holidays' spelling). */
  readonly stateDiffs: ReadonlyMap<string, { readonly add: string; readonly remove: string }>;
  /** Decoded days per region as asked for (raw spelling), filled on first use. */
  readonly byRegion: Map<string, DayBits>;
}

/**
 * Epoch days (days since 1970-01-01, ascending) as a comma-separated list of base-36 numbers: the first day itself,
 * then each day's distance from the previous one (`"i4g,2,1q"`). Empty for none.
 */
export function encodeDays(days: readonly number[]): string {
  return days.map((day, i) => (i === 0 ? day : day - (days[i - 1] as number)).toString(36)).join(',');
}

/**
 * The epoch days of {@link encodeDays}' string.
 * @throws Error when the string is not such a list (not base 36, or not strictly ascending).
 */
export function decodeDays(encoded: string): number[] {
  if (encoded === '') return [];
  const days: number[] = [];
  let day = 0;
  for (const token of encoded.split(',')) {
    if (!/^[0-9a-z]+$/.test(token)) throw new Error(`bad day token "${token}"`);
    const step = Number.parseInt(token, 36);
    if (days.length > 0 && step === 0) throw new Error('days not strictly ascending');
    day += step;
    days.push(day);
  }
  return days;
}

/**
 * The holiday table read from one folder, lazily: the index on first use, a country's file when one of its areas is
 * first asked about. Each area is decoded once into a bit set, so a lookup is O(1) and allocates nothing.
 */
export class HolidayTable {
  #index: HolidayIndex | undefined;
  #firstDay = 0;
  #dayCount = 0;
  /** By country as asked for (raw spelling); null for a country the table does not know. */
  readonly #countries = new Map<string, LoadedCountry | null>();

  constructor(readonly dir: string) {}

  /**
   * The table's index.
   * @throws Error naming the file when it is missing or corrupt.
   */
  index(): HolidayIndex {
    if (!this.#index) {
      const path = join(this.dir, 'index.json');
      const raw = readJson(path);
      const { source, years, countries } = raw as { source?: unknown; years?: unknown; countries?: unknown };
      if (typeof source !== 'string') throw corrupt(path, 'no "source"');
      const range = yearRange(years);
      if (!range) throw corrupt(path, 'no valid "years": { from, to }');
      if (typeof countries !== 'object' || countries === null) throw corrupt(path, 'no "countries"');
      const byCountry = new Map<string, readonly string[]>();
      for (const [country, states] of Object.entries(countries)) {
        if (!Array.isArray(states) || !states.every((s) => typeof s === 'string'))
          throw corrupt(path, `the states of ${country} are not a list of codes`);
        byCountry.set(country, states as string[]);
      }
      this.#firstDay = Date.UTC(range.from, 0, 1) / DAY_MS;
      this.#dayCount = Date.UTC(range.to + 1, 0, 1) / DAY_MS - this.#firstDay;
      this.#index = { source, years: range, countries: byCountry };
    }
    return this.#index;
  }

  /** True when the table has the country (exact code, `"BR"`). */
  hasCountry(country: string): boolean {
    return this.index().countries.has(country);
  }

  /** The state codes of a country (`SP`, `RJ`, … for BR), empty when it has none or is unknown. */
  statesOf(country: string): readonly string[] {
    return this.index().countries.get(country) ?? [];
  }

  /**
   * True when the local date `epochDay` (days since 1970-01-01) is a public holiday of the country, or of the
   * country and state. As date-holidays does, codes are matched upper-cased, an unknown state has the national
   * holidays only and an unknown country none.
   * @throws Error when the day's year is outside the table's range (naming how to extend it), or a file is missing or
   * corrupt.
   */
  isPublicHoliday(epochDay: number, country: string, region?: string): boolean {
    const days = this.#areaDays(country, region);
    const bit = epochDay - this.#firstDay;
    if (!(bit >= 0 && bit < this.#dayCount)) throw this.#outOfRange(epochDay, country);
    return days !== undefined && ((days[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  #areaDays(country: string, region: string | undefined): DayBits | undefined {
    let loaded = this.#countries.get(country);
    if (loaded === undefined) {
      loaded = this.#loadCountry(country.toUpperCase());
      this.#countries.set(country, loaded);
    }
    if (loaded === null) return undefined;
    if (!region) return loaded.national;
    let days = loaded.byRegion.get(region);
    if (!days) {
      const diff = loaded.stateDiffs.get(region.toUpperCase());
      days = diff ? this.#stateDays(loaded.national, diff, country) : loaded.national;
      loaded.byRegion.set(region, days);
    }
    return days;
  }

  #loadCountry(code: string): LoadedCountry | null {
    const index = this.index();
    if (!index.countries.has(code)) return null;
    const known = this.#countries.get(code);
    if (known !== undefined) return known;
    const path = this.#countryPath(code);
    const raw = readJson(path) as { country?: unknown; source?: unknown; years?: unknown; national?: unknown };
    const states = (raw as { states?: unknown }).states;
    if (raw.country !== code) throw corrupt(path, `"country" is not "${code}"`);
    if (raw.source !== index.source) throw corrupt(path, `"source" differs from index.json's ${index.source}`);
    const range = yearRange(raw.years);
    if (!range || range.from !== index.years.from || range.to !== index.years.to)
      throw corrupt(path, `"years" differs from index.json's ${index.years.from}–${index.years.to}`);
    if (typeof raw.national !== 'string') throw corrupt(path, 'no "national" days');
    if (typeof states !== 'object' || states === null) throw corrupt(path, 'no "states"');
    const stateDiffs = new Map<string, { add: string; remove: string }>();
    for (const [state, diff] of Object.entries(states)) {
      const { add = '', remove = '' } = (diff ?? {}) as { add?: unknown; remove?: unknown };
      if (typeof add !== 'string' || typeof remove !== 'string') throw corrupt(path, `bad days of state ${state}`);
      stateDiffs.set(state, { add, remove });
    }
    const national = this.#bits(new Uint32Array(Math.ceil(this.#dayCount / 32)), raw.national, true, path);
    const loaded: LoadedCountry = { national, stateDiffs, byRegion: new Map() };
    this.#countries.set(code, loaded);
    return loaded;
  }

  #stateDays(national: DayBits, diff: { readonly add: string; readonly remove: string }, country: string): DayBits {
    const path = this.#countryPath(country.toUpperCase());
    const days = this.#bits(national.slice(), diff.add, true, path);
    return this.#bits(days, diff.remove, false, path);
  }

  /** Sets (or clears) the bits of the encoded days in `bits`. */
  #bits(bits: DayBits, encoded: string, set: boolean, path: string): DayBits {
    let days: number[];
    try {
      days = decodeDays(encoded);
    } catch (error) {
      throw corrupt(path, (error as Error).message);
    }
    for (const day of days) {
      const bit = day - this.#firstDay;
      if (bit < 0 || bit >= this.#dayCount) throw corrupt(path, `day ${day} is outside the table's years`);
      const word = bit >>> 5;
      bits[word] = set ? (bits[word] as number) | (1 << (bit & 31)) : (bits[word] as number) & ~(1 << (bit & 31));
    }
    return bits;
  }

  #countryPath(code: string): string {
    return join(this.dir, `${code}.json`);
  }

  #outOfRange(epochDay: number, country: string): Error {
    const { from, to } = this.index().years;
    const year = new Date(epochDay * DAY_MS).getUTCFullYear();
    return new Error(
      `No public-holiday data for ${year} (${country}): the holiday table (${this.dir}) covers ${from}–${to}. ` +
        'To extend it, change HOLIDAY_YEARS in scripts/holidays.ts and run `npm run holidays`.',
    );
  }
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Holiday table file ${path} cannot be read (${(error as Error).message}); generate it with \`npm run holidays\``,
      { cause: error },
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
    return value;
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
}

function corrupt(path: string, reason: string): Error {
  return new Error(`Holiday table file ${path} is corrupt (${reason}); regenerate it with \`npm run holidays\``);
}

function yearRange(value: unknown): { from: number; to: number } | undefined {
  const { from, to } = (value ?? {}) as { from?: unknown; to?: unknown };
  return Number.isInteger(from) && Number.isInteger(to) && (from as number) <= (to as number)
    ? { from: from as number, to: to as number }
    : undefined;
}

let table: HolidayTable | undefined;

/** The process' holiday table, read from {@link holidaysDir} (resolved on first use). */
export function holidayTable(): HolidayTable {
  table ??= new HolidayTable(holidaysDir());
  return table;
}
