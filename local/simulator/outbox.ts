import { readFileSync, writeFileSync } from 'node:fs';
import type { OutboxEntry } from '../emulators/fault-plane';
import type { TimelineEvent } from './timeline';

/**
 * `dunning simulate --outbox <file.jsonl>` (docs/formats.md "Outbox"): every message the emulated providers accepted,
 * one JSON line each, and the fault summary the command prints on standard error, counted from the outbox, the
 * timeline and the fault plane.
 */

/** One outbox line, keys in the documented order: `{"at","channel","messageId","invoiceId","stageId"}`. */
export function outboxLine(entry: OutboxEntry): string {
  const { at, channel, messageId, invoiceId, stageId } = entry;
  return JSON.stringify({ at, channel, messageId, invoiceId, stageId });
}

/** Writes the outbox (one line per message, in the order given). */
export function writeOutbox(file: string, entries: readonly OutboxEntry[]): void {
  writeFileSync(file, entries.map((e) => `${outboxLine(e)}\n`).join(''));
}

/**
 * SES tag values allow only ASCII letters, digits, `_`, `-`, `.` and `@` (SES's EmailTags constraint), so the mailer
 * replaces any other character with `_` (functions/contact/providers/mailer.ts, sanitizeTag): `D+7` is tagged
 * `D_7`. The same rule, to map a tag back to the id it stands for.
 */
export function sesTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256) || '_';
}

/**
 * The outbox with each email's invoice and stage as the ids they were (not as SES tags them), when the tag stands
 * for exactly one of the known ids; SMS and escalations carry them as they are (message attributes take any text).
 */
export function restoreEmailTags(
  entries: readonly OutboxEntry[],
  invoiceIds: Iterable<string>,
  stageIds: Iterable<string>,
): OutboxEntry[] {
  const reverse = (ids: Iterable<string>) => {
    const map = new Map<string, string | null>();
    for (const id of ids) {
      const tag = sesTagValue(id);
      map.set(tag, map.has(tag) && map.get(tag) !== id ? null : id); // null: two ids share the tag
    }
    return (tag: string | null) => (tag === null ? null : (map.get(tag) ?? tag));
  };
  const invoice = reverse(invoiceIds);
  const stage = reverse(stageIds);
  return entries.map((e) =>
    e.channel === 'email' ? { ...e, invoiceId: invoice(e.invoiceId), stageId: stage(e.stageId) } : e,
  );
}

/** Reads an outbox file back (a worker's). */
export function readOutbox(file: string): OutboxEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutboxEntry);
}

/**
 * Several shards' outboxes as one, in time order; at one instant in shard order, then in the order each shard
 * accepted them (so the same input and seed give the same file).
 */
export function mergeOutboxes(shards: readonly (readonly OutboxEntry[])[]): OutboxEntry[] {
  const all = shards.flatMap((entries, shard) => entries.map((entry, index) => ({ entry, shard, index })));
  all.sort((a, b) =>
    a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.shard - b.shard || a.index - b.index,
  );
  return all.map((e) => e.entry);
}

/** What a fault plane counted in one process (a worker reports it to the parent). */
export interface PlaneCounts {
  /** Faults injected, by `call kind`. */
  readonly injected: Readonly<Record<string, number>>;
  /** Refusals by a provider quota or the Lambda concurrency limit, by quota. */
  readonly refused: Readonly<Record<string, number>>;
  /** Audit events of type `walk-restarted` (a reconciler started a walk again). */
  readonly restarted: number;
}

/** What a run produced: the timeline, and with a fault plane its outbox and counts. */
export interface RunResult {
  readonly timeline: TimelineEvent[];
  readonly plane?: { readonly outbox: readonly OutboxEntry[]; readonly counts: PlaneCounts };
}

/** The counts of a run with `--faults` / `--outbox`. */
export interface FaultReport {
  readonly seed: number;
  readonly accepted: number;
  readonly acceptedByChannel: Readonly<Record<string, number>>;
  /** invoice·stage·channel keys with more than one accepted message. */
  readonly duplicateKeys: number;
  /** Accepted messages beyond the first of each key. */
  readonly duplicateMessages: number;
  /** Messages accepted after their invoice's payment instant (the timeline's `paid`). */
  readonly afterPayment: number;
  /** Invoices whose walk failed (`failed` on the timeline). */
  readonly failedWalks: number;
  readonly restartedWalks: number;
  /** Faults injected (and absorbed by the system, or not: see the other counts). */
  readonly faultsAbsorbed: number;
  readonly injected: Readonly<Record<string, number>>;
  readonly refused: Readonly<Record<string, number>>;
}

/** Adds up the counts of several planes (one per worker). */
export function sumCounts(counts: readonly PlaneCounts[]): PlaneCounts {
  const add = (into: Record<string, number>, from: Readonly<Record<string, number>>) => {
    for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
  };
  const injected: Record<string, number> = {};
  const refused: Record<string, number> = {};
  for (const c of counts) {
    add(injected, c.injected);
    add(refused, c.refused);
  }
  return { injected, refused, restarted: counts.reduce((n, c) => n + c.restarted, 0) };
}

/** Counts what the outbox and the timeline say (see {@link FaultReport}). */
export function faultReport(
  seed: number,
  outbox: readonly OutboxEntry[],
  timeline: readonly TimelineEvent[],
  counts: PlaneCounts,
): FaultReport {
  const acceptedByChannel: Record<string, number> = {};
  const perKey = new Map<string, number>();
  for (const e of outbox) {
    acceptedByChannel[e.channel] = (acceptedByChannel[e.channel] ?? 0) + 1;
    if (e.invoiceId === null) continue;
    const key = `${e.invoiceId}\u0000${e.stageId ?? ''}\u0000${e.channel}`;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const duplicates = [...perKey.values()].filter((n) => n > 1);
  const paidAt = new Map<string, string>();
  for (const e of timeline) if (e.event === 'paid' && !paidAt.has(e.invoiceId)) paidAt.set(e.invoiceId, e.at);
  const afterPayment = outbox.filter((e) => {
    const paid = e.invoiceId === null ? undefined : paidAt.get(e.invoiceId);
    return paid !== undefined && e.at > paid;
  }).length;
  const failed = new Set(timeline.filter((e) => e.event === 'failed').map((e) => e.invoiceId));
  return {
    seed,
    accepted: outbox.length,
    acceptedByChannel,
    duplicateKeys: duplicates.length,
    duplicateMessages: duplicates.reduce((n, d) => n + d - 1, 0),
    afterPayment,
    failedWalks: failed.size,
    restartedWalks: counts.restarted,
    faultsAbsorbed: Object.values(counts.injected).reduce((n, c) => n + c, 0),
    injected: counts.injected,
    refused: counts.refused,
  };
}

/** The summary line on standard error (no timing in it: the same seed and input print the same line). */
export function faultReportLine(report: FaultReport): string {
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, n]) => `${key} ${n}`)
      .join(', ');
  const channels = list(report.acceptedByChannel);
  const injected = list(report.injected);
  const refused = Object.values(report.refused).reduce((n, c) => n + c, 0);
  return (
    `Faults (seed ${report.seed}): ${report.accepted} message(s) accepted${channels ? ` (${channels})` : ''}; ` +
    `${report.duplicateKeys} duplicate(s) at the provider (${report.duplicateMessages} extra message(s)); ` +
    `${report.afterPayment} message(s) after payment; ${report.failedWalks} failed walk(s); ` +
    `${report.restartedWalks} restarted walk(s); ${report.faultsAbsorbed} fault(s) absorbed` +
    `${injected ? ` (${injected})` : ''}; ${refused} quota refusal(s)${refused > 0 ? ` (${list(report.refused)})` : ''}\n`
  );
}
