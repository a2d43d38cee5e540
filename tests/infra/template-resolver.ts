/**
 * Resolves the CloudFormation intrinsics the stack's policies use (`Ref`, `Fn::GetAtt`, `Fn::Join`, the pseudo
 * parameters) to concrete values, as CloudFormation would at deployment, so an IAM policy of the template can be
 * evaluated by a simulator against concrete ARNs. Physical names are the logical ids (CloudFormation generates
 * others, but the shape of each ARN is what matters). Anything it cannot resolve throws, naming it, so a test never
 * evaluates a half-resolved policy.
 */

/** The account, region and partition the template is resolved in. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1', partition: 'aws' } as const;

export interface TemplateJson {
  readonly Resources: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
  >;
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::AccountId': TEST_ENV.account,
  'AWS::Region': TEST_ENV.region,
  'AWS::Partition': TEST_ENV.partition,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Dunning',
};

const { account, region, partition } = TEST_ENV;
const arn = (service: string, resource: string, withRegion = true, withAccount = true) =>
  `arn:${partition}:${service}:${withRegion ? region : ''}:${withAccount ? account : ''}:${resource}`;

/** The concrete `Fn::GetAtt` attributes, by resource type and attribute. */
const GET_ATT: Readonly<Record<string, (id: string) => string>> = {
  'AWS::DynamoDB::Table.Arn': (id) => arn('dynamodb', `table/${id}`),
  'AWS::Logs::LogGroup.Arn': (id) => arn('logs', `log-group:${id}:*`),
  'AWS::S3::Bucket.Arn': (id) => arn('s3', id.toLowerCase(), false, false),
  'AWS::Lambda::Function.Arn': (id) => arn('lambda', `function:${id}`),
  'AWS::SQS::Queue.Arn': (id) => arn('sqs', id),
  'AWS::SQS::Queue.QueueName': (id) => id,
  'AWS::KMS::Key.Arn': (id) => arn('kms', `key/${id}`),
  'AWS::IAM::Role.Arn': (id) => arn('iam', `role/${id}`, false),
  'AWS::SNS::Topic.TopicArn': (id) => arn('sns', id),
  'AWS::StepFunctions::StateMachine.Arn': (id) => arn('states', `stateMachine:${id}`),
  'AWS::CloudWatch::Alarm.Arn': (id) => arn('cloudwatch', `alarm:${id}`),
};

/** What `Ref` returns, by resource type (CloudFormation's documented return value of each). */
const REF: Readonly<Record<string, (id: string) => string>> = {
  'AWS::SNS::Topic': (id) => arn('sns', id),
  'AWS::StepFunctions::StateMachine': (id) => arn('states', `stateMachine:${id}`),
  'AWS::SQS::Queue': (id) => `https://sqs.${region}.amazonaws.com/${account}/${id}`,
  'AWS::DynamoDB::Table': (id) => id,
  'AWS::S3::Bucket': (id) => id.toLowerCase(),
  'AWS::Lambda::Function': (id) => id,
  'AWS::IAM::Role': (id) => id,
  'AWS::KMS::Key': (id) => id,
  'AWS::CloudWatch::Alarm': (id) => id,
  'AWS::ApiGateway::RestApi': (id) => id.toLowerCase(),
};

/** The value CloudFormation would give `value` (a policy document, an ARN expression, …) in {@link TEST_ENV}. */
export function resolveIntrinsics(template: TemplateJson, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(template, v));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = object[key];
    if (key === 'Ref') return resolveRef(template, String(argument));
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = argument as [string, string];
      return resolveGetAtt(template, id, attribute);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => asString(resolveIntrinsics(template, part), key)).join(separator);
    }
    if (key === 'Fn::Split') {
      const [separator, source] = argument as [string, unknown];
      return asString(resolveIntrinsics(template, source), key).split(separator);
    }
    if (key === 'Fn::Select') {
      const [index, list] = argument as [number, unknown];
      const items = resolveIntrinsics(template, list);
      if (!Array.isArray(items) || items[Number(index)] === undefined) {
        throw new Error(`template resolver: Fn::Select ${index} out of ${JSON.stringify(items)}`);
      }
      return items[Number(index)];
    }
    if (key.startsWith('Fn::'))
      throw new Error(`template resolver: ${key} is not supported (${JSON.stringify(value)})`);
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveIntrinsics(template, v)]));
}

/** Like {@link resolveIntrinsics}, for a value that must come out as a string (an ARN). */
export function resolveString(template: TemplateJson, value: unknown): string {
  return asString(resolveIntrinsics(template, value), JSON.stringify(value));
}

function resolveRef(template: TemplateJson, id: string): string {
  const pseudo = PSEUDO[id];
  if (pseudo !== undefined) return pseudo;
  const type = typeOf(template, id);
  const ref = REF[type];
  if (!ref) throw new Error(`template resolver: Ref of a ${type} (${id}) is not supported`);
  return ref(id);
}

function resolveGetAtt(template: TemplateJson, id: string, attribute: string): string {
  const type = typeOf(template, id);
  const getAtt = GET_ATT[`${type}.${attribute}`];
  if (!getAtt) throw new Error(`template resolver: Fn::GetAtt ${type}.${attribute} (${id}) is not supported`);
  return getAtt(id);
}

function typeOf(template: TemplateJson, id: string): string {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`template resolver: no resource ${id} in the template`);
  return resource.Type;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`template resolver: ${what} did not resolve to a string`);
  return value;
}
