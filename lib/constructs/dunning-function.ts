import { join } from 'node:path';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV, type EnvName } from '../../functions/platform/environment';
import { PROJECT_ROOT } from '../config';
import {
  BUNDLE_BANNER,
  BUNDLE_DEFINE,
  BUNDLE_MAIN_FIELDS,
  HANDLERS_READING_HOLIDAYS,
  HOLIDAY_TABLE_IN_BUNDLE,
  HOLIDAY_TABLE_SOURCE,
  handlerEntry,
} from '../lambda/bundle-options';
import { SDK_EXTERNAL_MODULES } from '../lambda/sdk-layer-content';
import { AwsSdkLayer } from './aws-sdk-layer';
import type { IDunningTable, TableAccess } from './dunning-table';
import { acknowledgeNag, STAR_RESOURCE_FINDING, wildcardResourceFinding } from './nag';
import type { IWaitSchedules } from './wait-schedules';

export interface DunningFunctionProps {
  /** Handler file under `functions/handlers/`, without extension (e.g. `send-stage`). */
  readonly handler: string;
  /** @default - "Dunning <handler>" */
  readonly description?: string;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Extra environment variables (prefer the `bind*` helpers, which set the variable and grant together). @default - none */
  readonly environment?: Partial<Record<EnvName, string>>;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Dead-letter queue for failed asynchronous invocations (S3 events). @default - none (synchronous callers) */
  readonly deadLetterQueue?: IQueue;
}

/** Copies the holiday table beside the bundle (`holidays/`), with Node so the hook runs on any OS. */
const copyHolidayTable = {
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (_inputDir: string, outputDir: string): string[] => [
    `node -e "require('node:fs').cpSync(process.argv[1], process.argv[2], { recursive: true })" "${HOLIDAY_TABLE_SOURCE}" "${join(outputDir, HOLIDAY_TABLE_IN_BUNDLE)}"`,
  ],
};

/**
 * A Lambda function with the project's defaults: entry `functions/handlers/<handler>.ts`, Node 22 on arm64, active
 * X-Ray tracing, 30 s / 512 MB, minified CJS bundle with source maps (`--enable-source-maps`) built as
 * lib/lambda/bundle-options.ts describes — the AWS SDK left out and served by the stack's `AwsSdkLayer` at the
 * tested versions, the holiday table copied beside the handlers that read it — its own log group with one-month
 * retention, and an execution role that may write only to that log group (no AWS managed policy).
 *
 * Grants and environment variables are bound together: `fn.bindTable(table, { actions, partitions }).bindTopic(topic)`.
 */
export class DunningFunction extends NodejsFunction {
  /** The execution role (created here, so the function never gets `AWSLambdaBasicExecutionRole`). */
  readonly executionRole: IRole;
  /** The handler file's name under functions/handlers/ (the local runtime maps the function to it). */
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: DunningFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.handler} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description ?? `Dunning ${props.handler}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      role,
      logGroup,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE_MAIN_FIELDS],
        // The SDK comes from the layer (the exact versions the tests ran), not from the bundle nor the runtime.
        externalModules: [...SDK_EXTERNAL_MODULES],
        define: { ...BUNDLE_DEFINE },
        banner: BUNDLE_BANNER,
        ...(HANDLERS_READING_HOLIDAYS.has(props.handler) ? { commandHooks: copyHolidayTable } : {}),
      },
      layers: [AwsSdkLayer.of(scope)],
    });
    this.executionRole = role;
    this.handlerName = props.handler;

    acknowledgeNag(
      role,
      STAR_RESOURCE_FINDING,
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-L1',
      'Lambda runs Node 22 on purpose: the toolchain and tests are pinned to Node 22 (docs/architecture.md "Local runtime").',
    );
    acknowledgeNag(
      this,
      'Serverless-LambdaLatestVersion',
      'Node 22 is pinned on purpose to match the tested toolchain (docs/architecture.md "Local runtime").',
    );
    if (!props.deadLetterQueue) {
      acknowledgeNag(
        this,
        'Serverless-LambdaDLQ',
        'Invoked synchronously (API Gateway, Step Functions, SQS event source): failures go back to the caller, which retries or records them.',
      );
    }
  }

  /** Sets `TABLE_NAME` and grants exactly `access` (item actions, the customer index, partitions) on the table. */
  bindTable(table: IDunningTable, access: TableAccess): this {
    this.addEnvironment(ENV.TABLE_NAME, table.tableName);
    table.grantData(this, access);
    return this;
  }

  /** Sets `START_QUEUE_URL` and allows sending messages to the queue. */
  bindQueue(queue: IQueue): this {
    this.addEnvironment(ENV.START_QUEUE_URL, queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  /** Sets `OPERATORS_TOPIC_ARN` and allows publishing to the topic. */
  bindTopic(topic: ITopic): this {
    this.addEnvironment(ENV.OPERATORS_TOPIC_ARN, topic.topicArn);
    // sns:Publish on the topic and, for an encrypted topic, exactly the two KMS actions SNS needs on its key (not
    // CDK's grantPublish, whose kms:GenerateDataKey* is a wildcard action).
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    if (topic.masterKey) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [topic.masterKey.keyArn] }),
      );
    }
    return this;
  }

  /**
   * `start`: sets `STATE_MACHINE_ARN` and allows StartExecution. `task-response`: allows SendTaskSuccess / Failure /
   * Heartbeat (resuming a waiting execution with its task token).
   */
  bindStateMachine(stateMachine: IStateMachine, access: 'start' | 'task-response' | 'continue' | 'reconcile'): this {
    if (access === 'reconcile') {
      // The reconciler (functions/executions/reconcile.ts): lists failed and timed-out executions, reads one's
      // status and input, stops a stuck one, starts the next walk, and tells a parked token its pending resume.
      this.addEnvironment(ENV.STATE_MACHINE_ARN, stateMachine.stateMachineArn);
      stateMachine.grantStartExecution(this);
      stateMachine.grant(this, 'states:ListExecutions', 'states:SendTaskSuccess');
      // Executions have their own ARNs (`…:execution:<state machine name>:<execution name>`): every execution of this
      // state machine, as grantExecution would write it, so the finding can be acknowledged by its id.
      const stack = Stack.of(this);
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [`${executions}:*`],
        }),
      );
      acknowledgeNag(
        this.executionRole,
        wildcardResourceFinding(this, executions, ':*'),
        "DescribeExecution and StopExecution on this state machine's executions only (execution:<its name>:*): the reconciler looks at any invoice's walk.",
      );
    } else if (access === 'start') {
      this.addEnvironment(ENV.STATE_MACHINE_ARN, stateMachine.stateMachineArn);
      stateMachine.grantStartExecution(this);
    } else if (access === 'continue') {
      // A workflow step that starts its own state machine's next execution (continue-as-new): a separate policy for
      // the same reason as below, and no environment variable (the step gets the ARN from `$$.StateMachine.Id`).
      new Policy(this, 'ContinuePolicy', {
        roles: [this.executionRole],
        statements: [
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        ],
      });
    } else {
      // A separate policy, not the role's default one: the function does not wait for it, so a workflow step may
      // resume its own state machine without a circular dependency (state machine -> function -> policy -> state machine).
      new Policy(this, 'TaskResponsePolicy', {
        roles: [this.executionRole],
        statements: [
          // SendTaskSuccess only: no code fails a task or sends a heartbeat
          new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [stateMachine.stateMachineArn] }),
        ],
      });
    }
    return this;
  }

  /**
   * The waits' one-time schedules: `create` for the wait step, `cancel` for whatever resumes a parked token (it deletes
   * the schedule of the wait it ended). See lib/constructs/wait-schedules.ts.
   */
  bindWaitSchedules(schedules: IWaitSchedules, access: 'create' | 'cancel'): this {
    schedules.grant(this, access);
    return this;
  }

  /** Sets an environment variable the handlers read (`ENV`); an undefined or empty value is left unset. */
  withEnvironment(name: EnvName, value: string | undefined): this {
    if (value !== undefined && value !== '') this.addEnvironment(name, value);
    return this;
  }
}
