import { OperatorsNotifier } from '../../adapters/operators-notifier';
import { sns } from '../aws/sns';
import { ENV, requireEnv } from '../environment';

export const operatorsNotifier = () => new OperatorsNotifier(sns, requireEnv(ENV.OPERATORS_TOPIC_ARN));
