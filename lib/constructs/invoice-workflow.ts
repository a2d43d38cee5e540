import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { KEY_PREFIX } from '../../functions/contracts/table-layout';
import { ENV } from '../../functions/platform/environment';
import type { BillingRule } from '../../functions/rules/billing-rule';
import { buildBillingRuleWorkflow, type WorkflowFunctions } from '../../state-machines/billing-rule-workflow';
import { DunningFunction } from './dunning-function';
import type { IDunningTable } from './dunning-table';
import { acknowledgeNag, STAR_RESOURCE_FINDING, wildcardResourceFinding } from './nag';
import { WaitSchedules } from './wait-schedules';

/** Who the messages come from. */
export interface SenderSettings {
  /** Verified SES identity: the address itself, or an address of a verified domain. */
  readonly email: string;
  /** SES configuration set for sending events. @default - none */
  readonly configurationSet?: string | undefined;
  /** Alphanumeric SMS sender id, where the destination country allows one. @default - none */
  readonly smsSenderId?: string | undefined;
}

/** The creditor as named in every message. */
export interface CompanySettings {
  readonly legalName: string;
  readonly taxId: string;
  /** @default - none */
  readonly supportContact?: string | undefined;
}

export interface InvoiceWorkflowProps {
  /**
   * The billing rules the state machine is generated from (at synth time); the first is the default. Several rules
   * (a rule file with segments) make one state machine whose first state picks the invoice's rule.
   */
  readonly rules: readonly BillingRule[];
  readonly table: IDunningTable;
  /** Escalations and failures are published here. */
  readonly operatorsTopic: ITopic;
  readonly sender: SenderSettings;
  readonly company: CompanySettings;
  /** Retention of the execution log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The per-invoice workflow: a Standard state machine generated from the billing rule, with its five Lambda steps
 * (`plan-stage`, `wait-for-event`, `send-stage`, `handle-failure`, `continue-walk`), full execution logging and X-Ray, and an alarm on
 * failed executions.
 */
export class InvoiceWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: {
    readonly planStage: DunningFunction;
    readonly waitForEvent: DunningFunction;
    readonly sendStage: DunningFunction;
    readonly handleFailure: DunningFunction;
    readonly continueWalk: DunningFunction;
  };
  /** Fires when any execution fails (the operators were notified by the workflow itself, too). */
  readonly failedExecutionsAlarm: Alarm;
  /** The one-time schedules that end the waits (functions/executions/wait-schedules.ts). */
  readonly waitSchedules: WaitSchedules;
  /**
   * Fires when Scheduler gave up calling `SendTaskSuccess` for a wait (its retry policy exhausted): that wait was ended
   * by its safety-net timeout, minutes late.
   */
  readonly droppedWaitSchedulesAlarm: Alarm;

  constructor(scope: Construct, id: string, props: InvoiceWorkflowProps) {
    super(scope, id);
    const { rules, table, operatorsTopic, sender, company } = props;

    const { invoice, customer, send, account } = KEY_PREFIX;
    // reads the invoice and its customer; records superseded stages and a broken promise (an invoice change)
    const planStage = new DunningFunction(this, 'PlanStage', { handler: 'plan-stage' }).bindTable(table, {
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
      partitions: [invoice, customer],
    });
    // parks the token on the invoice (a conditional update), reads it when the condition fails
    const waitForEvent = new DunningFunction(this, 'WaitForEvent', { handler: 'wait-for-event' }).bindTable(table, {
      actions: ['GetItem', 'UpdateItem'],
      partitions: [invoice],
    });
    const sendStage = new DunningFunction(this, 'SendStage', { handler: 'send-stage', timeout: Duration.seconds(60) })
      // invoices, the customer's contact slots, send claims (released by a DeleteItem when the provider throttled),
      // the account's sending breakers; the customer's invoices and contact log in gsi1
      .bindTable(table, {
        actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        queriesCustomerIndex: true,
        partitions: [invoice, customer, send, account],
      })
      .bindTopic(operatorsTopic)
      .withEnvironment(ENV.SENDER_EMAIL, sender.email)
      .withEnvironment(ENV.SES_CONFIGURATION_SET, sender.configurationSet)
      .withEnvironment(ENV.SMS_SENDER_ID, sender.smsSenderId)
      .withEnvironment(ENV.COMPANY_LEGAL_NAME, company.legalName)
      .withEnvironment(ENV.COMPANY_TAX_ID, company.taxId)
      .withEnvironment(ENV.COMPANY_SUPPORT_CONTACT, company.supportContact);
    // records the error on the invoice and logs the failed event
    const handleFailure = new DunningFunction(this, 'HandleFailure', { handler: 'handle-failure' })
      .bindTable(table, { actions: ['PutItem', 'UpdateItem'], partitions: [invoice] })
      .bindTopic(operatorsTopic);
    // continue-as-new before the one-year limit: reads the invoice, records the next walk and its audit event
    const continueWalk = new DunningFunction(this, 'ContinueWalk', { handler: 'continue-walk' }).bindTable(table, {
      actions: ['GetItem', 'PutItem', 'UpdateItem'],
      partitions: [invoice],
    });
    this.functions = { planStage, waitForEvent, sendStage, handleFailure, continueWalk };
    allowSending(sendStage, sender);

    const functions: WorkflowFunctions = this.functions;
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: `Dunning workflow generated from billing rule${rules.length > 1 ? 's' : ''} ${rules.map((r) => `"${r.id}"`).join(', ')}`,
      definitionBody: DefinitionBody.fromChainable(buildBillingRuleWorkflow(this, { rules, functions })),
      logs: { destination: executionLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // A waiting execution parks its token on the invoice; the wait step may resume it (e.g. an event that arrived early).
    waitForEvent.bindStateMachine(this.stateMachine, 'task-response');
    continueWalk.bindStateMachine(this.stateMachine, 'continue');
    // A wait ends at its instant by a one-time schedule that resumes its token (not by the task's timeout).
    this.waitSchedules = new WaitSchedules(this, 'WaitSchedules', { stateMachine: this.stateMachine });
    waitForEvent.bindWaitSchedules(this.waitSchedules, 'create');

    this.failedExecutionsAlarm = new Alarm(this, 'FailedExecutionsAlarm', {
      alarmDescription:
        'An invoice workflow failed (the failure is recorded on the invoice and sent to the operators topic).',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.droppedWaitSchedulesAlarm = new Alarm(this, 'DroppedWaitSchedulesAlarm', {
      alarmDescription:
        "EventBridge Scheduler could not resume a waiting invoice walk at its stage's instant (Step Functions refused " +
        'SendTaskSuccess until the retry policy ran out): the wait ended by its safety-net timeout, minutes late.',
      metric: this.waitSchedules.group.metricDropped({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    acknowledgeNag(
      this.stateMachine,
      STAR_RESOURCE_FINDING,
      'Step Functions logging to CloudWatch Logs (logs:*LogDelivery, DescribeLogGroups, resource policies) and X-Ray tracing require Resource "*" (no resource-level permissions).',
    );
    for (const fn of Object.values(this.functions)) {
      acknowledgeNag(
        this.stateMachine,
        wildcardResourceFinding(this, fn.functionArn, ':*'),
        'lambda:InvokeFunction on the function and its versions/aliases (ARN:*), granted by the LambdaInvoke task.',
      );
    }
  }
}

/**
 * SES: send as the sender identity (the address, or its domain when the domain is the verified identity) and with
 * the configuration set; read the account's suppression list (no resource ARN). SNS SMS: Publish to a phone number and CheckIfPhoneNumberIsOptedOut have no resource ARN,
 * so they need `Resource: "*"`; they are limited to the stack's region.
 */
function allowSending(fn: DunningFunction, sender: SenderSettings): void {
  const stack = Stack.of(fn);
  const domain = sender.email.slice(sender.email.lastIndexOf('@') + 1);
  const identities = [sender.email, domain].map((identity) =>
    stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
  );
  const configurationSets = sender.configurationSet
    ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: sender.configurationSet })]
    : [];
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SendEmailAsSender',
      effect: Effect.ALLOW,
      actions: ['ses:SendEmail'],
      resources: [...identities, ...configurationSets],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'CheckEmailSuppressionList',
      effect: Effect.ALLOW,
      actions: ['ses:GetSuppressedDestination'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SendSmsAndCheckOptOut',
      effect: Effect.ALLOW,
      actions: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
    }),
  );
  acknowledgeNag(
    fn.executionRole,
    STAR_RESOURCE_FINDING,
    'X-Ray tracing (PutTraceSegments/PutTelemetryRecords), SMS (sns:Publish to a phone number, sns:CheckIfPhoneNumberIsOptedOut) and the account-level SES suppression list (ses:GetSuppressedDestination) have no resource ARN; all limited to this region by aws:RequestedRegion.',
  );
}
