import type { StepResult } from '../../state-machines/step-result';
import type { Channel, ContactLogEntry } from '../adapters/dunning-table';
import {
  type Mailer,
  type OperatorsNotifier,
  PermanentSendError,
  type SmsSender,
  TransientSendError,
} from '../adapters/providers';
import {
  type BillingRule,
  type MessageChannel,
  messageChannelsOf,
  type Stage,
  type StageAction,
} from '../domain/billing-rule';
import { evaluateContact } from '../domain/contact-policy';
import { type Customer, type Invoice, isContactable, type RecentContact } from '../domain/invoice';
import { lateFees, lateFeeTermsOf } from '../domain/late-fee';
import { localDaysBetween } from '../domain/local-date';
import { type MessageContext, renderEmail, renderSms } from '../domain/messages';
import { debtorTimezone, secondsUntil } from '../domain/schedule';
import { unsubscribeLinkToken } from '../domain/unsubscribe-token';
import { log } from '../shared/logger';
import { InvoiceNotFound } from './errors';
import { closedResult, dueInstantOf, stageIndexOf, type WorkflowDeps } from './workflow-steps';

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
  /** Public base URL of the API: emails then carry a one-click unsubscribe link (RFC 8058). */
  readonly unsubscribeBaseUrl?: string;
}

/**
 * The stage's message channels this customer can receive (an address, not opted out): the contact policy opens the
 * stage when all of them are open. A channel that will be skipped does not hold the others back.
 */
function reachableChannels(stage: Stage, customer: Customer): MessageChannel[] {
  return messageChannelsOf(stage).filter(
    (channel) => (channel === 'email' ? customer.email : customer.phone) && !customer.optOuts?.includes(channel),
  );
}

/**
 * Send step: right before contacting, re-reads the invoice (still open?), checks whether a later stage already
 * superseded this one, asks the contact policy whether now is allowed (the hours of the stage's channels in the
 * debtor's zone, the rule's and the debtor's holidays, frequency caps), then performs every action of the stage.
 * Each channel is sent at most once per invoice·stage (idempotency claim), so a retried Lambda never sends twice.
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

  if (nextDue && nextDue.getTime() <= now.getTime()) {
    await deps.table.logContact({ ...base, channel: '*', outcome: 'superseded', reason: 'superseded' });
    return toNext('superseded', 'superseded');
  }

  const messageActions = stage.actions.filter((a) => a.channel !== 'escalate');
  let slot: { contact: RecentContact; taken: boolean } | undefined;
  if (messageActions.length > 0) {
    const decided = await decideContact({ rule, stage, invoice, customer, timezone, now }, deps);
    if (decided.kind === 'deferred') {
      const { until, reason } = decided;
      await deps.table.logContact({ ...base, channel: '*', outcome: 'deferred', reason, until: until.toISOString() });
      return { outcome: 'deferred', stageId, seconds: secondsUntil(now, until), until: until.toISOString(), reason };
    }
    slot = decided.slot;
  }

  const unsubscribeUrl = unsubscribeUrlOf(customer, deps.unsubscribeBaseUrl);
  const context = messageContext(invoice, customer, deps.company, timezone, now, rule, unsubscribeUrl);
  let done = 0;
  let messages = 0;
  let closedMeanwhile: Invoice | undefined;
  for (const action of stage.actions) {
    const outcome = await performAction(action, { invoice, customer, context, base, stage }, deps);
    if (typeof outcome === 'object') {
      closedMeanwhile = outcome.closed;
      break;
    }
    if (outcome === 'sent' || outcome === 'escalated' || outcome === 'already-done') done++;
    if (action.channel !== 'escalate' && (outcome === 'sent' || outcome === 'already-done')) messages++;
  }
  // A slot taken for a stage that reached nobody (no address, opted out, refused) is no contact: give it back.
  if (slot?.taken && messages === 0) await deps.table.releaseContact(customer.customerId, slot.contact);
  if (closedMeanwhile) return closedResult(closedMeanwhile);
  return toNext(done > 0 ? 'sent' : 'skipped');
}

/** How many times the send step reads the customer again when another invoice took a contact slot meanwhile. */
const SLOT_ATTEMPTS = 5;

type ContactDecision =
  | { readonly kind: 'deferred'; readonly until: Date; readonly reason: string }
  | { readonly kind: 'allowed'; readonly slot?: { contact: RecentContact; taken: boolean } };

/**
 * Asks the contact policy whether this stage may contact the customer now, and if so takes the contact slot the
 * frequency caps count, atomically: `recentContacts` on the customer is written only if nobody changed it since it
 * was read, so two invoices of one customer due at the same instant never both go out — the second one reads the
 * first one's contact and is deferred. A slot this stage already holds (a retried step) is kept, not taken twice.
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
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    if (attempt > 0) customer = (await deps.table.getCustomer(customer.customerId)) ?? customer;
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
    if (own?.at === contact.at) return { kind: 'allowed', slot: { contact: own, taken: false } };
    // A retried step (throttled provider, a failure after a send) holds the slot it took earlier: move it to now,
    // when its messages go out, so no later contact is measured from an instant before them (later is the safe side).
    const read = { contacts: contacts.filter((c) => c !== own), version: customer.contactsVersion ?? 0 };
    const keepSince = new Date(now.getTime() - lookbackMs).toISOString();
    if ((await deps.table.reserveContact(customer.customerId, read, contact, keepSince)) === 'reserved') {
      return { kind: 'allowed', slot: { contact, taken: own === undefined } };
    }
  }
  throw new TransientSendError(
    `Customer ${customer.customerId}: its contacts kept changing while taking a contact slot; the step is retried`,
  );
}

interface ActionScope {
  readonly invoice: Invoice;
  readonly customer: Customer;
  readonly context: MessageContext;
  readonly base: { at: string; invoiceId: string; customerId: string; stageId: string };
  readonly stage: Stage;
}

/** The customer's one-click unsubscribe link, when the API's public URL is known and the customer has a secret. */
function unsubscribeUrlOf(customer: Customer, baseUrl: string | undefined): string | undefined {
  if (!baseUrl || !customer.unsubscribeToken) return undefined;
  const token = unsubscribeLinkToken(customer.customerId, customer.unsubscribeToken);
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe/${token}`;
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

  const claim = await deps.table.claimSend(invoice.invoiceId, base.stageId, channel, base.at);
  if (claim !== 'claimed') return 'already-done';
  // Right before the provider call: a payment (or pause, dispute) committed since the step read the invoice wins.
  const current = await deps.table.getInvoice(invoice.invoiceId);
  if (!current || !isContactable(current.status)) {
    await deps.table.releaseSend(invoice.invoiceId, base.stageId, channel);
    return { closed: current ?? invoice };
  }

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
      const email = renderEmail(action.template, customer.locale, scope.context);
      const unsubscribe = scope.context.optOut.unsubscribeUrl;
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
      const sms = renderSms(action.template, customer.locale, scope.context);
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
  try {
    await deps.table.logContact({ ...base, channel, outcome, messageId, ...(template ? { template } : {}) });
  } catch (error) {
    throw new TransientSendError(
      `${base.stageId} ${channel} went out (${messageId}) but recording it failed (${(error as Error).name}); ` +
        'the step is retried without sending it again',
    );
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
