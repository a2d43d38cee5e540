import { InvoiceNotFound } from '../contracts/errors';
import type { StepResult } from '../contracts/step-result';
import { closedResult, dueInstantOf, stageIndexOf } from '../executions/workflow-steps';
import { offerEarlyPayment } from '../invoices/early-payment-offers';
import { type Customer, coveringContact, type Invoice } from '../invoices/invoice';
import type { BillingRule, Stage } from '../rules/billing-rule';
import { debtorTimezone, secondsUntil } from '../rules/schedule';
import { CONSOLIDATED_REASON, reachableChannels } from './consolidation';
import type { Channel } from './contact-log';
import { decideContact, type Slot, settleSlot } from './send/contact-slot';
import { type ActionScope, performAction } from './send/delivery';
import { stageMessages } from './send/message-context';
import type { SendBase, SendDeps } from './send/send-deps';
import { PROVIDER_PAUSED_REASON, passBreakers } from './send/sending-breaker';

export type { SendDeps } from './send/send-deps';

/**
 * Send step: right before contacting, re-reads the invoice (still open?), checks whether a later stage already
 * superseded this one, asks the contact policy whether now is allowed (the hours of the stage's channels in the
 * debtor's zone, the rule's and the debtor's holidays, frequency caps), then performs every action of the stage.
 * Each channel is sent at most once per invoice·stage (idempotency claim), so a retried Lambda never sends twice.
 * Before the policy, the channels' sending breakers are read (one GetItem, `./send/sending-breaker.ts`): a channel
 * whose account the provider refuses defers the stage (`deferred`, reason `provider-paused`) until its next probe.
 *
 * Consolidated messages: when other invoices of the customer wait for a stage due now whose channels are all among
 * this stage's (see `consolidationCompanions`), this stage's messages list them too, and the contact slot records
 * that it covers their stages. Their own send step then finds its stage covered and sends nothing (outcome `sent`).
 *
 * The messages carry the link to the debtor's statement (made once per step, right before the first message is
 * claimed: the customer's statement secret is created by the first one ever) and, for a stage with an `offer`, the
 * early-payment offer (`earlyPaymentOffer`, also each listed invoice's own). Once messages went out, the offers are
 * recorded on the invoices (`offerEarlyPayment`), so that paying the stated amount in time settles them.
 *
 * Its parts, in `./send/`: the contact slot (`contact-slot.ts`: the policy's answer and the frequency cap across the
 * customer's invoices), what the templates need (`message-context.ts`), the delivery of each action (`delivery.ts`)
 * and the records of the invoices a consolidated message lists (`listed-invoices.ts`).
 */
export async function sendStage(
  input: { invoiceId: string; rule: BillingRule; stageId: string },
  deps: SendDeps,
): Promise<StepResult> {
  const { rule, stageId } = input;
  const now = deps.now();
  const invoice = await deps.invoices.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  if (invoice.status !== 'OPEN' && invoice.status !== 'ESCALATED') return closedResult(invoice);
  const customer: Customer = (await deps.customers.getCustomer(invoice.customer.customerId)) ?? invoice.customer;
  const timezone = debtorTimezone(rule, customer);
  const stageIndex = stageIndexOf(rule, stageId);
  const stage = rule.stages[stageIndex] as Stage;
  const next = nextStageOf(rule, stageIndex, invoice, timezone, now);
  const base: SendBase = {
    at: now.toISOString(),
    invoiceId: invoice.invoiceId,
    customerId: customer.customerId,
    stageId,
  };

  // Another invoice's consolidated message listed this one for this stage: the stage is done, nothing to send.
  if (coveringContact(customer.recentContacts ?? [], invoice.invoiceId, stageId)) {
    return next.result('sent', CONSOLIDATED_REASON);
  }
  if (next.due && next.due.getTime() <= now.getTime()) {
    await deps.contactLog.logContact({ ...base, channel: '*', outcome: 'superseded', reason: 'superseded' });
    return next.result('superseded', 'superseded');
  }

  const defer = async (until: Date, reason: string): Promise<StepResult> => {
    await deps.contactLog.logContact({
      ...base,
      channel: '*',
      outcome: 'deferred',
      reason,
      until: until.toISOString(),
    });
    return { outcome: 'deferred', stageId, seconds: secondsUntil(now, until), until: until.toISOString(), reason };
  };

  // The channels' sending breakers (one read): a channel the account may not use now defers the whole stage.
  const needed: Channel[] = [
    ...reachableChannels(stage, customer),
    ...(stage.actions.some((a) => a.channel === 'escalate') ? (['escalate'] as const) : []),
  ];
  const gate = await passBreakers(needed, now, deps);
  if (gate.kind === 'deferred') return defer(gate.until, PROVIDER_PAUSED_REASON);

  let slot: Slot | undefined;
  if (stage.actions.some((a) => a.channel !== 'escalate')) {
    const decided = await decideContact({ rule, stage, invoice, customer, timezone, now }, deps);
    if (decided.kind === 'covered') return next.result('sent', CONSOLIDATED_REASON);
    if (decided.kind === 'deferred') return defer(decided.until, decided.reason);
    slot = decided.slot;
  }

  const scope: ActionScope = {
    invoice,
    customer,
    messages: stageMessages({ invoice, customer, rule, stage, timezone, now }, deps),
    base,
    rule,
    companions: slot?.companions ?? [],
    consolidated: new Set<string>(),
    breakers: gate.session,
  };
  const performed = await performActions(stage, scope, deps);
  await settleSlot(customer.customerId, slot, { messages: performed.messages, consolidated: scope.consolidated }, deps);
  if (!performed.closed && performed.messages > 0) await recordOffers(stage, scope, timezone, deps);
  if (performed.closed) return closedResult(performed.closed);
  if (performed.deferredUntil) return defer(performed.deferredUntil, PROVIDER_PAUSED_REASON);
  return next.result(performed.done > 0 ? 'sent' : 'skipped');
}

/** The stage after this one: when it is due, and the step result that waits for it (or ends the walk). */
function nextStageOf(rule: BillingRule, stageIndex: number, invoice: Invoice, timezone: string, now: Date) {
  const nextStage = rule.stages[stageIndex + 1];
  const due = dueInstantOf(rule, stageIndex + 1, invoice, timezone);
  const result = (outcome: StepResult['outcome'], reason = ''): StepResult =>
    nextStage && due
      ? { outcome, stageId: nextStage.id, seconds: secondsUntil(now, due), until: due.toISOString(), reason }
      : { outcome, stageId: '', seconds: 1, until: '', reason };
  return { due, result };
}

/**
 * Every action of the stage in order, until the invoice turns out closed meanwhile or a channel's account is refused
 * (the stage is deferred; the channels done so far count as done when it is tried again): how many were done (sent,
 * escalated, or done by an earlier attempt) and how many of them were messages to the customer.
 */
async function performActions(
  stage: Stage,
  scope: ActionScope,
  deps: SendDeps,
): Promise<{ done: number; messages: number; closed?: Invoice; deferredUntil?: Date }> {
  let done = 0;
  let messages = 0;
  for (const action of stage.actions) {
    const outcome = await performAction(action, scope, deps);
    if (typeof outcome === 'object') {
      return 'closed' in outcome
        ? { done, messages, closed: outcome.closed }
        : { done, messages, deferredUntil: outcome.deferredUntil };
    }
    if (outcome === 'sent' || outcome === 'escalated' || outcome === 'already-done') done++;
    if (action.channel !== 'escalate' && (outcome === 'sent' || outcome === 'already-done')) messages++;
  }
  return { done, messages };
}

/**
 * The messages stated the offers (the invoice's own, and each listed invoice's): record them, so that paying the
 * stated amount in time settles the invoice. Never throws; a retried step records nothing twice.
 */
async function recordOffers(stage: Stage, scope: ActionScope, timezone: string, deps: SendDeps): Promise<void> {
  await offerEarlyPayment({ invoiceId: scope.invoice.invoiceId, stage, timezone }, deps);
  for (const c of scope.companions) {
    const companionStage = scope.rule.stages.find((s) => s.id === c.stageId);
    if (scope.consolidated.has(c.invoice.invoiceId) && companionStage) {
      await offerEarlyPayment({ invoiceId: c.invoice.invoiceId, stage: companionStage, timezone }, deps);
    }
  }
}
