import { type Customer, type Invoice, isContactable } from '../../invoices/invoice';
import { type MessageContext, renderEmail, renderSms } from '../../messages';
import { log } from '../../platform/logger';
import type { StageAction } from '../../rules/billing-rule';
import type { Channel, ContactLogEntry } from '../contact-log';
import {
  AccountSendError,
  PermanentSendError,
  SendInDoubtError,
  TransientSendError,
} from '../providers/provider-errors';
import { companionsOn, type ListedScope, recordConsolidated, stillContactable } from './listed-invoices';
import { actionContext, type StageMessages } from './message-context';
import type { SendDeps } from './send-deps';
import type { BreakerSession } from './sending-breaker';

/**
 * Delivery of one action of a stage (an email, an SMS, an escalation to the operators): the send claim that makes
 * each channel go out at most once per invoice·stage, the provider call, then completing the claim — or giving it
 * back (nothing left the provider) or leaving it in doubt (the provider took it, recording it failed). Provider
 * errors are classified by `../providers/provider-errors.ts`.
 */

export interface ActionScope extends ListedScope {
  readonly invoice: Invoice;
  readonly customer: Customer;
  /** What the templates need (`./message-context.ts`). */
  readonly messages: StageMessages;
  /** The channels' sending breakers as this step holds them (`./sending-breaker.ts`). */
  readonly breakers: BreakerSession;
}

/**
 * The reason of a contact-log line for a message whose send got no answer (connection reset, timeout): it may have
 * gone out, it counts as done and is never sent again (docs/architecture.md "Send claims").
 */
export const IN_DOUBT_REASON = 'in-doubt';

/**
 * What one action came to; `closed` when the invoice stopped being contactable while the step ran (nothing sent);
 * `deferredUntil` when the provider refused the account (its sending breaker is open; nothing sent, claim given back).
 */
export type ActionOutcome =
  | ContactLogEntry['outcome']
  | 'already-done'
  | { readonly closed: Invoice }
  | { readonly deferredUntil: Date };

export async function performAction(action: StageAction, scope: ActionScope, deps: SendDeps): Promise<ActionOutcome> {
  const { invoice, base } = scope;
  const channel: Channel = action.channel;
  const template = action.channel === 'escalate' ? undefined : action.template;

  if (action.channel !== 'escalate') {
    const reason = await unreachable(action.channel, scope.customer, deps);
    if (reason) {
      await deps.contactLog.logContact({
        ...base,
        channel,
        outcome: 'skipped',
        reason,
        ...(template ? { template } : {}),
      });
      return 'skipped';
    }
  }
  // A message is about to be claimed and sent: its statement link (before the claim, so that nothing can fail between
  // the claim and the provider call because of it).
  const statementUrl = action.channel === 'escalate' ? undefined : await scope.messages.statementLink();

  const claim = await deps.sendClaims.claimSend(invoice.invoiceId, base.stageId, channel, base.at);
  if (claim !== 'claimed') {
    // An earlier attempt claimed it and did not complete the claim: it may have gone out, so it counts as done and is
    // never sent again — and the audit trail says so, once (`settleInDoubt`).
    if (claim === 'in-doubt') await settleInDoubt(channel, template, scope, deps);
    // Sent (or in doubt) by an earlier attempt, which listed the companions it had: keep them covered.
    for (const c of companionsOn(channel, scope)) scope.consolidated.add(c.invoice.invoiceId);
    return 'already-done';
  }
  // Right before the provider call: a payment (or pause, dispute) committed since the step read the invoice wins —
  // for the invoice and for each other invoice the message would list.
  const [current, listed] = await Promise.all([
    deps.invoices.getInvoice(invoice.invoiceId),
    action.channel === 'escalate' ? [] : stillContactable(scope.companions, deps),
  ]);
  if (!current || !isContactable(current.status)) {
    await deps.sendClaims.releaseSend(invoice.invoiceId, base.stageId, channel);
    return { closed: current ?? invoice };
  }
  const context = actionContext(scope.messages, template, statementUrl, listed);

  let messageId: string;
  try {
    messageId = await callProvider(action, scope, context, deps);
  } catch (error) {
    return providerFailed(error, channel, template, scope, deps);
  }
  await scope.breakers.answered(channel);
  return recordDelivery(action, messageId, listed, scope, deps);
}

/** Why the customer cannot get a message on `channel` (skipped), or undefined. */
async function unreachable(
  channel: 'email' | 'sms',
  customer: Customer,
  deps: SendDeps,
): Promise<'no-contact-address' | 'opted-out' | 'suppressed' | undefined> {
  const address = channel === 'email' ? customer.email : customer.phone;
  if (!address) return 'no-contact-address';
  if (customer.optOuts?.includes(channel)) return 'opted-out';
  if (channel === 'sms' && (await deps.sms.isOptedOut(address))) return 'opted-out';
  if (channel === 'email' && (await deps.mailer.isSuppressed(address))) return 'suppressed';
  return undefined;
}

/** The provider call of one action; the provider's message id. */
async function callProvider(
  action: StageAction,
  scope: ActionScope,
  context: MessageContext,
  deps: SendDeps,
): Promise<string> {
  const { invoice, customer, base } = scope;
  switch (action.channel) {
    case 'escalate':
      return deps.operators.notify(
        `Escalation: invoice ${invoice.invoiceId} → ${action.to}`,
        {
          kind: 'escalation',
          to: action.to,
          invoiceId: invoice.invoiceId,
          customerId: customer.customerId,
          stageId: base.stageId,
          balanceMinor: invoice.balanceMinor,
          currency: invoice.amount.currency,
          dueDate: invoice.dueDate,
        },
        { invoice: invoice.invoiceId, stage: base.stageId },
      );
    case 'email': {
      const email = renderEmail(action.template, customer.locale, context);
      const unsubscribe = context.optOut.unsubscribeUrl;
      return deps.mailer.send({
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
    }
    case 'sms': {
      const sms = renderSms(action.template, customer.locale, context);
      return deps.sms.send(customer.phone as string, sms.text, { invoice: invoice.invoiceId, stage: base.stageId });
    }
  }
}

/**
 * The provider call failed. Refused for the account (`AccountSendError`): the claim given back, the channel's breaker
 * opened, the stage deferred. Refused for good (`PermanentSendError`): recorded, the claim kept (never retried), the
 * stage goes on with its other channels. No answer (`SendInDoubtError`: the connection was reset or timed out, the
 * provider may have taken it): recorded as sent in doubt (`sent`, reason `in-doubt`, no message id) and thrown — the
 * claim stays PENDING, so the Step Functions retry (the error's name is `TransientSendError`) counts the channel as
 * done without sending it again and goes on with the stage. Nothing left the provider (`TransientSendError`): the
 * claim is given back so the retry can send it, and the error thrown. Anything else: thrown.
 */
async function providerFailed(
  error: unknown,
  channel: Channel,
  template: string | undefined,
  scope: ActionScope,
  deps: SendDeps,
): Promise<ActionOutcome> {
  const { invoice, base } = scope;
  if (error instanceof AccountSendError) {
    // Refused for the account, not this message: nothing was sent, the claim goes back, the stage waits for the
    // channel's breaker.
    await deps.sendClaims.releaseSend(invoice.invoiceId, base.stageId, channel);
    return { deferredUntil: await scope.breakers.refused(channel, error) };
  }
  if (error instanceof PermanentSendError) {
    await scope.breakers.answered(channel);
    await deps.contactLog.logContact({
      ...base,
      channel,
      outcome: 'failed',
      reason: error.message,
      ...(template ? { template } : {}),
    });
    return 'failed';
  }
  if (error instanceof SendInDoubtError) {
    // The audit trail says the channel counts as done; if even this fails, the retry finds the claim in doubt.
    await recordInDoubt(channel, template, scope, deps);
    throw error;
  }
  if ((error as Error).name === 'TransientSendError') {
    await deps.sendClaims.releaseSend(invoice.invoiceId, base.stageId, channel);
  }
  throw error;
}

/**
 * A claim an earlier attempt left PENDING. If that attempt recorded the send (the contact log has the line; only the
 * claim's completion failed), the claim is completed with its message id and nothing is logged again; if it died
 * before recording (a crash right after the provider call), the channel is recorded as sent in doubt. One Query of
 * the invoice's history, on this rare path only. Failures are logged, never thrown.
 */
async function settleInDoubt(
  channel: Channel,
  template: string | undefined,
  scope: ActionScope,
  deps: SendDeps,
): Promise<void> {
  const { invoice, base } = scope;
  try {
    const { contacts } = await deps.auditLog.invoiceHistory(invoice.invoiceId);
    const recorded = contacts.find(
      (c) => c.stageId === base.stageId && c.channel === channel && (c.outcome === 'sent' || c.outcome === 'escalated'),
    );
    if (recorded) {
      const messageId = recorded.messageId ?? IN_DOUBT_REASON;
      await deps.sendClaims.completeSend(invoice.invoiceId, base.stageId, channel, messageId, base.at);
      return;
    }
  } catch (error) {
    log.warn('in-doubt send not settled', { invoiceId: invoice.invoiceId, channel, error: (error as Error).name });
    return;
  }
  await recordInDoubt(channel, template, scope, deps);
}

/**
 * A channel sent in doubt (no answer from the provider, or an earlier attempt that died after claiming it): the contact
 * log line (`sent`, reason `in-doubt`, no message id), then the claim completed as sent (`in-doubt`), so a later attempt
 * finds it sent and logs nothing more. Failures are logged, never thrown: a claim left in doubt is never sent again.
 */
async function recordInDoubt(
  channel: Channel,
  template: string | undefined,
  scope: ActionScope,
  deps: SendDeps,
): Promise<void> {
  const { invoice, base } = scope;
  const where = { invoiceId: invoice.invoiceId, stageId: base.stageId, channel };
  try {
    await deps.contactLog.logContact({
      ...base,
      channel,
      outcome: channel === 'escalate' ? 'escalated' : 'sent',
      reason: IN_DOUBT_REASON,
      ...(template ? { template } : {}),
    });
    await deps.sendClaims.completeSend(invoice.invoiceId, base.stageId, channel, IN_DOUBT_REASON, base.at);
  } catch (error) {
    log.warn('in-doubt send not recorded', { ...where, error: (error as Error).name });
  }
}

/**
 * The provider took the message: from here on a failure must neither send it again nor end the walk. The contact
 * log comes first (the audit trail); if it cannot be written the step is retried, and the claim, still PENDING
 * ("in doubt"), makes the retry count this channel as done without sending it again. A claim left PENDING by a
 * failed completion is just as safe, so that failure (and the status mark of an escalation) is only logged.
 */
async function recordDelivery(
  action: StageAction,
  messageId: string,
  listed: ListedScope['companions'],
  scope: ActionScope,
  deps: SendDeps,
): Promise<ActionOutcome> {
  const { invoice, base } = scope;
  const channel: Channel = action.channel;
  const template = action.channel === 'escalate' ? undefined : action.template;
  const outcome = action.channel === 'escalate' ? 'escalated' : 'sent';
  const consolidates = listed.map((c) => c.invoice.invoiceId);
  try {
    await deps.contactLog.logContact({
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
  await deps.sendClaims.completeSend(invoice.invoiceId, base.stageId, channel, messageId, base.at).catch((error) => {
    log.warn('send claim left in doubt (never sent again)', { ...where, error: (error as Error).name });
  });
  if (action.channel === 'escalate') {
    await deps.invoices.markEscalated(invoice.invoiceId, base.at).catch((error) => {
      log.warn('escalation sent, status not marked', { ...where, error: (error as Error).name });
    });
  }
  return outcome;
}
