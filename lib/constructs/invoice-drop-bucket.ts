import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../../functions/platform/environment';
import { DunningFunction } from './dunning-function';
import type { IDunningTable } from './dunning-table';
import { INVOICE_CHANGES_TELLING_THE_WALK, REGISTRATION_TABLE_ACCESS } from './invoice-api';
import { acknowledgeNag, wildcardResourceFinding } from './nag';
import type { IWaitSchedules } from './wait-schedules';

/**
 * Key prefixes of the drop bucket; the same values as `INCOMING_PREFIX` / `PROCESSED_PREFIX` / `REJECTED_PREFIX` in
 * functions/ingest/ingest-file.ts (an infra test checks they agree).
 */
export const DROP_PREFIXES = { incoming: 'incoming/', processed: 'processed/', rejected: 'rejected/' } as const;

/**
 * Key prefixes of payment files in the same bucket; the same values as `PAYMENTS_PREFIX` /
 * `PROCESSED_PAYMENTS_PREFIX` / `REJECTED_PAYMENTS_PREFIX` in functions/ingest/ingest-payments.ts. Processed files
 * and reports fall under the invoice prefixes' expiry rules.
 */
export const PAYMENT_PREFIXES = {
  payments: 'payments/',
  processed: 'processed/payments/',
  rejected: 'rejected/payments/',
} as const;

export interface InvoiceDropBucketProps {
  readonly table: IDunningTable;
  /** Registrations send `{ invoiceId }` here to start the workflow. */
  readonly startQueue: IQueue;
  /** Id of the billing rule, recorded on each registered invoice. */
  readonly ruleId: string;
  /** With several rules: the segments choosing each invoice's rule (JSON), else absent. */
  readonly segments?: string;
  /** Payment files resume waiting executions (a full payment ends the walk at once). */
  readonly stateMachine: IStateMachine;
  /** …and delete the one-time schedule of the wait they ended. */
  readonly waitSchedules: IWaitSchedules;
  /** @default Duration.days(90) */
  readonly processedExpiration?: Duration;
  /** @default Duration.days(180) */
  readonly rejectedExpiration?: Duration;
  /** @default Duration.days(365) */
  readonly accessLogsExpiration?: Duration;
}

/**
 * The S3 drop (docs/architecture.md "Ingestion and API"): files put under `incoming/` trigger `ingest-file`, which registers the good rows, writes
 * `rejected/<name>.errors.json` for the bad ones and moves the file to `processed/`. Payment files put under
 * `payments/` trigger `ingest-payments`, which records each good row as a payment, reports the bad ones in
 * `rejected/payments/` and moves the file to `processed/payments/`. Each function may touch only its prefixes.
 * Encrypted, TLS only, no public access, server access logs to a separate bucket, old files expire.
 */
export class InvoiceDropBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly function: DunningFunction;
  /** Records the rows of payment files. */
  readonly paymentsFunction: DunningFunction;
  /** S3 events whose processing failed after Lambda's retries. */
  readonly deadLetterQueue: IQueue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: InvoiceDropBucketProps) {
    super(scope, id);
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: props.accessLogsExpiration ?? Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // the same object: Bucket types its `isWebsite` getter `boolean | undefined`, IBucket `isWebsite?: boolean`
      serverAccessLogsBucket: this.accessLogsBucket as IBucket,
      serverAccessLogsPrefix: 'drop-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-processed',
          prefix: DROP_PREFIXES.processed,
          expiration: props.processedExpiration ?? Duration.days(90),
        },
        {
          id: 'expire-rejected',
          prefix: DROP_PREFIXES.rejected,
          expiration: props.rejectedExpiration ?? Duration.days(180),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself a dead-letter queue (failed S3 events of ingest-file and ingest-payments).',
    );

    this.function = new DunningFunction(this, 'IngestFile', {
      handler: 'ingest-file',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      deadLetterQueue: this.deadLetterQueue,
    })
      .bindTable(props.table, REGISTRATION_TABLE_ACCESS)
      .bindQueue(props.startQueue)
      .withEnvironment(ENV.RULE_ID, props.ruleId)
      .withEnvironment(ENV.RULE_SEGMENTS, props.segments);
    this.grantPrefixAccess();
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: DROP_PREFIXES.incoming,
    });

    this.paymentsFunction = new DunningFunction(this, 'IngestPayments', {
      handler: 'ingest-payments',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      deadLetterQueue: this.deadLetterQueue,
    })
      .bindTable(props.table, INVOICE_CHANGES_TELLING_THE_WALK)
      .bindStateMachine(props.stateMachine, 'task-response')
      .bindWaitSchedules(props.waitSchedules, 'cancel');
    this.grantPaymentPrefixAccess();
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.paymentsFunction), {
      prefix: PAYMENT_PREFIXES.payments,
    });
    acknowledgeBucketNotificationsHandler(this);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'A dropped invoice or payment file could not be ingested after Lambda retries; its S3 event is in the dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Read + delete `incoming/*` (the move is copy + delete), write `processed/*` and `rejected/*`. ListBucket on the
   * bucket makes a missing key a 404 (NoSuchKey: a duplicate event) instead of a 403.
   */
  private grantPrefixAccess(): void {
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadAndRemoveIncoming',
        actions: ['s3:GetObject', 's3:GetObjectTagging', 's3:DeleteObject'],
        resources: [objects(DROP_PREFIXES.incoming)],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteProcessedAndRejected',
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: [objects(DROP_PREFIXES.processed), objects(DROP_PREFIXES.rejected)],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'TellMissingFromForbidden',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    for (const prefix of Object.values(DROP_PREFIXES)) {
      acknowledgeNag(
        this.function.executionRole,
        wildcardResourceFinding(this, this.bucket.bucketArn, `/${prefix}*`),
        `Object access is scoped to the ${prefix} prefix (objects under it are named by the uploader).`,
      );
    }
  }

  /** Read + delete `payments/*`, write `processed/payments/*` and `rejected/payments/*`, ListBucket (404 vs 403). */
  private grantPaymentPrefixAccess(): void {
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);
    const fn = this.paymentsFunction;
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadAndRemovePayments',
        actions: ['s3:GetObject', 's3:GetObjectTagging', 's3:DeleteObject'],
        resources: [objects(PAYMENT_PREFIXES.payments)],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteProcessedAndRejectedPayments',
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: [objects(PAYMENT_PREFIXES.processed), objects(PAYMENT_PREFIXES.rejected)],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'TellMissingFromForbidden',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    for (const prefix of Object.values(PAYMENT_PREFIXES)) {
      acknowledgeNag(
        fn.executionRole,
        wildcardResourceFinding(this, this.bucket.bucketArn, `/${prefix}*`),
        `Object access is scoped to the ${prefix} prefix (payment files are named by the uploader).`,
      );
    }
  }
}

/** Logical id CDK gives the singleton Lambda that configures bucket notifications (BucketNotificationsHandler). */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Acknowledges the findings on CDK's own bucket-notifications custom resource (not code of this project). */
function acknowledgeBucketNotificationsHandler(scope: IConstruct): void {
  const handler = Stack.of(scope).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
  if (!handler) return;
  const cdkOwned =
    'CDK-provided custom resource (BucketNotificationsHandler) that sets the S3 event notification at deploy time';
  acknowledgeNag(
    handler,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${cdkOwned}; its role uses the basic execution managed policy for its logs.`,
  );
}
