import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiRequest, ApiTarget } from './operator';

/**
 * Where the operator CLI sends its requests, and how: plain HTTP to the local system, SigV4-signed requests to a
 * deployed stack's API (IAM authorization), or, given a token, requests carrying it as `Authorization` (a Cognito
 * user-pools authorizer) and unsigned.
 */

/** A resolved API: its base URL and, for API Gateway, the region to sign for. */
export interface ResolvedApi {
  readonly baseUrl: string;
  /** Set when requests must be signed (SigV4, service `execute-api`). */
  readonly signingRegion?: string;
}

export interface ResolveDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Where ./cdk-outputs.json is looked for. @default process.cwd() */
  readonly cwd?: string;
}

/** The output of the stack that holds the API's base URL (lib/dunning-stack.ts). */
export const API_URL_OUTPUT = 'ApiUrl';

/** The API cannot be found: the message says what to do. */
export class ApiNotFound extends Error {
  override readonly name = 'ApiNotFound';
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The base URL of the API `target` names. A stack's ApiUrl output is read from the cdk outputs file (`--outputs`,
 * else ./cdk-outputs.json when it holds the stack) or from CloudFormation (DescribeStacks, with the default AWS
 * credential chain, in `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region). Requests to API
 * Gateway (`*.execute-api.<region>.amazonaws.com`) are signed unless a token is given (see {@link ApiClient}).
 */
export async function resolveApi(target: ApiTarget, deps: ResolveDeps = {}): Promise<ResolvedApi> {
  const env = deps.env ?? process.env;
  if (target.kind === 'url') return withSigning(target.url);
  if (target.outputs && !existsSync(target.outputs)) {
    throw new ApiNotFound(`--outputs ${target.outputs}: file not found`);
  }
  const fromFile = readOutputsFile(target.stack, target.outputs ?? join(deps.cwd ?? process.cwd(), 'cdk-outputs.json'));
  if (target.outputs && !fromFile) {
    throw new ApiNotFound(`${target.outputs} has no ${API_URL_OUTPUT} output for stack ${target.stack}`);
  }
  if (fromFile) return withSigning(fromFile);
  // `||`: an empty variable is no region (the SDK would refuse it as one)
  const region = target.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  return withSigning(await apiUrlFromCloudFormation(target.stack, region));
}

/** The stack's ApiUrl output, from CloudFormation's DescribeStacks. The client is loaded only here. */
async function apiUrlFromCloudFormation(stack: string, region: string | undefined): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const where = region ? ` in ${region}` : '';
  let client: InstanceType<typeof CloudFormationClient> | undefined;
  // `| undefined`: the SDK's output shapes (Stack) declare their optional members that way
  let found:
    | {
        StackStatus?: string | undefined;
        Outputs?: { OutputKey?: string | undefined; OutputValue?: string | undefined }[] | undefined;
      }
    | undefined;
  try {
    client = new CloudFormationClient(region ? { region } : {});
    const out = await client.send(new DescribeStacksCommand({ StackName: stack }));
    found = out.Stacks?.[0];
  } catch (error) {
    throw new ApiNotFound(cloudFormationProblem(stack, where, error));
  } finally {
    client?.destroy();
  }
  if (!found) throw new ApiNotFound(stackNotFound(stack, where));
  const outputs = found.Outputs ?? [];
  const url = outputs.find((o) => o.OutputKey === API_URL_OUTPUT)?.OutputValue;
  if (!url) {
    const keys = outputs.map((o) => o.OutputKey).filter(Boolean);
    throw new ApiNotFound(
      `Stack ${stack}${where} (${found.StackStatus ?? 'status unknown'}) has no ${API_URL_OUTPUT} output ` +
        `(${keys.length > 0 ? `its outputs: ${keys.join(', ')}` : 'it has no outputs'}). Is it the dunning stack, ` +
        'and has its deployment finished? Name the dunning stack with --stack, or give the API URL with --url.',
    );
  }
  return url;
}

function stackNotFound(stack: string, where: string): string {
  return (
    `Stack ${stack} not found${where} (CloudFormation: no stack by that name in this account and region). ` +
    'Check the name (`npx cdk list`) and pass --region <region> where it was deployed, or give the API URL with --url.'
  );
}

/** What went wrong asking CloudFormation, and what to do about it. */
function cloudFormationProblem(stack: string, where: string, error: unknown): string {
  const { name = '', message: raw = String(error) } = (error ?? {}) as { name?: string; message?: string };
  const message = raw.replace(/\.+$/, '');
  const lookup = `reading stack ${stack}${where} from CloudFormation`;
  const instead =
    'Or give the API URL with --url (the ApiUrl output), or deploy with `npx cdk deploy --outputs-file cdk-outputs.json`.';
  if (name === 'ValidationError' && /does not exist/.test(message)) return stackNotFound(stack, where);
  if (/Region not accepted/i.test(message)) {
    return `Invalid region for ${lookup}: ${message}. Pass --region <region> (e.g. us-east-1), or fix AWS_REGION.`;
  }
  if (/Region is missing/i.test(message)) {
    return `No AWS region for ${lookup}: pass --region <region>, or set AWS_REGION (or a region in your AWS profile). ${instead}`;
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return (
      `No AWS credentials for ${lookup}: set AWS_PROFILE (after \`aws configure\` or \`aws sso login\`), or ` +
      `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. ${instead}`
    );
  }
  if (/ExpiredToken|TokenRefreshRequired/.test(name) || /expired/i.test(message)) {
    return `Your AWS credentials have expired (${lookup}): renew them (\`aws sso login\`, or new keys). ${message}`;
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(name)) {
    return `Your AWS credentials were refused (${lookup}): ${message}. Check AWS_PROFILE / AWS_ACCESS_KEY_ID.`;
  }
  if (/AccessDenied/.test(name)) {
    return `Not allowed: ${lookup} needs cloudformation:DescribeStacks on the stack. ${message}. ${instead}`;
  }
  return `Failed ${lookup}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}. ${instead}`;
}

function join(dir: string, file: string): string {
  return `${dir.replace(/\/+$/, '')}/${file}`;
}

/** `{ "<stack>": { "ApiUrl": "https://…" } }`, the file `cdk deploy --outputs-file` writes. */
function readOutputsFile(stack: string, file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ApiNotFound(`${file} is not JSON: ${(error as Error).message}`);
  }
  const outputs = (json as Record<string, Record<string, unknown> | undefined>)[stack];
  const url = outputs?.[API_URL_OUTPUT];
  return typeof url === 'string' ? url : undefined;
}

/** API Gateway URLs are signed for the region in their host name (a signature for any other region is refused). */
function withSigning(url: string): ResolvedApi {
  const match = EXECUTE_API_HOST.exec(new URL(url).hostname);
  return { baseUrl: url, ...(match ? { signingRegion: match[1] as string } : {}) };
}

/** SHA-256 (and HMAC-SHA-256 with a secret) for SignatureV4, on node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = Sha256.create(secret);
  }
  private static create(secret?: string | ArrayBuffer | ArrayBufferView): Hash | Hmac {
    if (secret === undefined) return createHash('sha256');
    const key =
      typeof secret === 'string'
        ? Buffer.from(secret, 'utf8')
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    return createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = Sha256.create(this.secret);
  }
}

/** Signs a request for API Gateway (`execute-api`) with SigV4. */
export async function signRequest(
  request: { method: string; url: URL; headers: Record<string, string>; body?: string },
  options: { region: string; credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider; now?: Date },
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  for (const [key, value] of request.url.searchParams) query[key] = value;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    options.now ? { signingDate: options.now } : {},
  );
  return signed.headers;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface ClientDeps {
  readonly fetch?: typeof fetch;
  /** The AWS credentials to sign with (default: the SDK's default chain: env, profile, SSO, instance role…). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * A JWT for an API protected by a Cognito user-pools authorizer (`--token` / DUNNING_API_TOKEN): sent as it is in
   * the `Authorization` header (no `Bearer ` prefix, as that authorizer expects), and requests are then not signed.
   */
  readonly token?: string;
}

/** Sends API requests to a resolved API: with the token when there is one, else signed when it is API Gateway. */
export class ApiClient {
  private credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;

  constructor(
    readonly api: ResolvedApi,
    private readonly deps: ClientDeps = {},
  ) {
    if (deps.credentials) this.credentials = deps.credentials;
  }

  /** The URL of a request path below the base URL (`https://…/v1/` + `/invoices/X` → `https://…/v1/invoices/X`). */
  urlOf(path: string): URL {
    return new URL(`${this.api.baseUrl.replace(/\/+$/, '')}${path}`);
  }

  async send(request: ApiRequest): Promise<ApiAnswer> {
    const url = this.urlOf(request.path);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.deps.token !== undefined) {
      headers.authorization = this.deps.token;
    } else if (this.api.signingRegion) {
      headers = await signRequest(
        { method: request.method, url, headers, ...(body !== undefined ? { body } : {}) },
        { region: this.api.signingRegion, credentials: await this.signingCredentials() },
      );
      delete headers.host; // fetch sets it from the URL
    }
    const response = await (this.deps.fetch ?? fetch)(url, {
      method: request.method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: { code: `HTTP${response.status}`, message: text.slice(0, 500), details: [] } };
      }
    }
    return { status: response.status, body: parsed };
  }

  private async signingCredentials(): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider> {
    if (!this.credentials) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      this.credentials = defaultProvider();
    }
    return this.credentials;
  }
}
