import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_ROUTES, type ApiRoute } from '../functions/contracts/api-routes';
import { ENV } from '../functions/platform/environment';
import { ruleTermsBook } from '../functions/rules/rule-terms';
import type { DunningConfig } from './config';
import { DunningTable } from './constructs/dunning-table';
import { ExecutionStarter } from './constructs/execution-starter';
import { InvoiceApi } from './constructs/invoice-api';
import { InvoiceDropBucket } from './constructs/invoice-drop-bucket';
import { InvoiceWorkflow } from './constructs/invoice-workflow';
import { Operations } from './constructs/operations';
import { OperatorsTopic } from './constructs/operators-topic';
import { WalkReconciler } from './constructs/walk-reconciler';

export interface DunningStackProps extends StackProps {
  /** The validated config, with the billing rule it names (see `loadDunningConfig`). */
  readonly config: DunningConfig;
}

/**
 * The whole dunning system, composed from one construct per concern: the table, the operators' topic, the
 * per-invoice workflow, the StartExecution buffer, the API, the S3 drop, and the dashboard with the alarms.
 */
export class DunningStack extends Stack {
  readonly table: DunningTable;
  readonly operators: OperatorsTopic;
  readonly workflow: InvoiceWorkflow;
  readonly starter: ExecutionStarter;
  readonly api: InvoiceApi;
  readonly drop: InvoiceDropBucket;
  readonly reconciler: WalkReconciler;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: DunningStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `Serverless dunning: billing rule "${config.rule.id}" for ${config.company.legalName}`,
      ...stackProps,
    });

    this.table = new DunningTable(this, 'Table');
    this.operators = new OperatorsTopic(this, 'Operators', { emails: config.operators.emails });
    const { rules, segments } = config.ruleSet;
    this.workflow = new InvoiceWorkflow(this, 'Workflow', {
      // the default rule first: an execution that names no rule walks it
      rules: [config.rule, ...rules.filter((r) => r.id !== config.rule.id)],
      table: this.table,
      operatorsTopic: this.operators.topic,
      sender: config.sender,
      company: config.company,
    });
    this.starter = new ExecutionStarter(this, 'Starter', {
      stateMachine: this.workflow.stateMachine,
      table: this.table,
    });
    const registration = {
      table: this.table,
      startQueue: this.starter.queue,
      ruleId: config.rule.id,
      ...(rules.length > 1 ? { segments: JSON.stringify(segments) } : {}),
    };
    this.api = new InvoiceApi(this, 'Api', {
      ...registration,
      stateMachine: this.workflow.stateMachine,
      waitSchedules: this.workflow.waitSchedules,
      operatorsTopic: this.operators.topic,
      companyName: config.company.legalName,
      ruleTerms: JSON.stringify(ruleTermsBook(rules)),
      auth: config.api.auth,
    });
    this.drop = new InvoiceDropBucket(this, 'Drop', {
      ...registration,
      stateMachine: this.workflow.stateMachine,
      waitSchedules: this.workflow.waitSchedules,
    });
    this.reconciler = new WalkReconciler(this, 'Reconciler', {
      stateMachine: this.workflow.stateMachine,
      waitSchedules: this.workflow.waitSchedules,
      table: this.table,
    });
    // Emails carry a one-click unsubscribe link into the API (List-Unsubscribe, RFC 8058).
    this.workflow.functions.sendStage.withEnvironment(ENV.UNSUBSCRIBE_BASE_URL, this.api.publicBaseUrl);
    const apiFunctions = (auth: (auth: ApiRoute['auth']) => boolean) =>
      Object.fromEntries(
        Object.entries(this.api.functions).filter(([handler]) =>
          API_ROUTES.some((route) => route.handler === handler && auth(route.auth)),
        ),
      );
    this.operations = new Operations(this, 'Operations', {
      stateMachine: this.workflow.stateMachine,
      // grouped by what a throttle there does (one throttle alarm per group, Operations)
      functions: {
        'workflow steps': this.workflow.functions,
        "operators' API": apiFunctions((auth) => auth !== 'none'),
        'debtor links': apiFunctions((auth) => auth === 'none'),
        ingestion: {
          ingestFile: this.drop.function,
          ingestPayments: this.drop.paymentsFunction,
          startExecutions: this.starter.function,
          reconcileWalks: this.reconciler.function,
        },
      },
      api: this.api.api,
      startQueue: this.starter.queue,
      deadLetterQueues: { starter: this.starter.deadLetterQueue, drop: this.drop.deadLetterQueue },
      alarms: [
        this.workflow.failedExecutionsAlarm,
        this.workflow.droppedWaitSchedulesAlarm,
        this.starter.deadLetterAlarm,
        this.drop.deadLetterAlarm,
      ],
      operatorsTopic: this.operators.topic,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description:
        config.api.auth.type === 'cognito'
          ? 'Base URL of the REST API (Cognito user pool JWT in the Authorization header)'
          : 'Base URL of the IAM-authenticated REST API',
    });
    new CfnOutput(this, 'DropBucketName', {
      value: this.drop.bucket.bucketName,
      description: 'Put invoice files (CSV, JSON, JSON Lines) under incoming/',
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.workflow.stateMachine.stateMachineArn,
      description: 'The per-invoice workflow (one execution per invoice, named by invoice id)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB single table' });
    new CfnOutput(this, 'DashboardName', {
      value: this.operations.dashboard.dashboardName,
      description: 'CloudWatch dashboard: workflows, Lambda errors, API, queues, alarms',
    });
    new CfnOutput(this, 'OperatorsTopicArn', {
      value: this.operators.topic.topicArn,
      description: 'Escalations, failures and alarms; subscribe the operators here',
    });
  }
}
