import { createReadStream, readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatFromKey, parseRecords } from '../../functions/ingest/parse-records';
import { checkIsoInstant } from '../../functions/invoices/input/date-checks';
import { validateInvoiceRecord } from '../../functions/invoices/input/invoice-record';
import type { InvoiceRegistration } from '../../functions/invoices/invoice';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { chooseRule, defaultRuleOf, InvalidRuleSet, parseRuleSet, type RuleSet } from '../../functions/rules/rule-set';

/**
 * The simulator's input, read and checked all at once: the rule file (one rule or a rule set), the portfolio (CSV,
 * JSON or JSON Lines, every row validated as the API would), the events file and the instant flags; every problem
 * is collected with its file, line and field rather than stopping at the first.
 */

/** One problem of the simulator's input, located by file, line (0 = the whole file) and field. */
export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly issue: string;
}

export function formatProblem(p: InputProblem): string {
  return `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.field}: ${p.issue}`;
}

/** A valid invoice of the portfolio: its raw record (registered as is, through the API) and what it validated to. */
export interface PortfolioInvoice {
  readonly line: number;
  readonly record: Record<string, unknown>;
  readonly registration: InvoiceRegistration;
}

/** The `--events` lines (docs/formats.md). */
export const EVENT_TYPES = [
  'payment',
  'dispute',
  'resolve',
  'pause',
  'resume',
  'promise',
  'write-off',
  'escalate',
  'optout',
  'agreement',
] as const;
export type SimulationEventType = (typeof EVENT_TYPES)[number];

const Instant = z.string({ error: 'must be an ISO-8601 instant' }).refine((v) => 'value' in checkIsoInstant(v), {
  error: (i) =>
    `must be an ISO-8601 instant with a time zone, like 2026-12-01T12:00:00Z, got ${JSON.stringify(i.input)}`,
});
const Id = z.string({ error: 'must be a non-empty text' }).min(1, { error: 'must be a non-empty text' });
/** An amount as text or a number, kept as text (the API checks it). */
const Amount = z.union([z.string(), z.number()], { error: 'must be a decimal amount like "100.00"' }).transform(String);
/** A calendar date YYYY-MM-DD; `error` says which date it must be. */
const dateOnly = (error: string) => z.string({ error }).regex(/^\d{4}-\d{2}-\d{2}$/, { error });

const EventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      at: Instant,
      type: z.literal('payment'),
      invoiceId: Id,
      amount: Amount.optional(),
    }),
    z.strictObject({ at: Instant, type: z.literal('dispute'), invoiceId: Id, reason: z.string().optional() }),
    z.strictObject({ at: Instant, type: z.literal('resolve'), invoiceId: Id, reason: z.string().optional() }),
    z.strictObject({ at: Instant, type: z.literal('pause'), invoiceId: Id, reason: z.string().optional() }),
    z.strictObject({ at: Instant, type: z.literal('resume'), invoiceId: Id, reason: z.string().optional() }),
    z.strictObject({ at: Instant, type: z.literal('write-off'), invoiceId: Id, reason: z.string().optional() }),
    z.strictObject({
      at: Instant,
      type: z.literal('escalate'),
      invoiceId: Id,
      reason: z.string().optional(),
      to: z.string().optional(),
    }),
    z.strictObject({
      at: Instant,
      type: z.literal('promise'),
      invoiceId: Id,
      date: dateOnly('must be the promised date YYYY-MM-DD'),
      amount: Amount.optional(),
    }),
    z.strictObject({
      at: Instant,
      type: z.literal('optout'),
      customerId: Id,
      channel: z.enum(['email', 'sms'], { error: 'must be "email" or "sms"' }),
    }),
    // A renegotiation (POST /invoices/{id}/agreements): the instalments are checked by the API, as an operator's are.
    z.strictObject({
      at: Instant,
      type: z.literal('agreement'),
      invoiceId: Id,
      instalments: z
        .array(
          z.strictObject({
            dueDate: dateOnly('must be a due date YYYY-MM-DD'),
            amount: Amount,
            paymentUrl: z.string({ error: 'must be an http or https URL' }).optional(),
          }),
          { error: 'must be a list of { dueDate, amount }' },
        )
        .min(1, { error: 'must hold at least one instalment' }),
    }),
  ],
  { error: `type must be one of ${EVENT_TYPES.join(', ')}` },
);
export type SimulationEvent = z.infer<typeof EventSchema> & { readonly line: number };

/** Reads and validates a rule file: one billing rule, or several with the segments choosing one per invoice. */
export function readRuleSet(file: string, problems: InputProblem[]): RuleSet | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    problems.push({ file, line: 0, field: '(file)', issue: `cannot be read as JSON: ${reason}` });
    return undefined;
  }
  try {
    return parseRuleSet(json);
  } catch (error) {
    if (!(error instanceof InvalidRuleSet)) throw error;
    for (const issue of error.issues) problems.push({ file, line: 0, field: issue.path, issue: issue.issue });
    return undefined;
  }
}

/** The default rule of a rule file (its only rule, or the one its last segment chooses). */
export function readRule(file: string, problems: InputProblem[]): BillingRule | undefined {
  const set = readRuleSet(file, problems);
  return set && defaultRuleOf(set);
}

/** The rule each invoice walks: the first segment matching its customer and amount (docs/formats.md, "Rule sets and segments"). */
export function ruleOfInvoice(set: RuleSet): (registration: InvoiceRegistration) => BillingRule {
  const byId = new Map(set.rules.map((r) => [r.id, r]));
  return (registration) => {
    const id = chooseRule(set.segments, {
      segment: registration.customer.segment,
      riskScore: registration.customer.riskScore,
      country: registration.customer.country,
      amount: registration.amount,
    });
    return byId.get(id) ?? defaultRuleOf(set);
  };
}

/** Reads a portfolio (CSV, JSON array, JSON Lines), validating every row; every bad row is a problem. */
export async function readPortfolio(file: string, problems: InputProblem[]): Promise<PortfolioInvoice[]> {
  const format = formatFromKey(file);
  if (!format) {
    problems.push({ file, line: 0, field: '(file)', issue: 'unsupported file type: use .csv, .json or .jsonl' });
    return [];
  }
  const invoices: PortfolioInvoice[] = [];
  const seen = new Map<string, number>();
  try {
    for await (const parsed of parseRecords(createReadStream(file), format)) {
      if ('error' in parsed) {
        problems.push({ file, line: parsed.line, field: '(record)', issue: parsed.error });
        continue;
      }
      const result = validateInvoiceRecord(parsed.record);
      if (!result.ok) {
        for (const issue of result.issues)
          problems.push({ file, line: parsed.line, field: issue.path, issue: issue.issue });
        continue;
      }
      const first = seen.get(result.value.invoiceId);
      if (first !== undefined) {
        problems.push({
          file,
          line: parsed.line,
          field: 'invoiceId',
          issue: `${result.value.invoiceId} is also on line ${first}: each invoice once`,
        });
        continue;
      }
      seen.set(result.value.invoiceId, parsed.line);
      invoices.push({ line: parsed.line, record: parsed.record, registration: result.value });
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    problems.push({ file, line: 0, field: '(file)', issue: `cannot be read: ${reason}` });
  }
  return invoices;
}

/** Reads the `--events` JSON Lines file; events must name invoices / customers of the portfolio. */
export function readEvents(
  file: string,
  portfolio: readonly PortfolioInvoice[],
  problems: InputProblem[],
): SimulationEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    problems.push({ file, line: 0, field: '(file)', issue: `cannot be read: ${reason}` });
    return [];
  }
  const invoices = new Set(portfolio.map((p) => p.registration.invoiceId));
  const customers = new Set(portfolio.map((p) => p.registration.customer.customerId));
  const events: SimulationEvent[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push({ file, line, field: '(line)', issue: `not a JSON object: ${(error as Error).message}` });
      return;
    }
    const parsed = EventSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ file, line, field: issue.path.join('.') || '(line)', issue: issue.message });
      }
      return;
    }
    const event = parsed.data;
    if ('invoiceId' in event && !invoices.has(event.invoiceId)) {
      problems.push({ file, line, field: 'invoiceId', issue: `${event.invoiceId} is not in the invoices file` });
      return;
    }
    if ('customerId' in event && !customers.has(event.customerId)) {
      problems.push({ file, line, field: 'customerId', issue: `${event.customerId} is not in the invoices file` });
      return;
    }
    events.push({ ...event, line });
  });
  return events;
}

/** Parses an optional instant flag (`--from`, `--until`). */
export function readInstantFlag(name: string, value: string | undefined, problems: InputProblem[]): Date | undefined {
  if (value === undefined) return undefined;
  const checked = checkIsoInstant(value);
  if (!('value' in checked)) {
    problems.push({ file: `--${name}`, line: 0, field: name, issue: checked.issue });
    return undefined;
  }
  return new Date(checked.value);
}
