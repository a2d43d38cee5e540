import { log } from '../../platform/logger';
import type { Channel } from '../contact-log';
import type { AccountSendError } from '../providers/provider-errors';
import type { SendingBreaker } from '../sending-breakers';
import type { SendDeps } from './send-deps';

/**
 * The sending breakers in the send step (docs/architecture.md "Workflow", account-level refusals). An account-level
 * refusal (SES account suspended or sending paused, MAIL FROM not verified, the sandbox; SNS not authorized, the
 * topic's KMS key unusable) would refuse every message on the channel: the first send that meets one opens the
 * channel's breaker with one conditional write — whoever wins it tells the operators, once — gives its claim back and
 * defers its stage. While the breaker is open, a stage needing the channel is deferred until `probeAt` without calling
 * the provider. From `probeAt` one send is let through (half-open, taken by a conditional write, held for
 * `PROBE_LEASE_MS`): its success closes the breaker (the operators are told sending resumed), another account-level
 * refusal opens it again for twice the interval (15 minutes at first, at most 6 hours).
 */

/** The first interval before a probe: 15 minutes. */
export const FIRST_PROBE_INTERVAL_SECONDS = 15 * 60;
/** The longest interval before a probe: 6 hours (the interval doubles at each refused probe). */
export const MAX_PROBE_INTERVAL_SECONDS = 6 * 3600;
/**
 * How long a probe holds the half-open breaker: if its send step dies before answering (Lambda timeout, a crash),
 * another step may probe after this. Far above the send step's Lambda timeout.
 */
export const PROBE_LEASE_MS = 5 * 60_000;
/** The reason of a stage deferred by an open breaker (contact log, step result). */
export const PROVIDER_PAUSED_REASON = 'provider-paused';

/** What the breakers let a send step do: go (holding the probes it took), or defer the stage until `until`. */
export type BreakerGate =
  | { readonly kind: 'go'; readonly session: BreakerSession }
  | { readonly kind: 'deferred'; readonly until: Date };

/**
 * Reads the breakers once (one GetItem) for the channels the stage needs. A channel whose breaker is open and not yet
 * due for a probe defers the stage until its `probeAt` (all channels of a stage go out together); a due one is taken
 * as this step's probe (a conditional write: a step that loses it defers for the probe's lease).
 */
export async function passBreakers(channels: readonly Channel[], now: Date, deps: SendDeps): Promise<BreakerGate> {
  const read = channels.length > 0 ? await deps.sendingBreakers.sendingBreakers() : {};
  const held = new Map<Channel, SendingBreaker>();
  for (const channel of channels) {
    const breaker = read[channel];
    if (breaker) held.set(channel, breaker);
  }
  const open = [...held.values()].filter((b) => b.state === 'open');
  const waiting = open.filter((b) => Date.parse(b.probeAt) > now.getTime());
  if (waiting.length > 0) {
    return { kind: 'deferred', until: new Date(Math.max(...waiting.map((b) => Date.parse(b.probeAt)))) };
  }
  for (const breaker of open) {
    const probe: SendingBreaker = {
      ...breaker,
      probing: true,
      probeAt: new Date(now.getTime() + PROBE_LEASE_MS).toISOString(),
      updatedAt: now.toISOString(),
      version: breaker.version + 1,
    };
    if (!(await deps.sendingBreakers.writeSendingBreaker(probe, breaker.version))) {
      return { kind: 'deferred', until: new Date(now.getTime() + PROBE_LEASE_MS) };
    }
    held.set(breaker.channel, probe);
    log.info('sending breaker probe', { channel: breaker.channel, since: breaker.since });
  }
  return { kind: 'go', session: new BreakerSession(held, now, deps) };
}

/** The breakers as one send step holds them: what its sends' answers do to them. */
export class BreakerSession {
  constructor(
    private readonly held: Map<Channel, SendingBreaker>,
    private readonly now: Date,
    private readonly deps: Pick<SendDeps, 'sendingBreakers' | 'operators'>,
  ) {}

  /**
   * The provider answered a send on `channel` (it took the message, or refused this one message for its own
   * reasons): the account works. A probe closes the breaker; whoever wins that write tells the operators.
   */
  async answered(channel: Channel): Promise<void> {
    const breaker = this.held.get(channel);
    if (breaker?.state !== 'open') return;
    const closed: SendingBreaker = {
      ...breaker,
      state: 'closed',
      probing: false,
      updatedAt: this.now.toISOString(),
      version: breaker.version + 1,
    };
    if (!(await this.deps.sendingBreakers.writeSendingBreaker(closed, breaker.version))) return;
    this.held.set(channel, closed);
    log.info('sending breaker closed', { channel, since: breaker.since });
    await this.tell(`Sending resumed: ${channel}`, {
      kind: 'sending-resumed',
      channel,
      reason: breaker.reason,
      since: breaker.since,
      resumedAt: this.now.toISOString(),
    });
  }

  /**
   * The provider refused a send on `channel` for the account: opens the breaker (whoever wins the write tells the
   * operators: what, which channel, since when), or, after a probe, opens it again for twice the interval. The instant
   * until which the stage is deferred.
   */
  async refused(channel: Channel, error: AccountSendError): Promise<Date> {
    const breaker = this.held.get(channel);
    const reopening = breaker?.state === 'open';
    const intervalSeconds = reopening
      ? Math.min(breaker.intervalSeconds * 2, MAX_PROBE_INTERVAL_SECONDS)
      : FIRST_PROBE_INTERVAL_SECONDS;
    const probeAt = new Date(this.now.getTime() + intervalSeconds * 1000);
    const at = this.now.toISOString();
    const opened: SendingBreaker = {
      channel,
      state: 'open',
      reason: error.reason,
      detail: error.message,
      since: reopening ? breaker.since : at,
      probeAt: probeAt.toISOString(),
      intervalSeconds,
      probing: false,
      updatedAt: at,
      version: (breaker?.version ?? 0) + 1,
    };
    if (!(await this.deps.sendingBreakers.writeSendingBreaker(opened, breaker?.version ?? 0))) {
      // Someone else opened (or probed) it meanwhile, and told the operators: defer for a first interval.
      return new Date(this.now.getTime() + FIRST_PROBE_INTERVAL_SECONDS * 1000);
    }
    this.held.set(channel, opened);
    log.warn(reopening ? 'sending breaker reopened' : 'sending breaker opened', { channel, reason: error.reason });
    if (!reopening) {
      await this.tell(`Sending paused: ${channel} refused by the provider (${error.reason})`, {
        kind: 'sending-paused',
        channel,
        reason: error.reason,
        detail: error.message,
        since: at,
        nextProbeAt: opened.probeAt,
      });
    }
    return probeAt;
  }

  /**
   * A notice to the operators' topic. Its failure does not undo the breaker's write nor fail the step (the stage is
   * deferred either way): it is logged as an error, which the Lambda error metric and the logs show.
   */
  private async tell(subject: string, message: Record<string, unknown>): Promise<void> {
    await this.deps.operators.notify(subject, message).catch((error) => {
      log.error('operators not told about the sending breaker', {
        channel: message.channel as string,
        error: (error as Error).name,
      });
    });
  }
}
