import { localDaysBetween } from '../calendar/local-date';
import { InvoiceNotFound } from '../contracts/errors';
import type { StepResult } from '../contracts/step-result';
import { closedResult, dueInstantOf, stageIndexOf, type WorkflowDeps } from '../executions/workflow-steps';
import { earlyPaymentOffer } from '../invoices/early-payment';
import { offerEarlyPayment } from '../invoices/early-payment-offers';
import {
  type Customer,
  coveringContact,
  type EarlyPaymentOffer,
  type Invoice,
  type InvoiceStage,
  isContactable,
  type RecentContact,
} from '../invoices/invoice';
import { type MessageContext, type MessageOffer, type OtherInvoice, renderEmail, renderSms } from '../messages';
import { OFFER_TEMPLATES } from '../messages/template-names';
import { log } from '../platform/logger';
import { type BillingRule, messageChannelsOf, type Stage, type StageAction } from '../rules/billing-rule';
import { lateFees, lateFeeTermsOf } from '../rules/late-fee';
import { debtorTimezone, secondsUntil } from '../rules/schedule';
import { statementLinkFor } from '../statements/statement-links';
import type { Channel, ContactLogEntry } from '../stores/dunning-table';
import { CONSOLIDATED_REASON, type Companion, consolidationCompanions, reachableChannels } from './consolidation';
import { evaluateContact } from './contact-policy';
import type { Mailer } from './providers/mailer';
import type { OperatorsNotifier } from './providers/operators-notifier';
import { PermanentSendError, TransientSendError } from './providers/provider-errors';
import type { SmsSender } from './providers/sms-sender';
import { unsubscribeLinkToken } from './unsubscribe-token';

export interface CompanyIdentity {
  readonly legalName: string;
  readonly taxId: string;
  readonly supportContact?: string;
}

export interface SendDeps extends WorkflowDeps {
  readonly mailer: Mailer;
  readonly sms: SmsSender;
  readonly operators: OperatorsNotifier;
  readonly company: CompanyIdentity;
  /**
   * Public base URL of the API: emails then carry a one-click unsubscribe link (RFC 8058), and every message a link to
   * the debtor's statement (`<base>/statements/<token>`, the SMS while it fits).
   */
  readonly unsubscribeBaseUrl?: string;
}

/**
 * Send step: right before contacting, re-reads the invoice (still open?), checks whether a later stage already
 * superseded this one, asks the contact policy whether now is allowed (the hours of the stage's channels in the
 * debtor's zone, the rule's and the debtor's holidays, frequency caps), then performs every action of the stage.
 * Each channel is sent at most once per invoice·stage (idempotency claim), so a retried Lambda never sends twice.
 *
 * Consolidated messages: when other invoices of the customer wait for a stage due now whose channels are all among
 * this stage's (see `consolidationCompanions`), this stage's messages list them too, and the contact slot records
 * that it covers their stages. Their own send step then finds its stage covered and sends nothing (outcome `sent`).
 *
 * The messages carry the link to the debtor's statement (made once per step, right before the first message is
 * claimed: the customer's statement secret is created by the first one ever) and, for a stage with an `offer`, the
 * early-payment offer (`earlyPaymentOffer`, also each listed invoice's own). Once messages went out, the offers are
 * recorded on the invoices (`offerEarlyPayment`), so that paying the stated amount in time settles them.
 */
export async function sendStage(
  input: { invoiceId: string; rule: BillingRule; stageId: string },
  deps: SendDeps,
): Promise<StepResult> {
  const { rule, stageId } = input;
  const now = deps.now();
  const at = now.toISOString();
  const invoice = await deps.table.getInvoice(input.invoiceId);
  if (!invoice) throw new InvoiceNotFound(input.invoiceId);
  if (invoice.status !== 'OPEN' && invoice.status !== 'ESCALATED') return closedResult(invoice);
  const customer: Customer = (await deps.table.getCustomer(invoice.customer.customerId)) ?? invoice.customer;
  const timezone = debtorTimezone(rule, customer);
  const stageIndex = stageIndexOf(rule, stageId);
  const stage = rule.stages[stageIndex] as Stage;
  const nextStage = rule.stages[stageIndex + 1];
  const nextDue = dueInstantOf(rule, stageIndex + 1, invoice, timezone);
  const base = { at, invoiceId: invoice.invoiceId, customerId: customer.customerId, stageId };
  const toNext = (outcome: StepResult['outcome'], reason = ''): StepResult =>
    nextStage && nextDue
      ? { outcome, stageId: nextStage.id, seconds: secondsUntil(now, nextDue), until: nextDue.toISOString(), reason }
      : { outcome, stageId: '', seconds: 1, until: '', reason };

  // Another invoice's consolidated message listed this one for this stage: the stage is done, nothing to send.
  if (coveringContact(customer.recentContacts ?? [], invoice.invoiceId, stageId))
    return toNext('sent', CONSOLIDATED_REASON);

  if (nextDue && nextDue.getTime() <= now.getTime()) {
    await deps.table.logContact({ ...base, channel: '*', outcome: 'superseded', reason: 'superseded' });
    return toNext('superseded', 'superseded');
  }

  const messageActions = stage.actions.filter((a) => a.channel !== 'escalate');
  let slot: Slot | undefined;
  if (messageActions.length > 0) {
    const decided = await decideContact({ rule, stage, invoice, customer, timezone, now }, deps);
    if (decided.kind === 'covered') return toNext('sent', CONSOLIDATED_REASON);
    if (decided.kind === 'deferred') {
      const { until, reason } = decided;
      await deps.table.logContact({ ...base, channel: '*', outcome: 'deferred', reason, until: until.toISOString() });
      return { outcome: 'deferred', stageId, seconds: secondsUntil(now, until), until: until.toISOString(), reason };
    }
    slot = decided.slot;
  }

  const unsubscribeUrl = unsubscribeUrlOf(customer, deps.unsubscribeBaseUrl);
  const context = messageContext(invoice, customer, deps.company, timezone, now, rule, unsubscribeUrl);
  const companions = slot?.companions ?? [];
  const consolidated = new Set<string>();
  const stageById = (id: string) => rule.stages.find((s) => s.id === id);
  const otherInvoice = ({ invoice: other, stageId: otherStageId }: Companion): OtherInvoice => {
    const otherStage = stageById(otherStageId);
    const offer = otherStage && earlyPaymentOffer(otherStage, other, timezone, now);
    return {
      invoiceId: other.invoiceId,
      balance: { minor: other.balanceMinor, currency: other.amount.currency },
      dueDate: other.dueDate,
      daysFromDue: localDaysBetween(other.dueDate, now, timezone),
      ...(other.paymentUrl ? { paymentUrl: other.paymentUrl } : {}),
      ...(offer ? { offer: messageOffer(offer, other.amount.currency) } : {}),
    };
  };
  const offer = earlyPaymentOffer(stage, invoice, timezone, now);
  const scope: ActionScope = {
    invoice,
    customer,
    context,
    ...(offer ? { offer: messageOffer(offer, invoice.amount.currency) } : {}),
    statementLink: once(() => statementLinkOf(customer, deps)),
    base,
    stage,
    rule,
    companions,
    otherInvoice,
    consolidated,
  };
  let done = 0;
  let messages = 0;
  let closedMeanwhile: Invoice | undefined;
  for (const action of stage.actions) {
    const outcome = await performAction(action, scope, deps);
    if (typeof outcome === 'object') {
      closedMeanwhile = outcome.closed;
      break;
    }
    if (outcome === 'sent' || outcome === 'escalated' || outcome === 'already-done') done++;
    if (action.channel !== 'escalate' && (outcome === 'sent' || outcome === 'already-done')) messages++;
  }
  if (slot?.taken && messages === 0) {
    // A slot taken for a stage that reached nobody (no address, opted out, refused) is no contact: give it back,
    // and with it the other invoices' stages it covered (they perform them themselves).
    await deps.table.releaseContact(customer.customerId, slot.contact);
  } else if (slot && messages > 0) {
    // Invoices the slot covers that no message went out for after all (paid or on hold meanwhile, or their channel
    // failed): no longer covered, so that their walk performs the stage itself.
    const left = companions.filter((c) => !consolidated.has(c.invoice.invoiceId)).map((c) => c.invoice.invoiceId);
    if (left.length > 0) await deps.table.uncoverContact(customer.customerId, slot.contact, left);
  }
  if (!closedMeanwhile && messages > 0) {
    // The messages stated the offers (the invoice's own, and each listed invoice's): record them, so that paying the
    // stated amount in time settles the invoice. Never throws; a retried step records nothing twice.
    await offerEarlyPayment({ invoiceId: invoice.invoiceId, stage, timezone }, deps);
    for (const c of companions) {
      const companionStage = stageById(c.stageId);
      if (consolidated.has(c.invoice.invoiceId) && companionStage) {
        await offerEarlyPayment({ invoiceId: c.invoice.invoiceId, stage: companionStage, timezone }, deps);
      }
    }
  }
  if (closedMeanwhile) return closedResult(closedMeanwhile);
  return toNext(done > 0 ? 'sent' : 'skipped');
}

/** How many times the send step reads the customer again when another invoice took a contact slot meanwhile. */
const SLOT_ATTEMPTS = 5;

/** The contact slot a stage holds: whether this step took it (else a retried step holds it already), and whom it covers. */
interface Slot {
  readonly contact: RecentContact;
  readonly taken: boolean;
  /** The other invoices whose stage this stage's messages perform too (the slot's `covers`). */
  readonly companions: readonly Companion[];
}

type ContactDecision =
  | { readonly kind: 'deferred'; readonly until: Date; readonly reason: string }
  /** Another invoice took the slot meanwhile and its message covers this stage. */
  | { readonly kind: 'covered' }
  | { readonly kind: 'allowed'; readonly slot?: Slot };

/**
 * Asks the contact policy whether this stage may contact the customer now, and if so takes the contact slot the
 * frequency caps count, atomically: `recentContacts` on the customer is written only if nobody changed it since it
 * was read, so two invoices of one customer due at the same instant never both go out — the second one reads the
 * first one's contact and is deferred, or finds its stage covered by the first one's consolidated message. The slot
 * names (`covers`) the customer's other invoices whose stage, due now, this stage's messages perform too (one query
 * of the customer's invoices, once the policy allows). A slot this stage already holds (a retried step) is kept, not
 * taken twice, and keeps covering what it covered.
 */
async function decideContact(
  scope: {
    rule: BillingRule;
    stage: Stage;
    invoice: Invoice;
    customer: Customer;
    timezone: string;
    now: Date;
  },
  deps: SendDeps,
): Promise<ContactDecision> {
  const { rule, stage, invoice, timezone, now } = scope;
  const policy = rule.contactPolicy;
  const lookbackMs = Math.max((policy?.windowDays ?? 0) * 24, policy?.minHoursBetween ?? 0) * 3_600_000;
  const contact: RecentContact = { at: now.toISOString(), invoiceId: invoice.invoiceId, stageId: stage.id };
  let customer = scope.customer;
  let invoices: readonly Invoice[] | undefined;
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      customer = (await deps.table.getCustomer(customer.customerId)) ?? customer;
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
    invoices ??= await deps.table.customerInvoices(customer.customerId);
    const companions = consolidationCompanions({ ...scope, customer, invoices, covered: own?.covers ?? [] });
    const covers = companions.map((c): InvoiceStage => ({ invoiceId: c.invoice.invoiceId, stageId: c.stageId }));
    if (own?.at === contact.at && sameStages(own.covers ?? [], covers)) {
      return { kind: 'allowed', slot: { contact: own, taken: false, companions } };
    }
    // A retried step (throttled provider, a failure after a send) holds the slot it took earlier: move it to now,
    // when its messages go out, so no later contact is measured from an instant before them (later is the safe side).
    const read = { contacts: contacts.filter((c) => c !== own), version: customer.contactsVersion ?? 0 };
    const keepSince = new Date(now.getTime() - lookbackMs).toISOString();
    const slot: RecentContact = { ...contact, ...(covers.length > 0 ? { covers } : {}) };
    if ((await deps.table.reserveContact(customer.customerId, read, slot, keepSince)) === 'reserved') {
      return { kind: 'allowed', slot: { contact: slot, taken: own === undefined, companions } };
    }
  }
  throw new TransientSendError(
    `Customer ${customer.customerId}: its contacts kept changing while taking a contact slot; the step is retried`,
  );
}

function sameStages(a: readonly InvoiceStage[], b: readonly InvoiceStage[]): boolean {
  return a.length === b.length && a.every((s, i) => s.invoiceId === b[i]?.invoiceId && s.stageId === b[i]?.stageId);
}

interface ActionScope {
  readonly invoice: Invoice;
  readonly customer: Customer;
  /** What every message of the stage says (without the statement link, the offer and the listed invoices). */
  readonly context: MessageContext;
  /** The stage's early-payment offer, for the templates that state one. */
  readonly offer?: MessageOffer;
  /** The customer's statement link, made on the first call (the secret's one write the first time ever). */
  readonly statementLink: () => Promise<string | undefined>;
  readonly base: { at: string; invoiceId: string; customerId: string; stageId: string };
  readonly stage: Stage;
  readonly rule: BillingRule;
  /** Other invoices whose stage the messages perform too (listed while still contactable). */
  readonly companions: readonly Companion[];
  /** How a listed invoice appears in the message (with its own stage's offer). */
  readonly otherInvoice: (companion: Companion) => OtherInvoice;
  /** Collects the companions a message went out for, on a channel of their stage. */
  readonly consolidated: Set<string>;
}

/** The customer's one-click unsubscribe link, when the API's public URL is known and the customer has a secret. */
function unsubscribeUrlOf(customer: Customer, baseUrl: string | undefined): string | undefined {
  if (!baseUrl || !customer.unsubscribeToken) return undefined;
  const token = unsubscribeLinkToken(customer.customerId, customer.unsubscribeToken);
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe/${token}`;
}

/**
 * The customer's statement link for this step's messages, or undefined (no public base URL). A failure to make it
 * (the secret's first write) leaves the link out rather than holding the messages back: it is logged.
 */
async function statementLinkOf(customer: Customer, deps: SendDeps): Promise<string | undefined> {
  try {
    return await statementLinkFor(customer, deps.unsubscribeBaseUrl, deps);
  } catch (error) {
    log.warn('statement link left out of the messages', {
      customerId: customer.customerId,
      error: (error as Error).name,
    });
    return undefined;
  }
}

/** `make` called at most once; later calls get the first call's promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/** An offer as a message states it. */
function messageOffer(offer: EarlyPaymentOffer, currency: string): MessageOffer {
  return {
    discountPercent: offer.discountPercent,
    discounted: { minor: offer.payMinor, currency },
    payBy: offer.payBy,
  };
}

/** What one action came to; `closed` when the invoice stopped being contactable while the step ran (nothing sent). */
type ActionOutcome = ContactLogEntry['outcome'] | 'already-done' | { readonly closed: Invoice };

async function performAction(action: StageAction, scope: ActionScope, deps: SendDeps): Promise<ActionOutcome> {
  const { invoice, customer, base } = scope;
  const channel: Channel = action.channel;
  const template = action.channel === 'escalate' ? undefined : action.template;
  const skip = async (reason: string): Promise<ActionOutcome> => {
    await deps.table.logContact({ ...base, channel, outcome: 'skipped', reason, ...(template ? { template } : {}) });
    return 'skipped';
  };

  if (action.channel !== 'escalate') {
    const address = action.channel === 'email' ? customer.email : customer.phone;
    if (!address) return skip('no-contact-address');
    if (customer.optOuts?.includes(action.channel)) return skip('opted-out');
    if (action.channel === 'sms' && (await deps.sms.isOptedOut(address))) return skip('opted-out');
    if (action.channel === 'email' && (await deps.mailer.isSuppressed(address))) return skip('suppressed');
  }
  // A message is about to be claimed and sent: its statement link (before the claim, so that nothing can fail between
  // the claim and the provider call because of it).
  const statementUrl = action.channel === 'escalate' ? undefined : await scope.statementLink();

  const claim = await deps.table.claimSend(invoice.invoiceId, base.stageId, channel, base.at);
  if (claim !== 'claimed') {
    // Sent (or in doubt) by an earlier attempt, which listed the companions it had: keep them covered.
    for (const c of companionsOn(channel, scope)) scope.consolidated.add(c.invoice.invoiceId);
    return 'already-done';
  }
  // Right before the provider call: a payment (or pause, dispute) committed since the step read the invoice wins —
  // for the invoice and for each other invoice the message would list.
  const [current, listed] = await Promise.all([
    deps.table.getInvoice(invoice.invoiceId),
    action.channel === 'escalate' ? [] : stillContactable(scope.companions, deps),
  ]);
  if (!current || !isContactable(current.status)) {
    await deps.table.releaseSend(invoice.invoiceId, base.stageId, channel);
    return { closed: current ?? invoice };
  }
  const offer = template && OFFER_TEMPLATES.includes(template) ? scope.offer : undefined;
  const context: MessageContext = {
    ...scope.context,
    ...(statementUrl ? { statementUrl } : {}),
    ...(offer ? { offer } : {}),
    ...(listed.length > 0 ? { others: listed.map((c) => scope.otherInvoice(c)) } : {}),
  };

  let messageId: string;
  try {
    if (action.channel === 'escalate') {
      messageId = await deps.operators.notify(`Escalation: invoice ${invoice.invoiceId} → ${action.to}`, {
        kind: 'escalation',
        to: action.to,
        invoiceId: invoice.invoiceId,
        customerId: customer.customerId,
        stageId: base.stageId,
        balanceMinor: invoice.balanceMinor,
        currency: invoice.amount.currency,
        dueDate: invoice.dueDate,
      });
    } else if (action.channel === 'email') {
      const email = renderEmail(action.template, customer.locale, context);
      const unsubscribe = context.optOut.unsubscribeUrl;
      messageId = await deps.mailer.send({
        to: customer.email as string,
        subject: email.subject,
        html: email.html,
        text: email.text,
        tags: { invoice: invoice.invoiceId, stage: base.stageId, template: action.template },
        // RFC 8058: mail clients offer "unsubscribe" and POST `List-Unsubscribe=One-Click` to the link.
        ...(unsubscribe
          ? {
              headers: [
                { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
                { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
              ],
            }
          : {}),
      });
    } else {
      const sms = renderSms(action.template, customer.locale, context);
      messageId = await deps.sms.send(customer.phone as string, sms.text);
    }
  } catch (error) {
    if (error instanceof PermanentSendError) {
      // The provider refused this message for good: record it, keep the claim (never retry), go on with the
      // stage's other channels.
      await deps.table.logContact({
        ...base,
        channel,
        outcome: 'failed',
        reason: error.message,
        ...(template ? { template } : {}),
      });
      return 'failed';
    }
    if ((error as Error).name === 'TransientSendError') {
      // Nothing left the provider: give the claim back so the Step Functions retry can send it.
      await deps.table.releaseSend(invoice.invoiceId, base.stageId, channel);
    }
    throw error;
  }

  // The provider took the message: from here on a failure must neither send it again nor end the walk. The contact
  // log comes first (the audit trail); if it cannot be written the step is retried, and the claim, still PENDING
  // ("in doubt"), makes the retry count this channel as done without sending it again. A claim left PENDING by a
  // failed completion is just as safe, so that failure (and the status mark of an escalation) is only logged.
  const outcome = action.channel === 'escalate' ? 'escalated' : 'sent';
  const consolidates = listed.map((c) => c.invoice.invoiceId);
  try {
    await deps.table.logContact({
      ...base,
      channel,
      outcome,
      messageId,
      ...(template ? { template } : {}),
      ...(consolidates.length > 0 ? { consolidates } : {}),
    });
  } catch (error) {
    throw new TransientSendError(
      `${base.stageId} ${channel} went out (${messageId}) but recording it failed (${(error as Error).name}); ` +
        'the step is retried without sending it again',
    );
  }
  if (action.channel !== 'escalate') {
    await recordConsolidated({ ...scope, companions: listed }, action.channel, messageId, template, deps);
  }
  const where = { invoiceId: invoice.invoiceId, stageId: base.stageId, channel };
  await deps.table.completeSend(invoice.invoiceId, base.stageId, channel, messageId, base.at).catch((error) => {
    log.warn('send claim left in doubt (never sent again)', { ...where, error: (error as Error).name });
  });
  if (action.channel === 'escalate') {
    await deps.table.markEscalated(invoice.invoiceId, base.at).catch((error) => {
      log.warn('escalation sent, status not marked', { ...where, error: (error as Error).name });
    });
  }
  return outcome;
}

/** The companions whose stage has a message on `channel`. */
function companionsOn(channel: Channel, scope: Pick<ActionScope, 'companions' | 'rule'>): Companion[] {
  if (channel === 'escalate') return [];
  return scope.companions.filter((c) => {
    const stage = scope.rule.stages.find((s) => s.id === c.stageId);
    return stage !== undefined && messageChannelsOf(stage).includes(channel);
  });
}

/** The companions as they are now (consistent reads), those still contactable. */
async function stillContactable(companions: readonly Companion[], deps: SendDeps): Promise<Companion[]> {
  const current = await Promise.all(companions.map((c) => deps.table.getInvoice(c.invoice.invoiceId)));
  return companions.flatMap((c, i) => {
    const invoice = current[i];
    return invoice && isContactable(invoice.status) ? [{ ...c, invoice }] : [];
  });
}

/**
 * The message went out listing `scope.companions`: for each whose stage has this channel, its send claim as already
 * sent with this message's id (its own step never sends it) and its contact log line, `sent` with reason
 * `consolidated:<invoice>`. A companion holding a claim of its own for it already keeps its own records. The message
 * is out: a failure here is logged, never retried (a retry would not send it again either).
 */
async function recordConsolidated(
  scope: ActionScope,
  channel: 'email' | 'sms',
  messageId: string,
  template: string | undefined,
  deps: SendDeps,
): Promise<void> {
  const { base } = scope;
  for (const companion of companionsOn(channel, scope)) {
    const send = { invoiceId: companion.invoice.invoiceId, stageId: companion.stageId, channel };
    scope.consolidated.add(send.invoiceId);
    try {
      if ((await deps.table.recordConsolidatedSend(send, messageId, base.at, base.invoiceId)) === 'exists') continue;
      await deps.table.logContact({
        ...send,
        at: base.at,
        customerId: base.customerId,
        outcome: 'sent',
        messageId,
        reason: `${CONSOLIDATED_REASON}:${base.invoiceId}`,
        ...(template ? { template } : {}),
      });
    } catch (error) {
      log.warn('consolidated message sent, not recorded for a listed invoice', {
        ...send,
        into: base.invoiceId,
        error: (error as Error).name,
      });
    }
  }
}

/**
 * What the messages say. With a rule that charges late fees, once the invoice is late (whole days in the debtor's
 * zone), the fees to date and the updated amount; the post-due templates show them.
 */
function messageContext(
  invoice: Invoice,
  customer: Customer,
  company: CompanyIdentity,
  timezone: string,
  now: Date,
  rule: BillingRule,
  unsubscribeUrl: string | undefined,
): MessageContext {
  const balance = { minor: invoice.balanceMinor, currency: invoice.amount.currency };
  const daysFromDue = localDaysBetween(invoice.dueDate, now, timezone);
  const terms = lateFeeTermsOf(rule);
  const fees = terms && daysFromDue > 0 ? lateFees(balance, daysFromDue, terms) : undefined;
  return {
    company,
    customer: { name: customer.name },
    invoice: {
      invoiceId: invoice.invoiceId,
      amount: invoice.amount,
      balance,
      dueDate: invoice.dueDate,
      ...(invoice.paymentUrl ? { paymentUrl: invoice.paymentUrl } : {}),
      ...(invoice.description ? { description: invoice.description } : {}),
    },
    daysFromDue,
    ...(fees ? { lateFees: { fine: fees.fine, interest: fees.interest, total: fees.total } } : {}),
    optOut: unsubscribeUrl ? { unsubscribeUrl } : {},
  };
}
