import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactLogEntry } from '../../functions/contact/contact-log';
import { executionNameFor } from '../../functions/invoices/execution-name';
import type { TimelineEvent } from '../../local/simulator/timeline';
import { checkTimeline, type Violation } from '../../local/simulator/timeline-check';
import { LocalSystem } from '../../local/system/system';
import {
  drainFailedStarts,
  type FaultRun,
  planSteps,
  runStep,
  schedulePayments,
  scheduleStartQueuePolls,
} from '../support/fault-injection/drive';
import { installFaults, ledger, stopFaults } from '../support/fault-injection/faults';
import {
  balanceProblems,
  countBy,
  coveredSends,
  type Outcome,
  readOutcome,
  walkStates,
} from '../support/fault-injection/outcome';
import {
  config,
  INVOICE_COUNT,
  type PlannedInvoice,
  type PlannedPayment,
  planPayments,
  planPortfolio,
  rule,
  SEED,
  T0,
  UNTIL,
} from '../support/fault-injection/plan';
import { captureProductLogs, productLogs, releaseProductLogs } from '../support/fault-injection/product-logs';

// Fault injection on the whole local system (issue #6, Reliability 1): a randomized portfolio (customers with one to
// three invoices, many of them due the same day) registered through the API and S3 drops, with payments at random
// moments — some exactly when a stage's messages go out, some twice at once — while the AWS clients of the handlers
// misbehave: SES and SNS throttle and answer 5xx for a while, the send step's `completeSend` write fails after the
// provider took the message (a crash between sending and recording), the contact-slot write loses races it would
// otherwise win, StartExecution is throttled for a while, each S3 event is delivered twice and some invoices are
// registered by the API and by a drop at the same moment.
//
// Faults are injected at the `initialize` step of the handlers' own SDK clients (functions/platform/clients.ts), i.e.
// as what the handler code sees once the SDK's own retries gave up. The same middleware keeps a ledger of what
// reached the providers (message id, invoice, stage, channel, virtual instant and a global sequence number), which is
//
// The run's parts are in tests/support/fault-injection/: plan.ts (the seeded portfolio, registrations and payments),
// faults.ts (the faults and the ledger of what reached the providers), drive.ts (registrations, drops, payments and
// start-queue polls against the virtual clock), outcome.ts (what the table, the runtime and the providers hold, and
// the checks' readings of it), product-logs.ts.

let system: LocalSystem;
let planned: PlannedInvoice[] = [];
let payments: PlannedPayment[] = [];
const paymentAnswers: FaultRun['paymentAnswers'] = [];
const apiAnswers: FaultRun['apiAnswers'] = [];
let run: FaultRun;
let outcome: Outcome;
const counts: Record<string, number | string> = {};

beforeAll(async () => {
  // Prepare
  captureProductLogs();
  system = await LocalSystem.start({ config, start: T0, recordStateData: false, dynamodb: 'in-process' });
  await installFaults(system);
  planned = planPortfolio(INVOICE_COUNT);
  payments = planPayments(planned);
  run = { system, planned, payments, apiAnswers, paymentAnswers };
  const steps = await planSteps(system, planned);
  schedulePayments(run);
  scheduleStartQueuePolls(system);

  // Act
  const began = performance.now();
  for (const step of steps) {
    await system.advanceTo(step.at);
    await runStep(run, step);
  }
  await system.advanceTo(UNTIL);
  stopFaults();
  const drainRounds = await drainFailedStarts(run);
  await system.whenIdle();
  counts.drainRounds = drainRounds;
  counts.runSeconds = ((performance.now() - began) / 1000).toFixed(1);
  outcome = await readOutcome(system, planned);
}, 600_000);

afterAll(async () => {
  releaseProductLogs();
  counts.productLogs = JSON.stringify(Object.fromEntries(productLogs));
  console.log(`fault injection (seed ${SEED}, ${INVOICE_COUNT} invoices):\n${JSON.stringify(counts, null, 2)}`);
  await system?.stop();
});

describe('under injected faults, nothing is lost, nothing goes out twice, nothing goes out after payment', () => {
  it('registers every invoice exactly once, whichever door and however often it came in', () => {
    const missing = planned.filter((p) => !outcome.invoices.has(p.registration.invoiceId));
    const names = new Set(system.runtime.listExecutions().map((e) => e.name));
    const withoutWalk = planned.filter((p) => !names.has(executionNameFor(p.registration.invoiceId)));
    const registeredEvents = countBy(
      outcome.timeline.filter((e) => e.event === 'registered'),
      (e) => e.invoiceId,
    );
    counts.invoices = planned.length;
    counts.customers = new Set(planned.map((p) => p.registration.customer.customerId)).size;
    counts.registeredViaBoth = planned.filter((p) => p.path === 'both').length;
    counts.s3Deliveries = ledger.observed.s3Deliveries;
    counts.ingestErrors = ledger.observed.ingestErrors.length;
    counts.lostRegistrations = missing.length + withoutWalk.length;
    counts.duplicateRegistrationsAnswered = apiAnswers.reduce(
      (n, a) => n + ((a.body as { duplicates?: unknown[] } | null)?.duplicates?.length ?? 0),
      0,
    );
    counts.executions = names.size;

    expect(missing.map((p) => p.registration.invoiceId)).toEqual([]);
    expect(withoutWalk.map((p) => p.registration.invoiceId)).toEqual([]);
    expect(names.size).toBe(planned.length);
    expect([...registeredEvents.values()].every((n) => n === 1)).toBe(true);
    expect(ledger.observed.ingestErrors).toEqual([]);
    expect(apiAnswers.every((a) => a.statusCode === 202)).toBe(true);
  });

  it('ends every walk in a terminal state, or leaves it correctly waiting for a later stage', () => {
    const { byStatus, wrong } = walkStates(system, planned, outcome);
    for (const [label, n] of Object.entries(byStatus)) counts[`walks ${label}`] = n;
    counts.walksInAWrongState = wrong.length;
    counts.failureNotices = outcome.failureNotices;

    expect(wrong).toEqual([]);
    expect(outcome.failureNotices).toBe(0);
  });

  it('sends each invoice·stage·channel at most once: provider outboxes, the ledger and the contact log agree', () => {
    const sends = coveredSends();
    const messagesPerKey = new Map<string, Set<string>>();
    for (const s of sends) messagesPerKey.set(s.key, (messagesPerKey.get(s.key) ?? new Set()).add(s.messageId));
    const duplicates = [...messagesPerKey].filter(([, ids]) => ids.size > 1).map(([key, ids]) => `${key} ${[...ids]}`);
    const keyOf = (c: ContactLogEntry) => `${c.invoiceId}#${c.stageId}#${c.channel}`;
    const loggedPerKey = countBy(outcome.delivered, keyOf);
    const loggedDuplicates = [...loggedPerKey].filter(([, n]) => n > 1);
    const providerIds = new Set(ledger.sends.map((s) => s.messageId));
    const mailboxIds = new Set(outcome.mailbox.map((m) => m.messageId));
    const smsIds = new Set(outcome.smsOutbox.map((m) => m.messageId));
    const unattributed = ledger.sends.filter((s) => !ledger.coverage.has(s.messageId));
    const unrecorded = [...messagesPerKey.keys()].filter((key) => !loggedPerKey.has(key));
    const neverSent = outcome.delivered.filter((c) => !providerIds.has(String(c.messageId)));
    counts.emails = outcome.mailbox.length;
    counts.sms = outcome.smsOutbox.length;
    counts.escalations = outcome.escalations.length;
    counts.invoiceStageChannelsReached = messagesPerKey.size;
    counts.listedInAnotherInvoicesMessage = outcome.delivered.filter((c) =>
      c.reason?.startsWith('consolidated'),
    ).length;
    counts.duplicateMessages = duplicates.length + loggedDuplicates.length;
    counts.sentButUnrecorded = unrecorded.length;

    // every message the providers hold is one the ledger saw, and the other way round
    expect(ledger.sends.filter((s) => s.channel === 'email').length).toBe(outcome.mailbox.length);
    expect(ledger.sends.filter((s) => s.channel === 'sms').length).toBe(outcome.smsOutbox.length);
    expect(ledger.sends.filter((s) => s.channel === 'escalate').length).toBe(outcome.escalations.length);
    expect(ledger.sends.filter((s) => s.channel === 'email' && !mailboxIds.has(s.messageId))).toEqual([]);
    expect(ledger.sends.filter((s) => s.channel === 'sms' && !smsIds.has(s.messageId))).toEqual([]);
    expect(unattributed).toEqual([]);
    // no invoice·stage·channel reached twice, by its own message or listed in another invoice's
    expect(duplicates).toEqual([]);
    expect(loggedDuplicates).toEqual([]);
    // the contact log holds every message with the provider's id, and only messages that went out
    expect(unrecorded).toEqual([]);
    expect(neverSent.map(keyOf)).toEqual([]);
  });

  it("sends nothing after a payment's commit, and concurrent payments lose no update", () => {
    const sends = coveredSends();
    const afterCommit = sends.filter((s) => {
      const paid = ledger.paidCommit.get(s.invoiceId);
      return paid !== undefined && (s.seq > paid.seq || s.at > paid.at);
    });
    const wrongBalances = balanceProblems(run, outcome);
    counts.payments = paymentAnswers.length;
    counts.paymentsAccepted = paymentAnswers.filter((a) => a.status === 200).length;
    counts.paymentsRefusedNotOpen = paymentAnswers.filter((a) => a.status === 409).length;
    counts.paymentsRacingASend = payments.filter((p) => p.kind === 'race').length;
    counts.paidInvoices = [...outcome.invoices.values()].filter((i) => i.status === 'PAID').length;
    counts.messagesAfterPaymentCommit = afterCommit.length;

    expect(paymentAnswers.length).toBe(payments.length);
    expect(afterCommit.map((s) => `${s.key} #${s.seq} ${s.at}`)).toEqual([]);
    expect(wrongBalances).toEqual([]);
  });

  it('keeps the hours, holidays and caps: the independent timeline check finds no violation', () => {
    // Messages that went out but that the contact log does not hold would escape the check: add them.
    const logged = new Set(outcome.delivered.map((c) => `${c.invoiceId}#${c.stageId}#${c.channel}`));
    const customerOf = new Map(planned.map((p) => [p.registration.invoiceId, p.registration.customer.customerId]));
    const extra: TimelineEvent[] = coveredSends()
      .filter((s) => s.channel !== 'escalate' && !logged.has(s.key))
      .map((s) => ({
        at: s.at,
        invoiceId: s.invoiceId,
        customerId: customerOf.get(s.invoiceId) ?? '',
        stage: s.stageId,
        channel: s.channel,
        event: 'sent' as const,
      }));
    const violations: Violation[] = checkTimeline({
      rule,
      invoices: planned.map((p) => p.registration),
      timeline: [...outcome.timeline, ...extra],
    });
    counts.timelineViolations = violations.length;
    counts.deferrals = outcome.timeline.filter((e) => e.event === 'deferred').length;

    expect(violations.map((v) => `${v.kind} ${v.event.invoiceId} ${v.event.stage} ${v.detail}`)).toEqual([]);
  });

  it('really injected every kind of fault, and the races really happened', () => {
    Object.assign(counts, ledger.injected, {
      slotRacesLost: ledger.observed.slotRacesLost,
      paymentVersionRaces: ledger.observed.paymentRaces,
      sendClaimConflicts: ledger.observed.claimConflicts,
    });

    for (const [kind, n] of Object.entries(ledger.injected)) expect(n, kind).toBeGreaterThan(0);
    expect(ledger.observed.slotRacesLost).toBeGreaterThan(0);
    expect(ledger.observed.paymentRaces).toBeGreaterThan(0);
    expect(payments.filter((p) => p.kind === 'race').length).toBeGreaterThan(10);
  });
});
