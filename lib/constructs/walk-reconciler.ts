import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { KEY_PREFIX } from '../../functions/contracts/table-layout';
import { DunningFunction } from './dunning-function';
import type { IDunningTable } from './dunning-table';
import { acknowledgeNag } from './nag';
import type { IWaitSchedules } from './wait-schedules';

export interface WalkReconcilerProps {
  readonly stateMachine: IStateMachine;
  /** A pending resume the reconciler delivers deletes the schedule of the wait it ended. */
  readonly waitSchedules: IWaitSchedules;
  readonly table: IDunningTable;
  /** How often failed and timed-out executions are looked for. @default Duration.hours(1) */
  readonly every?: Duration;
}

/**
 * The reconciler (functions/executions/reconcile.ts; docs/architecture.md "Workflow"): a Lambda on two EventBridge
 * schedules. Hourly (`executions`): executions that failed or timed out in the last day, restarted. Daily at 03:00
 * UTC (`full`): also the walks marked for attention (a resume Step Functions did not take, a start message that could
 * not be queued), one Query of their partition. Lambda's 15 minutes bound a run; it stops
 * a minute before and the next run goes on. EventBridge invokes it asynchronously (Lambda retries twice).
 */
export class WalkReconciler extends Construct {
  readonly function: DunningFunction;

  constructor(scope: Construct, id: string, props: WalkReconcilerProps) {
    super(scope, id);
    this.function = new DunningFunction(this, 'ReconcileWalks', {
      handler: 'reconcile-walks',
      timeout: Duration.minutes(15),
    })
      // each invoice, its audit trail (a Query of its partition), the next walk and its audit event; the walks marked
      // for attention (a Query of `WALKS#attention`, a mark taken off, a resume still not taken marked again)
      .bindTable(props.table, {
        actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem'],
        partitions: [KEY_PREFIX.invoice, KEY_PREFIX.walks],
      })
      .bindStateMachine(props.stateMachine, 'reconcile')
      .bindWaitSchedules(props.waitSchedules, 'cancel');
    const hourly = new Rule(this, 'Hourly', {
      description: 'Restart invoice walks whose execution failed or timed out',
      schedule: Schedule.rate(props.every ?? Duration.hours(1)),
      targets: [new LambdaFunction(this.function, { event: RuleTargetInput.fromObject({ mode: 'executions' }) })],
    });
    const daily = new Rule(this, 'Daily', {
      description: 'Look over every open invoice: walks never started, resumes never delivered, walks stuck',
      schedule: Schedule.cron({ minute: '0', hour: '3' }),
      targets: [new LambdaFunction(this.function, { event: RuleTargetInput.fromObject({ mode: 'full' }) })],
    });
    for (const rule of [hourly, daily]) {
      acknowledgeNag(
        rule,
        'Serverless-EventBusDLQ',
        'A scheduled run that fails is not worth keeping: the next run does the same work from scratch (the reconciler is idempotent), and its errors show in the Lambda errors and throttles on the dashboard.',
      );
    }
  }
}
