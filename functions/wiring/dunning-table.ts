import { dynamo } from '../platform/aws/dynamo';
import { ENV, requireEnv } from '../platform/environment';
import { DunningTable } from '../stores/dunning-table';

export const dunningTable = () => new DunningTable(dynamo, requireEnv(ENV.TABLE_NAME));
