import { OperatorsNotifier } from '../contact/providers/operators-notifier';
import { snsSend } from '../platform/aws/sns';
import { ENV, requireEnv } from '../platform/environment';

/** Publish through `snsSend` (no SDK retries: a retry after a reset connection would notify twice). */
export const operatorsNotifier = () => new OperatorsNotifier(snsSend, requireEnv(ENV.OPERATORS_TOPIC_ARN));
