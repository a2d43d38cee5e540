/**
 * Bundled by tests/infra/lambda-bundles.test.ts as a Lambda handler is bundled, then run from a folder outside the
 * project: proves the bundle finds the holiday table beside itself (`import.meta.url` defined from `__filename`).
 * Prints whether 2026-12-25 and 2026-12-28 are public holidays in Brazil.
 */
import { holidayTable } from '../../functions/calendar/holiday-table';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
process.stdout.write(
  JSON.stringify([
    holidayTable().isPublicHoliday(day('2026-12-25'), 'BR'),
    holidayTable().isPublicHoliday(day('2026-12-28'), 'BR'),
  ]),
);
