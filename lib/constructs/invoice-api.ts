import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodOptions,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_ROUTES, type ApiRoute } from '../../functions/contracts/api-routes';
import { KEY_PREFIX } from '../../functions/contracts/table-layout';
import { ENV } from '../../functions/platform/environment';
import { requestModels } from './api-models';
import { DunningFunction } from './dunning-function';
import type { IDunningTable, TableAccess } from './dunning-table';
import { acknowledgeNag } from './nag';
import type { IWaitSchedules } from './wait-schedules';

/**
 * Who may call the non-public routes. `iam`: SigV4-signed requests of IAM principals. `cognito`: a JWT of an existing
 * user pool in the `Authorization` header — an ID token, or, when `scopes` are given, an access token carrying one of them.
 * The debtor's links (`auth: 'none'` in api-routes.ts) are public either way.
 */
export type ApiAuth =
  | { readonly type: 'iam' }
  | { readonly type: 'cognito'; readonly userPoolArn: string; readonly scopes?: readonly string[] | undefined };

export interface InvoiceApiProps {
  readonly table: IDunningTable;
  /** Registrations send `{ invoiceId }` here to start the workflow. */
  readonly startQueue: IQueue;
  /** Payments and operators' changes resume the waiting execution with its task token. */
  readonly stateMachine: IStateMachine;
  /** …and delete the one-time schedule of the wait they ended. */
  readonly waitSchedules: IWaitSchedules;
  /** An operator's escalation is published here, as the rule's escalation stages are. */
  readonly operatorsTopic: ITopic;
  /** Id of the billing rule, recorded on each registered invoice. */
  readonly ruleId: string;
  /** With several rules: the segments choosing each invoice's rule (JSON), else absent. */
  readonly segments?: string;
  /** The company's legal name, shown on the unsubscribe page. */
  readonly companyName: string;
  /**
   * The late-fee and calendar terms of each billing rule, by rule id (JSON of `ruleTermsBook`, functions/rules/rule-terms.ts):
   * renegotiations add up balances and late fees, statements show the fees to date.
   */
  readonly ruleTerms: string;
  /** @default { type: 'iam' } */
  readonly auth?: ApiAuth;
  /** @default "v1" */
  readonly stageName?: string;
  /** Steady-state requests per second of the stage. @default 50 */
  readonly throttlingRateLimit?: number;
  /** @default 100 */
  readonly throttlingBurstLimit?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The REST API (docs/architecture.md "Ingestion and API"): every method but the debtor's links requires IAM (SigV4) authorization, or a Cognito user
 * pool's JWT (`auth`); bodies are checked against a JSON schema
 * before the Lambda runs (shape only: the handlers validate fields and name them in errors); API Gateway's own
 * errors use the same JSON error body as the handlers; JSON access logs, stage throttling and X-Ray on.
 * Routes come from `functions/contracts/api-routes.ts`, the table the local HTTP API serves too.
 */
export class InvoiceApi extends Construct {
  readonly api: RestApi;
  /** The route handlers, by handler name (`create-invoices`, `get-invoice`, `record-payment`). */
  readonly functions: Readonly<Record<string, DunningFunction>>;
  /**
   * The stage's base URL built from the API's id (`https://<id>.execute-api.<region>.<suffix>/<stage>`), not from
   * the deployment: a function the API itself depends on (the workflow's send step) can hold it without a cycle.
   */
  readonly publicBaseUrl: string;
  /** With `auth.type` cognito: the authorizer checking the user pool's JWTs. */
  readonly authorizer: CognitoUserPoolsAuthorizer | undefined;

  constructor(scope: Construct, id: string, props: InvoiceApiProps) {
    super(scope, id);
    const auth = props.auth ?? { type: 'iam' };
    this.authorizer =
      auth.type === 'cognito'
        ? new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
            // Imported, never created: the operators' identities live in the organization's own pool.
            cognitoUserPools: [UserPool.fromUserPoolArn(this, 'UserPool', auth.userPoolArn)],
            identitySource: IdentitySource.header('Authorization'),
          })
        : undefined;
    // Every method not declared public; the scopes go on each such method (a default would reach the public ones too).
    const protectedMethod: MethodOptions = this.authorizer
      ? { authorizationType: AuthorizationType.COGNITO, authorizer: this.authorizer }
      : { authorizationType: AuthorizationType.IAM };
    const scopes = auth.type === 'cognito' && auth.scopes?.length ? { authorizationScopes: [...auth.scopes] } : {};
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'Dunning: register invoices, read their status and contact history, record payments',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      defaultMethodOptions: protectedMethod,
      deployOptions: {
        stageName: props.stageName ?? 'v1',
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    const stack = Stack.of(this);
    this.publicBaseUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${props.stageName ?? 'v1'}`;
    // The stack outputs the URL as `ApiUrl`; drop RestApi's automatic duplicate output.
    this.api.node.tryRemoveChild('Endpoint');
    addJsonErrorResponses(this.api);

    const functions = this.routeFunctions(props);
    this.functions = functions;
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const models = requestModels(this.api);
    for (const route of API_ROUTES) {
      const fn = functions[route.handler];
      if (!fn)
        throw new Error(
          `API route ${route.method} ${route.path} names handler "${route.handler}", which InvoiceApi does not create`,
        );
      const model = models[route.handler];
      const method = this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }), {
          ...(model ? { requestValidator: validator, requestModels: { 'application/json': model } } : {}),
          ...(route.auth === 'none' ? { authorizationType: AuthorizationType.NONE } : scopes),
        });
      if (route.auth === 'none') {
        const reasons = PUBLIC_ROUTE_REASONS[route.handler];
        if (!reasons)
          throw new Error(`API route ${route.method} ${route.path} is public but says nowhere why it may be`);
        acknowledgeNag(method, 'AwsSolutions-APIG4', reasons.withoutAuthorization);
        acknowledgeNag(method, 'AwsSolutions-COG4', reasons.withoutCognito);
      }
    }

    acknowledgeNag(
      this.api,
      'AwsSolutions-APIG3',
      auth.type === 'cognito'
        ? "A back-office API for the operators of the organization's Cognito user pool (JWT on every method but the debtor's links); WAF can be attached per deployment."
        : 'A private, IAM-authenticated back-office API: callers are AWS principals of this account; WAF can be attached per deployment.',
    );
    if (auth.type === 'iam') {
      acknowledgeNag(
        this.api,
        'AwsSolutions-COG4',
        'Methods use IAM (SigV4) authorization instead of a Cognito user pool: callers are systems, not end users.',
      );
    }
    acknowledgeNag(
      this.api,
      'AwsSolutions-APIG6',
      'Execution logging needs the account-wide API Gateway CloudWatch role (a per-account singleton this stack must not own); JSON access logs and X-Ray are on.',
    );
  }

  /** One function per handler the routes name, bound to what it needs. */
  private routeFunctions(props: InvoiceApiProps): Record<ApiRoute['handler'], DunningFunction> {
    return {
      'create-invoices': new DunningFunction(this, 'CreateInvoices', { handler: 'create-invoices' })
        .bindTable(props.table, REGISTRATION_TABLE_ACCESS)
        .bindQueue(props.startQueue)
        .withEnvironment(ENV.RULE_ID, props.ruleId)
        .withEnvironment(ENV.RULE_SEGMENTS, props.segments),
      // The invoice item, and its contact log and audit events under its own partition (a Query of the table).
      'get-invoice': new DunningFunction(this, 'GetInvoice', { handler: 'get-invoice' }).bindTable(
        props.table,
        INVOICE_READS,
      ),
      'get-history': new DunningFunction(this, 'GetHistory', { handler: 'get-history' }).bindTable(
        props.table,
        INVOICE_READS,
      ),
      'record-payment': new DunningFunction(this, 'RecordPayment', { handler: 'record-payment' })
        .bindTable(props.table, INVOICE_CHANGES_TELLING_THE_WALK)
        .bindStateMachine(props.stateMachine, 'task-response')
        .bindWaitSchedules(props.waitSchedules, 'cancel'),
      'change-invoice': new DunningFunction(this, 'ChangeInvoice', { handler: 'change-invoice' })
        .bindTable(props.table, INVOICE_CHANGES_TELLING_THE_WALK)
        .bindStateMachine(props.stateMachine, 'task-response')
        .bindWaitSchedules(props.waitSchedules, 'cancel'),
      'escalate-invoice': new DunningFunction(this, 'EscalateInvoice', { handler: 'escalate-invoice' })
        .bindTable(props.table, INVOICE_CHANGES)
        .bindTopic(props.operatorsTopic),
      // The reconciler's repair of one walk, forced: the invoice, its audit trail (a Query of its partition) and the
      // next walk recorded; the execution's status, stop, start and a pending resume.
      'restart-walk': new DunningFunction(this, 'RestartWalk', { handler: 'restart-walk' })
        .bindTable(props.table, {
          actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
          partitions: [KEY_PREFIX.invoice, KEY_PREFIX.walks],
        })
        .bindStateMachine(props.stateMachine, 'reconcile')
        .bindWaitSchedules(props.waitSchedules, 'cancel'),
      // One conditional update of the customer item (it must exist).
      'update-customer': new DunningFunction(this, 'UpdateCustomer', { handler: 'update-customer' }).bindTable(
        props.table,
        { actions: ['UpdateItem'], partitions: [KEY_PREFIX.customer] },
      ),
      'record-opt-out': new DunningFunction(this, 'RecordOptOut', { handler: 'record-opt-out' }).bindTable(
        props.table,
        CUSTOMER_OPT_OUT,
      ),
      // Public: reads the customer by its token and adds an opt-out; customer items only.
      unsubscribe: new DunningFunction(this, 'Unsubscribe', { handler: 'unsubscribe' })
        .bindTable(props.table, CUSTOMER_OPT_OUT)
        .withEnvironment(ENV.COMPANY_LEGAL_NAME, props.companyName),
      // Writes the original, registers the instalments, queues their walks and resumes the original's waiting step.
      'create-agreement': new DunningFunction(this, 'CreateAgreement', { handler: 'create-agreement' })
        .bindTable(props.table, {
          actions: ['GetItem', 'PutItem', 'UpdateItem'],
          partitions: [KEY_PREFIX.invoice, KEY_PREFIX.customer, KEY_PREFIX.walks],
        })
        .bindQueue(props.startQueue)
        .bindStateMachine(props.stateMachine, 'task-response')
        .bindWaitSchedules(props.waitSchedules, 'cancel')
        .withEnvironment(ENV.RULE_ID, props.ruleId)
        .withEnvironment(ENV.RULE_TERMS, props.ruleTerms),
      // Public: reads the customer and its invoices, nothing else (no write, no queue, no state machine).
      'get-statement': new DunningFunction(this, 'GetStatement', { handler: 'get-statement' })
        .bindTable(props.table, { actions: ['GetItem'], queriesCustomerIndex: true, partitions: [KEY_PREFIX.customer] })
        .withEnvironment(ENV.COMPANY_LEGAL_NAME, props.companyName)
        .withEnvironment(ENV.RULE_ID, props.ruleId)
        .withEnvironment(ENV.RULE_TERMS, props.ruleTerms),
    };
  }
}

/**
 * Table access of the route handlers: exactly the item actions and partitions their code uses (functions/stores/
 * dynamodb/, proven by tests/e2e/least-privilege.test.ts). Registration (also the drop's ingest-file): create the
 * invoice conditionally, upsert its customer, log the event, read a duplicate; mark a walk whose start message could
 * not be queued (`WALKS#attention`, for the reconciler).
 */
export const REGISTRATION_TABLE_ACCESS: TableAccess = {
  actions: ['GetItem', 'PutItem', 'UpdateItem'],
  partitions: [KEY_PREFIX.invoice, KEY_PREFIX.customer, KEY_PREFIX.walks],
};
/** An invoice change (an escalation): read, one conditional update, the audit event, under `INVOICE#`. */
export const INVOICE_CHANGES: TableAccess = {
  actions: ['GetItem', 'PutItem', 'UpdateItem'],
  partitions: [KEY_PREFIX.invoice],
};
/**
 * An invoice change that tells the waiting walk (payment, hold, write-off): as {@link INVOICE_CHANGES}, and the mark
 * of a walk Step Functions could not tell (`WALKS#attention`, for the reconciler).
 */
export const INVOICE_CHANGES_TELLING_THE_WALK: TableAccess = {
  actions: ['GetItem', 'PutItem', 'UpdateItem'],
  partitions: [KEY_PREFIX.invoice, KEY_PREFIX.walks],
};
const INVOICE_READS: TableAccess = { actions: ['GetItem', 'Query'], partitions: [KEY_PREFIX.invoice] };
/** The opt-out routes: a conditional update of the customer item, read back when the condition fails. */
const CUSTOMER_OPT_OUT: TableAccess = { actions: ['GetItem', 'UpdateItem'], partitions: [KEY_PREFIX.customer] };

/** Why each public route (`auth: 'none'` in api-routes.ts) may be called without credentials, per cdk-nag finding. */
const PUBLIC_ROUTE_REASONS: Readonly<Record<string, { withoutAuthorization: string; withoutCognito: string }>> = {
  unsubscribe: {
    withoutAuthorization:
      'The debtor-facing one-click unsubscribe link (RFC 8058) must work without credentials; the path carries an unguessable per-customer token, checked by the handler, and the only effect is an opt-out.',
    withoutCognito:
      'The unsubscribe link is opened by email clients and debtors, who have no Cognito identity; the token in the path is the authorization.',
  },
  'get-statement': {
    withoutAuthorization:
      "The debtor's statement link in the messages must open without a login; the path carries a token signed (HMAC-SHA256) with a per-customer secret and an expiry, checked in constant time by a read-only handler that shows only that customer's open invoices.",
    withoutCognito:
      'Debtors open the statement link from an email or SMS and have no Cognito identity; the signed, expiring token in the path is the authorization.',
  },
};

/** API Gateway's own errors (auth, throttling, schema) in the handlers' format `{ error: { code, message, details } }`. */
function addJsonErrorResponses(api: RestApi): void {
  const json = (code: string, message: string, details = '[]') =>
    `{"error":{"code":${code},"message":${message},"details":${details}}}`;
  api.addGatewayResponse('Default4xx', {
    type: ResponseType.DEFAULT_4XX,
    templates: { 'application/json': json('"$context.error.responseType"', '$context.error.messageString') },
  });
  api.addGatewayResponse('Default5xx', {
    type: ResponseType.DEFAULT_5XX,
    templates: { 'application/json': json('"$context.error.responseType"', '$context.error.messageString') },
  });
  api.addGatewayResponse('BadRequestBody', {
    type: ResponseType.BAD_REQUEST_BODY,
    templates: {
      'application/json': json(
        '"ValidationError"',
        '"The request body does not match the expected shape"',
        '[{"path":"(body)","issue":"$util.escapeJavaScript($context.error.validationErrorString)"}]',
      ),
    },
  });
}
