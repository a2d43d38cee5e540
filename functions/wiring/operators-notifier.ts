import { OperatorsNotifier } from '../contact/providers/operators-notifier';
import { sns, snsSend } from '../platform/aws/sns';
import { ENV, requireEnv } from '../platform/environment';

/** Publish through `snsSend` (no SDK retries: a retry after a reset connection would notify twice). */
export const operatorsNotifier = () => new OperatorsNotifier(snsSend, requireEnv(ENV.OPERATORS_TOPIC_ARN));

/**
 * For notices where a second copy is better than none (a walk that failed): Publish through the SNS client with the
 * SDK's retries, so a throttled or 5xx Publish is retried instead of failing the failure handler (the walk would then
 * end in `Failed` without the operators hearing of it).
 */
export const failureNotifier = () => new OperatorsNotifier(sns, requireEnv(ENV.OPERATORS_TOPIC_ARN));
