import { OperatorsNotifier } from '../contact/providers/operators-notifier';
import { sns } from '../platform/aws/sns';
import { ENV, requireEnv } from '../platform/environment';

export const operatorsNotifier = () => new OperatorsNotifier(sns, requireEnv(ENV.OPERATORS_TOPIC_ARN));
