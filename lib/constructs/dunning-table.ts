import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CUSTOMER_INDEX, type KEY_PREFIX, TABLE_KEY, TTL_ATTRIBUTE } from '../../functions/contracts/table-layout';

/**
 * The item actions the stores use (functions/stores/dynamodb/: the only code that talks to DynamoDB). No Scan (only
 * the local system's listing scans), no batch or transaction actions, no table management.
 */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

/** A partition key prefix of the single table (`KEY_PREFIX` in functions/contracts/table-layout.ts). */
export type PartitionPrefix = (typeof KEY_PREFIX)[keyof typeof KEY_PREFIX];

/**
 * What a function may do with the table's items: exactly the actions its handler's code sends, the customer index
 * only when it queries it, and only the items whose partition key starts with one of `partitions`
 * (`dynamodb:LeadingKeys`; for a query of `gsi1`, its partition key `gsi1pk`).
 */
export interface TableAccess {
  /** Item actions on the table itself. */
  readonly actions: readonly ItemAction[];
  /** Queries `gsi1` (`CUSTOMER#<id>`: the customer's invoices and contact log). @default false */
  readonly queriesCustomerIndex?: boolean;
  /** The partition key prefixes of the items it may touch. */
  readonly partitions: readonly PartitionPrefix[];
}

/** The single table as the functions see it: its name, and a grant scoped to the table and its named indexes. */
export interface IDunningTable {
  readonly tableName: string;
  readonly tableArn: string;
  /** Grants exactly `access`: item actions on the table, Query on `gsi1`, limited to the given partitions. */
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

  /**
   * Grants item actions on the table and Query on `gsi1` by name (no `index/*` wildcard), each only on items whose
   * partition key starts with one of `access.partitions`: `ForAllValues:StringLike` on `dynamodb:LeadingKeys`, which
   * DynamoDB sets to the partition key of the request (of the index, for an index query). A public function (the
   * unsubscribe link) can then touch customers only, whatever a bug in it would ask for.
   */
  grantData(grantee: IGrantable, access: TableAccess): Grant {
    if (access.actions.length === 0) {
      throw new Error('grantData: a function given the table must be allowed at least one action');
    }
    const conditions = {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.partitions.map((prefix) => `${prefix}*`) },
    };
    const grant = Grant.addToPrincipal({
      grantee,
      actions: access.actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.tableArn],
      conditions,
    });
    if (access.queriesCustomerIndex) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${this.tableArn}/index/${GSI1}`],
          conditions,
        }),
      );
    }
    return grant;
  }
}
