import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiRequest, ApiTarget } from './operator';

/**
 * Where the operator CLI sends its requests, and how: plain HTTP to the local system, or SigV4-signed requests to a
 * deployed stack's API (its methods require IAM authorization).
 */

/** A resolved API: its base URL and, for API Gateway, the region to sign for. */
export interface ResolvedApi {
  readonly baseUrl: string;
  /** Set when requests must be signed (SigV4, service `execute-api`). */
  readonly signingRegion?: string;
}

/** The subset of @aws-sdk/client-cloudformation the CLI uses (loaded only when a stack is looked up there). */
export interface CloudFormationModule {
  CloudFormationClient: new (config: {
    region?: string;
  }) => {
    send(command: unknown): Promise<{ Stacks?: { Outputs?: { OutputKey?: string; OutputValue?: string }[] }[] }>;
    destroy(): void;
  };
  DescribeStacksCommand: new (input: { StackName: string }) => unknown;
}

export interface ResolveDeps {
  /** Loads @aws-sdk/client-cloudformation; undefined when it is not installed. */
  readonly loadCloudFormation?: () => Promise<CloudFormationModule | undefined>;
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
 * credentials and region). Requests to API Gateway (`*.execute-api.<region>.amazonaws.com`) are signed.
 */
export async function resolveApi(target: ApiTarget, deps: ResolveDeps = {}): Promise<ResolvedApi> {
  const env = deps.env ?? process.env;
  if (target.kind === 'url') return withSigning(target.url, target.region);
  const fromFile = readOutputsFile(target.stack, target.outputs ?? join(deps.cwd ?? process.cwd(), 'cdk-outputs.json'));
  if (target.outputs && !fromFile) {
    throw new ApiNotFound(`${target.outputs} has no ${API_URL_OUTPUT} output for stack ${target.stack}`);
  }
  if (fromFile) return withSigning(fromFile, target.region ?? env.AWS_REGION);
  const cloudFormation = await (deps.loadCloudFormation ?? loadCloudFormation)();
  if (!cloudFormation) {
    throw new ApiNotFound(
      `Reading stack ${target.stack} from CloudFormation needs the package @aws-sdk/client-cloudformation, which is ` +
        'not installed (npm install @aws-sdk/client-cloudformation). Or deploy with `npx cdk deploy --outputs-file ' +
        'cdk-outputs.json` and pass --outputs cdk-outputs.json, or give the ApiUrl output with --url.',
    );
  }
  const region = target.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const client = new cloudFormation.CloudFormationClient(region ? { region } : {});
  try {
    const out = await client.send(new cloudFormation.DescribeStacksCommand({ StackName: target.stack }));
    const url = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === API_URL_OUTPUT)?.OutputValue;
    if (!url) throw new ApiNotFound(`Stack ${target.stack} has no ${API_URL_OUTPUT} output`);
    return withSigning(url, region);
  } finally {
    client.destroy();
  }
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

function withSigning(url: string, region: string | undefined): ResolvedApi {
  const host = new URL(url).hostname;
  const match = EXECUTE_API_HOST.exec(host);
  return { baseUrl: url, ...(match ? { signingRegion: region ?? (match[1] as string) } : {}) };
}

/** Loads the CloudFormation client if it is installed. */
async function loadCloudFormation(): Promise<CloudFormationModule | undefined> {
  // A variable specifier: the package is optional (not a dependency), so neither tsc nor the bundler resolves it.
  const specifier = '@aws-sdk/client-cloudformation';
  try {
    return (await import(specifier)) as CloudFormationModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
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
}

/** Sends API requests to a resolved API, signing them when it is API Gateway. */
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
    if (this.api.signingRegion) {
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
