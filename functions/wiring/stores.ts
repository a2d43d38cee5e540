import { dynamo } from '../platform/aws/dynamo';
import { ENV, requireEnv } from '../platform/environment';
import { dynamoStores } from '../stores/dynamodb';
import type { Stores } from '../stores/stores';

/**
 * The stores on the single DynamoDB table `TABLE_NAME` (stores/dynamodb/), under the names the services' deps take
 * them by: a handler spreads them into its deps once, at module load.
 */
export const stores = (): Stores => dynamoStores(dynamo, requireEnv(ENV.TABLE_NAME));
