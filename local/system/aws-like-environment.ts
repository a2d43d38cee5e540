import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { handlerEnvironment } from './handler-environment';

/**
 * The environment a deployed handler reads at import, for the default config, with AWS-looking names: the
 * variables the stack sets on each function (the same the local runtime gives them), a region and dummy
 * credentials. For loading a Lambda bundle outside Lambda (the cold-start bench, the bundle test); nothing is called.
 */
export function awsLikeHandlerEnvironment(): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    ...handlerEnvironment(
      loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE)),
      {
        tableName: 'dunning',
        bucket: 'dunning-drops',
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dunning-start',
        topicArn: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
      },
      'arn:aws:states:us-east-1:123456789012:stateMachine:dunning',
    ),
  };
}
