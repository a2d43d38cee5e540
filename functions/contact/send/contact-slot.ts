import {
  type Customer,
  coveringContact,
  type Invoice,
  type InvoiceStage,
  type RecentContact,
} from '../../invoices/invoice';
import type { BillingRule, Stage } from '../../rules/billing-rule';
import { type Companion, consolidationCompanions, reachableChannels } from '../consolidation';
import { evaluateContact } from '../contact-policy';
import { TransientSendError } from '../providers/provider-errors';
import type { SendDeps } from './send-deps';

/**
 * The customer's contact slot: how the frequency cap of `../contact-policy.ts` holds across the customer's invoices.
 * The cap counts the entries of `recentContacts` on the customer record (one per stage that reached the customer,
 * whichever invoice it was for); the send step takes an entry (the slot) before its messages go out, gives it back
 * when none did, and narrows what it covers when some listed invoices were not in the message after all.
 */

/** The rule's frequency caps (`contactPolicy`): a slot is taken only under one. */
type ContactPolicy = NonNullable<BillingRule['contactPolicy']>;

/** How many times the send step reads the customer again when another invoice took a contact slot meanwhile. */
const SLOT_ATTEMPTS = 5;

/** The contact slot a stage holds: whether this step took it (else a retried step holds it already), and whom it covers. */
export interface Slot {
  readonly contact: RecentContact;
  readonly taken: boolean;
  /** The other invoices whose stage this stage's messages perform too (the slot's `covers`). */
  readonly companions: readonly Companion[];
}

export type ContactDecision =
  | { readonly kind: 'deferred'; readonly until: Date; readonly reason: string }
  /** Another invoice took the slot meanwhile and its message covers this stage. */
  | { readonly kind: 'covered' }
  | { readonly kind: 'allowed'; readonly slot?: Slot };

export interface ContactRequest {
  readonly rule: BillingRule;
  readonly stage: Stage;
  readonly invoice: Invoice;
  readonly customer: Customer;
  readonly timezone: string;
  readonly now: Date;
}

/**
 * Asks the contact policy whether this stage may contact the customer now, and if so takes the contact slot the
 * frequency caps count, atomically: `recentContacts` on the customer is written only if nobody changed it since it
 * was read, so two invoices of one customer due at the same instant never both go out — the second one reads the
 * first one's contact and is deferred, or finds its stage covered by the first one's consolidated message. The slot
 * names (`covers`) the customer's other invoices whose stage, due now, this stage's messages perform too (one query
 * of the customer's invoices, once the policy allows). A slot this stage already holds (a retried step) is kept, not
 * taken twice, and keeps covering what it covered.
 */
export async function decideContact(request: ContactRequest, deps: SendDeps): Promise<ContactDecision> {
  const { rule, stage, invoice, timezone, now } = request;
  const policy = rule.contactPolicy;
  let customer = request.customer;
  let invoices: readonly Invoice[] | undefined;
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      customer = (await deps.customers.getCustomer(customer.customerId)) ?? customer;
      // The invoice that took the slot meanwhile may have listed this one in its message.
      if (coveringContact(customer.recentContacts ?? [], invoice.invoiceId, stage.id)) return { kind: 'covered' };
    }
    const contacts = policy ? (customer.recentContacts ?? []) : [];
    const own = contacts.find((c) => c.invoiceId === invoice.invoiceId && c.stageId === stage.id);
    const decision = evaluateContact({
      now,
      rule,
      debtor: { timezone, country: customer.country, region: customer.region },
      history: contacts.filter((c) => c !== own).map((c) => new Date(c.at)),
      channels: reachableChannels(stage, customer),
    });
    if (!decision.allowed) return { kind: 'deferred', until: decision.nextAllowedAt, reason: decision.reason };
    if (!policy) return { kind: 'allowed' };
    invoices ??= await deps.invoices.customerInvoices(customer.customerId);
    const slot = await takeSlot({ ...request, customer }, policy, { contacts, own, invoices }, deps);
    if (slot) return { kind: 'allowed', slot };
  }
  throw new TransientSendError(
    `Customer ${customer.customerId}: its contacts kept changing while taking a contact slot; the step is retried`,
  );
}

/**
 * One attempt at the slot, from the customer as read: the slot this stage holds already when it is current (same
 * instant, same covers), else a conditional write of `recentContacts`; undefined when someone changed them meanwhile.
 */
async function takeSlot(
  request: ContactRequest,
  policy: ContactPolicy,
  read: { contacts: readonly RecentContact[]; own: RecentContact | undefined; invoices: readonly Invoice[] },
  deps: SendDeps,
): Promise<Slot | undefined> {
  const { stage, invoice, customer, now } = request;
  const { contacts, own, invoices } = read;
  const contact: RecentContact = { at: now.toISOString(), invoiceId: invoice.invoiceId, stageId: stage.id };
  const companions = consolidationCompanions({ ...request, invoices, covered: own?.covers ?? [] });
  const covers = companions.map((c): InvoiceStage => ({ invoiceId: c.invoice.invoiceId, stageId: c.stageId }));
  if (own?.at === contact.at && sameStages(own.covers ?? [], covers)) {
    return { contact: own, taken: false, companions };
  }
  // A retried step (throttled provider, a failure after a send) holds the slot it took earlier: move it to now,
  // when its messages go out, so no later contact is measured from an instant before them (later is the safe side).
  const unchanged = { contacts: contacts.filter((c) => c !== own), version: customer.contactsVersion ?? 0 };
  const keepSince = new Date(now.getTime() - lookbackMs(policy)).toISOString();
  const slot: RecentContact = { ...contact, ...(covers.length > 0 ? { covers } : {}) };
  if ((await deps.contactSlots.reserveContact(customer.customerId, unchanged, slot, keepSince)) === 'reserved') {
    return { contact: slot, taken: own === undefined, companions };
  }
  return undefined;
}

/** How far back the policy looks: contacts older than that are dropped from `recentContacts` when a slot is taken. */
function lookbackMs(policy: ContactPolicy): number {
  return Math.max((policy.windowDays ?? 0) * 24, policy.minHoursBetween ?? 0) * 3_600_000;
}

function sameStages(a: readonly InvoiceStage[], b: readonly InvoiceStage[]): boolean {
  return a.length === b.length && a.every((s, i) => s.invoiceId === b[i]?.invoiceId && s.stageId === b[i]?.stageId);
}

/**
 * After the stage's actions: a slot taken for a stage that reached nobody (no address, opted out, refused) is no
 * contact, so it is given back, and with it the other invoices' stages it covered (they perform them themselves).
 * When messages went out, the invoices the slot covers that no message went out for after all (paid or on hold
 * meanwhile, or their channel failed) are no longer covered, so that their walk performs the stage itself.
 */
export async function settleSlot(
  customerId: string,
  slot: Slot | undefined,
  sent: { readonly messages: number; readonly consolidated: ReadonlySet<string> },
  deps: SendDeps,
): Promise<void> {
  if (slot?.taken && sent.messages === 0) {
    await deps.contactSlots.releaseContact(customerId, slot.contact);
  } else if (slot && sent.messages > 0) {
    const left = slot.companions
      .filter((c) => !sent.consolidated.has(c.invoice.invoiceId))
      .map((c) => c.invoice.invoiceId);
    if (left.length > 0) await deps.contactSlots.uncoverContact(customerId, slot.contact, left);
  }
}
