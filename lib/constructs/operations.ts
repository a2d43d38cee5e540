import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
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
  /**
   * Every Lambda function of the stack, by group (what a throttle there does: one throttle alarm per group), then by
   * the name the dashboard shows.
   */
  readonly functions: Readonly<Record<string, Readonly<Record<string, IFunction>>>>;
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

/** CloudWatch quota: an alarm's metric math may use at most 10 metrics. */
const MAX_METRICS_PER_ALARM = 10;

/**
 * What operators watch besides the Step Functions console (docs/architecture.md "Operations"): one CloudWatch dashboard (invoice workflows
 * started, succeeded, failed, timed out, aborted; Lambda errors and throttles per function; the API's requests, 4xx,
 * 5xx and latency; the StartExecution buffer and the dead-letter queues; every alarm's state) and the alarms, each of
 * which notifies the operators' topic: the given ones (failed workflows, dead letters of the starter and of the drop),
 * plus API 5xx answers, workflows that timed out or were aborted (an execution that ended without `handle-failure`
 * telling anyone), and Lambda throttles, one alarm per group of functions. A failing Lambda shows through one of
 * them: workflow steps retry and then fail the execution, the starter and the drop's functions end in their
 * dead-letter queues, the API's answer 5xx.
 *
 * Throttles (the account's or a function's concurrency limit reached) are alarmed before they become failures: a
 * throttled workflow step is retried by Step Functions and fails the execution only after its retries, a throttled
 * S3 event is retried by Lambda for hours, a throttled API call is a 5xx. One alarm per function would be 18 alarms
 * that say the same thing; one alarm over all of them would need more than the 10 metrics an alarm's metric math may
 * use. So: one alarm per group (workflow steps, operators' API, debtor links, ingestion), the sum of its functions'
 * `Throttles`, split in parts of at most 10 functions should a group grow past that; the dashboard shows which
 * function it was.
 */
export class Operations extends Construct {
  readonly dashboard: Dashboard;
  /** Every alarm of the stack, each with the operators' topic as its alarm action. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const functions = Object.values(props.functions).flatMap((group) => Object.entries(group));

    const apiServerErrors = new Alarm(this, 'ApiServerErrorsAlarm', {
      alarmDescription: 'The API answered 5xx (an internal error or a throttled integration): see the API logs.',
      metric: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const sfn = props.stateMachine;
    const executionsEnded = (what: string, metric: IMetric, id: string, description: string) =>
      new Alarm(this, id, {
        alarmDescription: `${description} (${what}: handle-failure did not run, nobody else was told).`,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const timedOut = executionsEnded(
      'timed out',
      sfn.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'TimedOutExecutionsAlarm',
      "An invoice workflow timed out: its dunning stopped where it was; see the execution's history",
    );
    const aborted = executionsEnded(
      'aborted',
      sfn.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'AbortedExecutionsAlarm',
      'An invoice workflow was aborted (StopExecution, or its state machine deleted): its dunning stopped',
    );
    const throttles = Object.entries(props.functions).flatMap(([group, members]) =>
      this.throttleAlarms(group, Object.values(members)),
    );
    this.alarms = [...props.alarms, apiServerErrors, timedOut, aborted, ...throttles];
    const notify = new SnsAction(props.operatorsTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(notify);

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

  /** The throttle alarms of one group of functions: at most 10 functions per alarm (the metric math quota). */
  private throttleAlarms(group: string, members: readonly IFunction[]): Alarm[] {
    const parts: IFunction[][] = [];
    for (let i = 0; i < members.length; i += MAX_METRICS_PER_ALARM) {
      parts.push(members.slice(i, i + MAX_METRICS_PER_ALARM));
    }
    return parts.map((part, index) => {
      const name = parts.length > 1 ? `${group} (part ${index + 1} of ${parts.length})` : group;
      const usingMetrics = Object.fromEntries(
        part.map((fn, i) => [`t${i}`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })]),
      );
      return new Alarm(this, `Throttles${idOf(name)}Alarm`, {
        alarmDescription: `Lambda throttled invocations of the ${name} functions (concurrency limit reached): see "Lambda throttles per function" on the dashboard.`,
        // SUM over the series adds the functions that had datapoints; a function without any counts as none.
        metric: new MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
          usingMetrics,
          period: FIVE_MINUTES,
          label: `throttles: ${name}`,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    });
  }
}

/** A construct id from a group's name: `debtor links` -> `DebtorLinks`. */
function idOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
