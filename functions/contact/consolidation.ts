import { type Customer, coveringContact, type Invoice, type InvoiceStage, isContactable } from '../invoices/invoice';
import { type BillingRule, type MessageChannel, messageChannelsOf, type Stage } from '../rules/billing-rule';
import { stageDueInstant } from '../rules/schedule';

/*
 * Consolidation: the customer's other invoices whose stage is due at the same time go out in one message instead of
 * several. That message is one contact for the frequency cap (./contact-policy.ts, which owns the cap and says where
 * its data comes from); the contact slot that records it names them in `covers` (./send/contact-slot.ts).
 */

/**
 * The stage's message channels this customer can receive (an address, not opted out): the contact policy opens the
 * stage when all of them are open. A channel that will be skipped does not hold the others back.
 */
export function reachableChannels(stage: Stage, customer: Customer): MessageChannel[] {
  return messageChannelsOf(stage).filter(
    (channel) => (channel === 'email' ? customer.email : customer.phone) && !customer.optOuts?.includes(channel),
  );
}

/**
 * The reason of a stage that went out in another invoice's consolidated message: `consolidated:<that invoice>` in the
 * contact log, `consolidated` on the simulator's timeline; also the send step's reason for the stage it found covered.
 */
export const CONSOLIDATED_REASON = 'consolidated';

/**
 * How long after its wait ended another invoice's stage still counts as "due now". Its own send step runs right
 * then (the same instant in the simulator, within seconds on AWS); an older `waitUntil` is a walk that is not
 * waiting any more (ended, failed), whose stage must not be claimed.
 */
export const DUE_NOW_MS = 15 * 60_000;

/** Another invoice of the customer whose stage one consolidated message performs too. */
export interface Companion {
  readonly invoice: Invoice;
  readonly stageId: string;
}

export interface ConsolidationScope {
  readonly rule: BillingRule;
  /** The invoice whose send step is running, and its stage (the contact policy allowed it now). */
  readonly invoice: Invoice;
  readonly stage: Stage;
  /** The customer as just read: its contact data and `recentContacts`. */
  readonly customer: Customer;
  /** The debtor's zone (the customer's, else the rule's). */
  readonly timezone: string;
  readonly now: Date;
  /** Every invoice of the customer (as the customer index has them). */
  readonly invoices: readonly Invoice[];
  /** Stages the running invoice's slot covers already (a retried step): they stay covered. */
  readonly covered?: readonly InvoiceStage[];
}

/**
 * The customer's other invoices whose stage is due at the same time as this one and can go out in this stage's
 * message instead of a message of their own (docs/formats.md counts them as one contact): contactable (OPEN, ESCALATED),
 * walking the same rule, waiting for a stage that is due now (its wait ended, `waitUntil` ≤ now, within
 * {@link DUE_NOW_MS}, and the next stage not yet due — that one would supersede it), a stage of messages only
 * (an escalation is no message to the debtor), whose channels the customer can receive are all among this stage's
 * (a channel of its own would go unsent), and not performed already (its own contact, or another message's cover).
 * Stages in `covered` stay companions while their invoice is contactable. In invoice-id order.
 */
export function consolidationCompanions(scope: ConsolidationScope): Companion[] {
  const { rule, invoice, customer, now } = scope;
  const channels = reachableChannels(scope.stage, customer);
  const contacts = customer.recentContacts ?? [];
  const companions: Companion[] = [];
  for (const other of [...scope.invoices].sort((a, b) => a.invoiceId.localeCompare(b.invoiceId))) {
    if (other.invoiceId === invoice.invoiceId || other.ruleId !== invoice.ruleId || !isContactable(other.status)) {
      continue;
    }
    const earlier = scope.covered?.find((c) => c.invoiceId === other.invoiceId);
    const stageId = earlier?.stageId ?? stageDueNow(other, rule, scope.timezone, now);
    const stage = rule.stages.find((s) => s.id === stageId);
    if (stageId === undefined || !stage || !fitsIn(stage, customer, channels)) continue;
    const done =
      contacts.some((c) => c.invoiceId === other.invoiceId && c.stageId === stageId) ||
      coveringContact(contacts, other.invoiceId, stageId) !== undefined;
    if (!earlier && done) continue;
    companions.push({ invoice: other, stageId });
  }
  return companions;
}

/** The stage `invoice`'s walk waits for when that stage is due now and is the one to perform (see above). */
function stageDueNow(invoice: Invoice, rule: BillingRule, timezone: string, now: Date): string | undefined {
  if (!invoice.currentStage || !invoice.waitUntil) return undefined;
  const waitEnded = Date.parse(invoice.waitUntil);
  if (!(waitEnded <= now.getTime() && waitEnded > now.getTime() - DUE_NOW_MS)) return undefined;
  const index = rule.stages.findIndex((s) => s.id === invoice.currentStage);
  const stage = rule.stages[index];
  if (!stage || stageDueInstant(invoice.dueDate, stage, timezone).getTime() > now.getTime()) return undefined;
  const next = rule.stages[index + 1];
  if (next && stageDueInstant(invoice.dueDate, next, timezone).getTime() <= now.getTime()) return undefined;
  return stage.id;
}

/** A stage of messages only, every channel of it the customer can receive among `channels`, and at least one. */
function fitsIn(stage: Stage, customer: Customer, channels: readonly MessageChannel[]): boolean {
  if (stage.actions.some((a) => a.channel === 'escalate')) return false;
  const own = reachableChannels(stage, customer);
  return own.length > 0 && own.every((channel) => channels.includes(channel));
}
