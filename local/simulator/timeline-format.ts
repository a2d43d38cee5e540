import { DateTime } from 'luxon';
import type { TimelineEvent } from './timeline';

/**
 * How a timeline is printed: one JSON object per line in docs/formats.md's key order, or a table in the debtors'
 * local times.
 */

/** One line of `--format json`: the event as docs/formats.md specifies it, keys in a fixed order. */
export function timelineJson(e: TimelineEvent): string {
  return JSON.stringify({
    at: e.at,
    invoiceId: e.invoiceId,
    customerId: e.customerId,
    ...(e.stage !== undefined ? { stage: e.stage } : {}),
    ...(e.channel !== undefined ? { channel: e.channel } : {}),
    event: e.event,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    ...(e.until !== undefined ? { until: e.until } : {}),
  });
}

const COLUMNS = ['at (UTC)', 'debtor local', 'invoice', 'customer', 'stage', 'channel', 'event', 'detail'] as const;

/**
 * The timeline as a readable table: one row per event, with the debtor's local wall-clock time next to the UTC
 * instant (so business hours can be checked at a glance). `timezoneOf` gives an invoice's debtor zone.
 */
export function timelineTable(events: readonly TimelineEvent[], timezoneOf: (invoiceId: string) => string): string {
  const rows = events.map((e) => timelineRow(e, timezoneOf(e.invoiceId)));
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The cells of one table row. */
export function timelineRow(e: TimelineEvent, timezone: string): string[] {
  const detail = [e.reason ?? '', e.until ? `until ${localTime(e.until, timezone)}` : ''].filter(Boolean).join(', ');
  return [
    e.at.replace('.000Z', 'Z'),
    localTime(e.at, timezone),
    e.invoiceId,
    e.customerId,
    e.stage ?? '',
    e.channel ?? '',
    e.event,
    detail,
  ];
}

/** `Mon 2026-11-30 08:00 America/Sao_Paulo` */
export function localTime(iso: string, timezone: string): string {
  const local = DateTime.fromISO(iso, { zone: timezone });
  return local.isValid ? `${local.setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm')} ${timezone}` : iso;
}
