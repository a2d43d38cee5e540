import { DunningTable } from '../../adapters/dunning-table';
import { dynamo } from '../aws/dynamo';
import { ENV, requireEnv } from '../environment';

export const dunningTable = () => new DunningTable(dynamo, requireEnv(ENV.TABLE_NAME));
