import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { KEY_PREFIX } from '../../functions/contracts/table-layout';
import { DunningFunction } from './dunning-function';
import type { IDunningTable } from './dunning-table';
import { acknowledgeNag } from './nag';

export interface ExecutionStarterProps {
  /** The per-invoice workflow to start (execution name = invoice id). */
  readonly stateMachine: IStateMachine;
  readonly table: IDunningTable;
  /** Messages per Lambda invocation. @default 10 */
  readonly batchSize?: number;
  /** Concurrent starter invocations: caps the StartExecution rate however large a drop is. @default 5 */
  readonly maxConcurrency?: number;
  /** Receives before a message goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/** Timeout of the starter function; the queue's visibility timeout is six times this (AWS's advice for SQS sources). */
const STARTER_TIMEOUT = Duration.seconds(30);

/**
 * The buffer in front of StartExecution (docs/architecture.md "Ingestion and API"): registrations send `{ invoiceId }` to an SQS queue; the
 * `start-executions` function starts the executions with bounded concurrency and reports partial batch failures, so a
 * throttled start is retried and, after repeated failures, parked in a dead-letter queue with an alarm.
 */
export class ExecutionStarter extends Construct {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly function: DunningFunction;
  /** Fires when any start message is parked in the dead-letter queue. */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ExecutionStarterProps) {
    super(scope, id);
    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      deadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of the start queue.',
    );
    const queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(STARTER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.function = new DunningFunction(this, 'StartExecutions', {
      handler: 'start-executions',
      timeout: STARTER_TIMEOUT,
    })
      // reads the invoice, records the execution on it and logs the start; marks a walk whose start failed (WALKS#)
      .bindTable(props.table, {
        actions: ['GetItem', 'PutItem', 'UpdateItem'],
        partitions: [KEY_PREFIX.invoice, KEY_PREFIX.walks],
      })
      .bindStateMachine(props.stateMachine, 'start');
    this.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    acknowledgeNag(
      this.function,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event sources do not support OnFailure destinations; failed messages go to the queue redrive policy (dead-letter queue after maxReceiveCount).',
    );

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Invoices whose workflow could not be started after repeated attempts are waiting in the dead-letter queue.',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
  }
}
