import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CUSTOMER_INDEX, TABLE_KEY, TTL_ATTRIBUTE } from '../../functions/contracts/table-layout';

/** What a function may do with the table's items: read only, or read and write. */
export type TableAccess = 'R' | 'RW';

/** The single table as the functions see it: its name, and a grant scoped to the table and its named indexes. */
export interface IDunningTable {
  readonly tableName: string;
  readonly tableArn: string;
  /** Grants item-level access on the table and its indexes (no Scan, no table management). */
  grantData(grantee: IGrantable, access: TableAccess): Grant;
}

export interface DunningTableProps {
  /**
   * What happens to the table when the stack is deleted. The table holds the audit trail of every contact.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable (also from the console) until it is switched off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Name of the one global secondary index (`gsi1pk` / `gsi1sk`). */
export const GSI1 = CUSTOMER_INDEX.name;

/** Item actions of each access level. Scan is left out on purpose: nothing reads the whole table. */
const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The DynamoDB single table (docs/architecture.md "Data model"; its layout: functions/contracts/table-layout.ts): `pk`/`sk` strings, GSI `gsi1` (`gsi1pk`/`gsi1sk`), on-demand, point-in-time
 * recovery, AWS-managed encryption, deletion protection, retained on stack deletion, TTL on `expiresAt` (idempotency
 * records expire by themselves).
 */
export class DunningTable extends Construct implements IDunningTable {
  readonly table: Table;
  readonly tableName: string;
  readonly tableArn: string;

  constructor(scope: Construct, id: string, props: DunningTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sort, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI1,
      partitionKey: { name: CUSTOMER_INDEX.partition, type: AttributeType.STRING },
      sortKey: { name: CUSTOMER_INDEX.sort, type: AttributeType.STRING },
    });
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
  }

  /** Grants item access on the table and `gsi1` by name (no `index/*` wildcard). */
  grantData(grantee: IGrantable, access: TableAccess): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: access === 'RW' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
      resourceArns: [this.tableArn, `${this.tableArn}/index/${GSI1}`],
    });
  }
}
