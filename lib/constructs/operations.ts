import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationsProps {
  /** The per-invoice workflow. */
  readonly stateMachine: IStateMachine;
  /** Every Lambda function of the stack, by the name the dashboard shows. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly api: RestApi;
  /** The StartExecution buffer. */
  readonly startQueue: IQueue;
  /** Dead-letter queues, by the name the dashboard shows. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The alarms the other constructs made; each notifies the operators too. */
  readonly alarms: readonly Alarm[];
  /** Where alarms go (the operators' topic: escalations and failures arrive there already). */
  readonly operatorsTopic: ITopic;
  /** @default "Dunning" plus the stack name */
  readonly dashboardName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What operators watch besides the Step Functions console (docs/architecture.md "Operations"): one CloudWatch dashboard (invoice workflows
 * started, succeeded, failed, timed out; Lambda errors and throttles per function; the API's requests, 4xx, 5xx and
 * latency; the StartExecution buffer and the dead-letter queues; every alarm's state) and the alarms, each of which
 * notifies the operators' topic: the given ones (failed workflows, dead letters of the starter and of the drop), plus
 * API 5xx answers. A failing Lambda shows through one of them: workflow steps retry and then fail the execution,
 * the starter and the drop's functions end in their dead-letter queues, the API's answer 5xx. (One alarm over every
 * function's errors would need more than the 10 metrics an alarm's metric math may use.)
 */
export class Operations extends Construct {
  readonly dashboard: Dashboard;
  /** Every alarm of the stack, each with the operators' topic as its alarm action. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const functions = Object.entries(props.functions);

    const apiServerErrors = new Alarm(this, 'ApiServerErrorsAlarm', {
      alarmDescription: 'The API answered 5xx (an internal error or a throttled integration): see the API logs.',
      metric: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [...props.alarms, apiServerErrors];
    const notify = new SnsAction(props.operatorsTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(notify);

    const sfn = props.stateMachine;
    const perFunction = (metric: (fn: IFunction) => IMetric) => functions.map(([, fn]) => metric(fn));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Dunning\nOne Step Functions execution per invoice, named by its id: open the state machine in the Step Functions console to follow an invoice. Alarms notify the operators topic.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Invoice workflows',
        left: [
          sfn.metricStarted({ period: FIVE_MINUTES, statistic: 'Sum', label: 'started' }),
          sfn.metricSucceeded({ period: FIVE_MINUTES, statistic: 'Sum', label: 'ended (paid, closed, done)' }),
          sfn.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum', label: 'failed' }),
          sfn.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum', label: 'timed out' }),
          sfn.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum', label: 'aborted' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API',
        left: [
          props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'requests' }),
          props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }),
          props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum', label: '5xx' }),
        ],
        right: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p90', label: 'latency p90 (ms)' })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors per function',
        left: perFunction((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda throttles per function',
        left: perFunction((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda duration p90 per function (ms)',
        left: perFunction((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p90' })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Registrations waiting to start, and dead letters',
        left: [
          props.startQueue.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
            label: 'waiting to start',
          }),
          ...Object.entries(props.deadLetterQueues).map(([name, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({
              period: FIVE_MINUTES,
              statistic: 'Maximum',
              label: `dead letters: ${name}`,
            }),
          ),
        ],
        width: 24,
      }),
    );
  }
}
