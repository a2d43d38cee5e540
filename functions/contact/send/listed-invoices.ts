import { isContactable } from '../../invoices/invoice';
import { log } from '../../platform/logger';
import { type BillingRule, messageChannelsOf } from '../../rules/billing-rule';
import { CONSOLIDATED_REASON, type Companion } from '../consolidation';
import type { Channel } from '../contact-log';
import type { SendBase, SendDeps } from './send-deps';

/**
 * The other invoices a consolidated message lists (the companions its contact slot covers, see `./contact-slot.ts`
 * and `../consolidation.ts`): which of them a channel's message stands for, which are still contactable right
 * before it goes out, and the records each gets once it went out.
 */

/** The companions whose stage has a message on `channel`. */
export function companionsOn(
  channel: Channel,
  scope: { readonly companions: readonly Companion[]; readonly rule: BillingRule },
): Companion[] {
  if (channel === 'escalate') return [];
  return scope.companions.filter((c) => {
    const stage = scope.rule.stages.find((s) => s.id === c.stageId);
    return stage !== undefined && messageChannelsOf(stage).includes(channel);
  });
}

/** The companions as they are now (consistent reads), those still contactable. */
export async function stillContactable(companions: readonly Companion[], deps: SendDeps): Promise<Companion[]> {
  const current = await Promise.all(companions.map((c) => deps.invoices.getInvoice(c.invoice.invoiceId)));
  return companions.flatMap((c, i) => {
    const invoice = current[i];
    return invoice && isContactable(invoice.status) ? [{ ...c, invoice }] : [];
  });
}

/** What {@link recordConsolidated} needs: the message's step, the invoices it listed, and where to note them. */
export interface ListedScope {
  readonly base: SendBase;
  readonly rule: BillingRule;
  /** The companions the message listed. */
  readonly companions: readonly Companion[];
  /** Collects the companions a message went out for, on a channel of their stage. */
  readonly consolidated: Set<string>;
}

/**
 * The message went out listing `scope.companions`: for each whose stage has this channel, its send claim as already
 * sent with this message's id (its own step never sends it) and its contact log line, `sent` with reason
 * `consolidated:<invoice>`. A companion holding a claim of its own for it already keeps its own records. The message
 * is out: a failure here is logged, never retried (a retry would not send it again either).
 */
export async function recordConsolidated(
  scope: ListedScope,
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
      if ((await deps.sendClaims.recordConsolidatedSend(send, messageId, base.at, base.invoiceId)) === 'exists')
        continue;
      await deps.contactLog.logContact({
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
