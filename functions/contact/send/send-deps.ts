import type { WorkflowDeps } from '../../executions/workflow-steps';
import type { CompanyIdentity } from '../../messages';
import type { ContactSlots } from '../contact-slots';
import type { Mailer } from '../providers/mailer';
import type { OperatorsNotifier } from '../providers/operators-notifier';
import type { SmsSender } from '../providers/sms-sender';
import type { SendClaims } from '../send-claims';
import type { SendingBreakers } from '../sending-breakers';

/** What the send step (`../send-stage.ts`) and its parts in this folder work with. */
export interface SendDeps extends WorkflowDeps {
  readonly contactSlots: ContactSlots;
  readonly sendClaims: SendClaims;
  /** The channels' sending breakers (account-level refusals): `./sending-breaker.ts`. */
  readonly sendingBreakers: SendingBreakers;
  readonly mailer: Mailer;
  readonly sms: SmsSender;
  readonly operators: OperatorsNotifier;
  readonly company: CompanyIdentity;
  /**
   * Public base URL of the API: emails then carry a one-click unsubscribe link (RFC 8058), and every message a link to
   * the debtor's statement (`<base>/statements/<token>`, the SMS while it fits).
   */
  readonly unsubscribeBaseUrl?: string | undefined;
}

/** The step's instant, invoice, customer and stage: the fields every contact log line of the step starts with. */
export interface SendBase {
  readonly at: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly stageId: string;
}
