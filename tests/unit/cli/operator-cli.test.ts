import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiNotFound, resolveApi, signRequest } from '../../../cli/api-client';
import {
  DEFAULT_API_URL,
  describeError,
  type FileCommand,
  type OperatorCommand,
  type ParsedOperatorArgs,
  requestFor,
  submitRequests,
} from '../../../cli/operator';
import { parseOperatorArgs } from '../../../cli/operator-args';
import { operatorCommand } from '../../../cli/operator-command';

const work = mkdtempSync(join(tmpdir(), 'dunning-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// CloudFormation is never really called: DescribeStacks answers come from the mock.
const cfn = mockClient(CloudFormationClient);
beforeEach(() => cfn.reset());

function parsed(argv: string[]): ParsedOperatorArgs {
  const result = parseOperatorArgs(argv);
  if ('problems' in result) throw new Error(result.problems.join('; '));
  return result;
}

const request = (argv: string[]) => requestFor(parsed(argv).command as Exclude<OperatorCommand, FileCommand>);

describe('operator commands become API requests', () => {
  it.each([
    [
      ['customer', 'opt-out', 'C 1', '--channel', 'email'],
      { method: 'POST', path: '/customers/C%201/opt-outs', body: { channel: 'email', source: 'dunning CLI' } },
    ],
    [['invoice', 'show', 'INV-1'], { method: 'GET', path: '/invoices/INV-1' }],
    [['history', 'INV 1/2'], { method: 'GET', path: '/invoices/INV%201%2F2/history' }],
    [['invoice', 'pay', 'INV-1'], { method: 'POST', path: '/invoices/INV-1/payments', body: {} }],
    [
      ['invoice', 'pay', 'INV-1', '--amount', '10.50', '--paid-at', '2026-12-01T10:00:00Z', '--reference', 'PIX-1'],
      {
        method: 'POST',
        path: '/invoices/INV-1/payments',
        body: { amount: '10.50', paidAt: '2026-12-01T10:00:00Z', reference: 'PIX-1' },
      },
    ],
    [
      ['invoice', 'pause', 'INV-1', '--reason', 'asked'],
      { method: 'POST', path: '/invoices/INV-1/pause', body: { reason: 'asked' } },
    ],
    [
      ['invoice', 'resume', 'INV-1', '--reason', 'ok'],
      { method: 'POST', path: '/invoices/INV-1/resume', body: { reason: 'ok' } },
    ],
    [
      ['invoice', 'dispute', 'INV-1', '--reason', 'x'],
      { method: 'POST', path: '/invoices/INV-1/dispute', body: { reason: 'x' } },
    ],
    [
      ['invoice', 'resolve', 'INV-1', '--reason', 'y'],
      { method: 'POST', path: '/invoices/INV-1/resolve', body: { reason: 'y' } },
    ],
    [
      ['invoice', 'write-off', 'INV-1', '--reason', 'insolvent'],
      { method: 'POST', path: '/invoices/INV-1/write-off', body: { reason: 'insolvent' } },
    ],
    [
      ['invoice', 'promise', 'INV-1', '--date', '2026-12-20', '--amount', '50.00'],
      { method: 'POST', path: '/invoices/INV-1/promises', body: { date: '2026-12-20', amount: '50.00' } },
    ],
    [
      ['invoice', 'escalate', 'INV-1', '--reason', 'hostile', '--to', 'legal'],
      { method: 'POST', path: '/invoices/INV-1/escalate', body: { reason: 'hostile', to: 'legal' } },
    ],
    [
      ['invoice', 'restart', 'INV-1', '--reason', 'send step fixed'],
      { method: 'POST', path: '/invoices/INV-1/restart', body: { reason: 'send step fixed' } },
    ],
  ])('%j', (argv, expected) => {
    expect(request(argv)).toEqual(expected);
  });

  it('targets the local system unless told otherwise, and keeps --json', () => {
    expect(parsed(['history', 'INV-1'])).toEqual({
      command: { kind: 'history', invoiceId: 'INV-1' },
      target: { kind: 'url', url: DEFAULT_API_URL },
      json: false,
    });
    expect(parsed(['history', 'INV-1', '--stack', 'Dunning', '--region', 'sa-east-1', '--json'])).toMatchObject({
      target: { kind: 'stack', stack: 'Dunning', region: 'sa-east-1' },
      json: true,
    });
  });

  it('submits a file in batches of at most 500 records', () => {
    const records = Array.from({ length: 1001 }, (_, i) => ({ invoiceId: `INV-${i}` }));

    const requests = submitRequests(records);

    expect(requests.map((r) => [r.method, r.path, (r.body as unknown[]).length])).toEqual([
      ['POST', '/invoices', 500],
      ['POST', '/invoices', 500],
      ['POST', '/invoices', 1],
    ]);
    expect(parsed(['invoices', 'submit', 'a.csv']).command).toEqual({ kind: 'submit', file: 'a.csv' });
  });
});

describe('operator command lines that cannot work are refused with every problem', () => {
  it.each([
    [['invoice', 'pause', 'INV-1'], 'invoice pause needs --reason "<why>"'],
    [['invoice', 'resume'], 'invoice resume needs the invoice id'],
    [['invoice', 'promise', 'INV-1'], 'invoice promise needs --date YYYY-MM-DD'],
    [['invoice', 'pay', 'INV-1', '--reason', 'x'], 'invoice pay takes no --reason'],
    [['invoice', 'refund', 'INV-1'], 'unknown invoice command "refund"'],
    [['invoices', 'delete'], 'unknown command "invoices delete"'],
    [['history', 'INV-1', 'more'], 'unexpected argument(s): more'],
    [['history', 'INV-1', '--url', 'x', '--stack', 'S'], 'give --url or --stack, not both'],
    [['history', 'INV-1', '--url', 'ftp://h'], '--url must be an http(s) URL, got "ftp://h"'],
    [['history', 'INV-1', '--bogus'], "Unknown option '--bogus'"],
    [['customer', 'update', 'C-1'], 'customer update needs the customer id and a JSON file of its details'],
    [['customer', 'opt-out', 'C-1'], 'customer opt-out needs --channel email|sms'],
    [['customer', 'delete', 'C-1'], 'unknown customer command "delete": use update, opt-out'],
    [['invoice', 'show', 'INV-1', '--channel', 'sms'], '--channel goes with customer opt-out'],
    [['customer', 'update', 'C-1', 'a.json', 'b.json'], 'unexpected argument(s): b.json'],
  ])('%j', (argv, problem) => {
    const result = parseOperatorArgs(argv);
    expect('problems' in result && result.problems.join('\n')).toContain(problem);
  });
});

describe('finding the API', () => {
  it('does not sign requests to the local system, and signs an API Gateway URL for its region', async () => {
    expect(await resolveApi({ kind: 'url', url: DEFAULT_API_URL })).toEqual({ baseUrl: DEFAULT_API_URL });
    expect(await resolveApi({ kind: 'url', url: 'https://a1b2c3.execute-api.sa-east-1.amazonaws.com/v1/' })).toEqual({
      baseUrl: 'https://a1b2c3.execute-api.sa-east-1.amazonaws.com/v1/',
      signingRegion: 'sa-east-1',
    });
  });

  it("reads a stack's ApiUrl from the outputs file cdk deploy writes, without asking CloudFormation", async () => {
    writeFileSync(
      join(work, 'cdk-outputs.json'),
      JSON.stringify({ Dunning: { ApiUrl: 'https://x9.execute-api.us-east-1.amazonaws.com/v1/', TableName: 't' } }),
    );

    const api = await resolveApi({ kind: 'stack', stack: 'Dunning' }, { cwd: work, env: {} });

    expect(api).toEqual({ baseUrl: 'https://x9.execute-api.us-east-1.amazonaws.com/v1/', signingRegion: 'us-east-1' });
    expect(cfn.calls()).toHaveLength(0);
  });

  it('signs for the region in the API Gateway host name, whatever AWS_REGION says', async () => {
    const api = await resolveApi(
      { kind: 'stack', stack: 'Dunning', outputs: join(work, 'cdk-outputs.json') },
      { env: { AWS_REGION: 'sa-east-1' } },
    );

    expect(api.signingRegion).toBe('us-east-1');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('asks CloudFormation (DescribeStacks) in --region for a stack not in any outputs file', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Prod' }).resolves({
      Stacks: [
        {
          StackName: 'Prod',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          Outputs: [
            { OutputKey: 'TableName', OutputValue: 'Prod-Table' },
            { OutputKey: 'ApiUrl', OutputValue: 'https://q.execute-api.eu-west-1.amazonaws.com/v1/' },
          ],
        },
      ],
    });

    const api = await resolveApi(
      { kind: 'stack', stack: 'Prod', region: 'eu-west-1' },
      { cwd: join(work, 'nowhere'), env: { AWS_REGION: 'us-east-1' } },
    );

    expect(api).toEqual({ baseUrl: 'https://q.execute-api.eu-west-1.amazonaws.com/v1/', signingRegion: 'eu-west-1' });
    const calls = cfn.commandCalls(DescribeStacksCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ StackName: 'Prod' }]);
    expect(await calls[0]?.thisValue.config.region()).toBe('eu-west-1');
  });

  it('uses AWS_DEFAULT_REGION when neither --region nor AWS_REGION is set', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Prod',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://q.execute-api.ap-south-1.amazonaws.com/v1/' }],
        },
      ],
    });

    await resolveApi(
      { kind: 'stack', stack: 'Prod' },
      { cwd: join(work, 'nowhere'), env: { AWS_DEFAULT_REGION: 'ap-south-1' } },
    );

    expect(await cfn.commandCalls(DescribeStacksCommand)[0]?.thisValue.config.region()).toBe('ap-south-1');
  });

  it('says the stack was not found, where it looked, and what to check', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Stack with id Prod does not exist',
      }),
    );

    const found = resolveApi({ kind: 'stack', stack: 'Prod', region: 'sa-east-1' }, { cwd: join(work, 'nowhere') });

    await expect(found).rejects.toThrow(ApiNotFound);
    await expect(found).rejects.toThrow(
      /^Stack Prod not found in sa-east-1 .*`npx cdk list`.*--region <region>.*--url/,
    );
  });

  it('says the stack has no ApiUrl output, naming the outputs it has and its status', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }],
        },
      ],
    });

    const found = resolveApi({ kind: 'stack', stack: 'Other', region: 'sa-east-1' }, { cwd: join(work, 'nowhere') });

    await expect(found).rejects.toThrow(ApiNotFound);
    await expect(found).rejects.toThrow(
      'Stack Other in sa-east-1 (CREATE_COMPLETE) has no ApiUrl output (its outputs: BucketName). Is it the dunning stack',
    );
  });

  it('says what to do when there are no AWS credentials or no region', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      )
      .rejectsOnce(new Error('Region is missing'));
    const target = { kind: 'stack', stack: 'Prod' } as const;
    const deps = { cwd: join(work, 'nowhere'), env: {} };

    await expect(resolveApi(target, deps)).rejects.toThrow(
      /^No AWS credentials for reading stack Prod from CloudFormation: set AWS_PROFILE .*AWS_ACCESS_KEY_ID.*--url/,
    );
    await expect(resolveApi(target, deps)).rejects.toThrow(
      /^No AWS region for reading stack Prod from CloudFormation: pass --region <region>, or set AWS_REGION/,
    );
  });

  it('refuses an --outputs file that does not exist or does not hold the stack, without asking CloudFormation', async () => {
    await expect(
      resolveApi({ kind: 'stack', stack: 'Dunning', outputs: join(work, 'missing.json') }, { env: {} }),
    ).rejects.toThrow(`--outputs ${join(work, 'missing.json')}: file not found`);
    await expect(
      resolveApi({ kind: 'stack', stack: 'Prod', outputs: join(work, 'cdk-outputs.json') }, { env: {} }),
    ).rejects.toThrow(`${join(work, 'cdk-outputs.json')} has no ApiUrl output for stack Prod`);
    expect(cfn.calls()).toHaveLength(0);
  });
});

/** An independent SigV4 (the AWS documentation's steps) to check the signer's result against. */
function expectedSignature(
  request: { method: string; path: string; headers: Record<string, string>; body: string },
  signed: Record<string, string>,
  secret: string,
  region: string,
): string {
  const authorization = signed.authorization ?? '';
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const date = signed['x-amz-date'] ?? '';
  const day = date.slice(0, 8);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed)) all[k.toLowerCase()] = v;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const canonical = [
    request.method,
    request.path,
    '',
    ...signedHeaders.map((h) => `${h}:${(all[h] ?? '').trim()}`),
    '',
    signedHeaders.join(';'),
    sha(request.body),
  ].join('\n');
  const scope = `${day}/${region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha(canonical)].join('\n');
  const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 'execute-api'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('signing requests for a deployed API (IAM auth)', () => {
  it('signs with SigV4 for execute-api in the API region: a signature an independent computation agrees with', async () => {
    const body = '{"reason":"customer called"}';
    const url = new URL('https://a1b2c3.execute-api.sa-east-1.amazonaws.com/v1/invoices/INV-1/pause');

    const headers = await signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
      {
        region: 'sa-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
        now: new Date('2026-11-29T12:00:00Z'),
      },
    );

    expect(headers['x-amz-date']).toBe('20261129T120000Z');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261129\/sa-east-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    const signature = /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? '')?.[1];
    expect(signature).toBe(
      expectedSignature(
        { method: 'POST', path: url.pathname, headers, body },
        headers,
        'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        'sa-east-1',
      ),
    );
  });

  it('sends signed requests to API Gateway, with the session token, and plain ones to the local system', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const fakeFetch = (async (url: URL, init: { headers: Record<string, string> }) => {
      seen.push({ url: String(url), headers: init.headers });
      return new Response('{"ok":true}', { status: 200 });
    }) as unknown as typeof fetch;
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'session' };

    await new ApiClient(
      { baseUrl: 'https://a1.execute-api.us-east-1.amazonaws.com/v1/', signingRegion: 'us-east-1' },
      { fetch: fakeFetch, credentials },
    ).send({ method: 'GET', path: '/invoices/INV-1' });
    await new ApiClient({ baseUrl: DEFAULT_API_URL }, { fetch: fakeFetch }).send({
      method: 'GET',
      path: '/invoices/INV-1',
    });

    expect(seen[0]?.url).toBe('https://a1.execute-api.us-east-1.amazonaws.com/v1/invoices/INV-1');
    expect(seen[0]?.headers).toMatchObject({
      authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 /),
      'x-amz-security-token': 'session',
    });
    expect(seen[1]).toEqual({ url: 'http://127.0.0.1:3000/invoices/INV-1', headers: { accept: 'application/json' } });
  });
});

describe('a token for an API behind a Cognito authorizer', () => {
  const GATEWAY = 'https://a1.execute-api.us-east-1.amazonaws.com/v1/';
  const JWT = 'eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJvcGVyYXRvciJ9.c2lnbmF0dXJl';
  const recording = () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const fetch = (async (url: URL, init: { headers: Record<string, string> }) => {
      seen.push({ url: String(url), headers: init.headers });
      return new Response(JSON.stringify({ invoiceId: 'INV-1', status: 'OPEN', currency: 'BRL', history: [] }), {
        status: 200,
      });
    }) as unknown as typeof globalThis.fetch;
    return { seen, fetch };
  };
  const noCredentials = async () => {
    throw new Error('a request with a token must not load AWS credentials');
  };
  const quiet = { out: () => {}, err: () => {} };

  it('sends the raw JWT as Authorization and does not sign, even to API Gateway', async () => {
    const { seen, fetch } = recording();

    await new ApiClient(
      { baseUrl: GATEWAY, signingRegion: 'us-east-1' },
      { fetch, credentials: noCredentials, token: JWT },
    ).send({ method: 'POST', path: '/invoices/INV-1/pause', body: { reason: 'asked' } });

    expect(seen).toEqual([
      {
        url: 'https://a1.execute-api.us-east-1.amazonaws.com/v1/invoices/INV-1/pause',
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: JWT },
      },
    ]);
  });

  it('takes --token, else DUNNING_API_TOKEN; --token wins', async () => {
    const flag = recording();
    const env = recording();
    const both = recording();
    const argv = ['history', 'INV-1', '--url', GATEWAY];

    const statuses = [
      await operatorCommand([...argv, '--token', JWT], quiet, {
        fetch: flag.fetch,
        credentials: noCredentials,
        env: {},
      }),
      await operatorCommand(argv, quiet, {
        fetch: env.fetch,
        credentials: noCredentials,
        env: { DUNNING_API_TOKEN: `${JWT}\n` },
      }),
      await operatorCommand([...argv, '--token', JWT], quiet, {
        fetch: both.fetch,
        credentials: noCredentials,
        env: { DUNNING_API_TOKEN: 'other.jwt.value' },
      }),
    ];

    expect(statuses).toEqual([0, 0, 0]);
    for (const { seen } of [flag, env, both]) {
      expect(seen[0]?.headers).toEqual({ accept: 'application/json', authorization: JWT });
    }
  });

  it('signs with SigV4 as before when there is no token (an empty DUNNING_API_TOKEN is none)', async () => {
    const { seen, fetch } = recording();

    const status = await operatorCommand(['history', 'INV-1', '--url', GATEWAY], quiet, {
      fetch,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      env: { DUNNING_API_TOKEN: '' },
    });

    expect(status).toBe(0);
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-east-1\/execute-api\//,
    );
    expect(seen[0]?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('refuses a token that is not a bare JWT (exit 2), from the flag or the environment', async () => {
    const err: string[] = [];
    const streams = { out: () => {}, err: (t: string) => void err.push(t) };

    const bearer = parseOperatorArgs(['history', 'INV-1', '--token', `Bearer ${JWT}`]);
    const empty = parseOperatorArgs(['history', 'INV-1', '--token', ' ']);
    const fromEnv = await operatorCommand(['history', 'INV-1'], streams, {
      env: { DUNNING_API_TOKEN: `Bearer ${JWT}` },
    });

    expect('problems' in bearer && bearer.problems).toEqual([
      '--token must be the bare JWT, one word (the Cognito authorizer wants no "Bearer " prefix, no spaces)',
    ]);
    expect('problems' in empty && empty.problems).toEqual([
      '--token is empty: give the JWT (the Cognito ID or access token)',
    ]);
    expect(fromEnv).toBe(2);
    expect(err.join('')).toMatch(/^DUNNING_API_TOKEN must be the bare JWT/);
  });

  it('lists --token and DUNNING_API_TOKEN in the help', async () => {
    const out: string[] = [];

    await operatorCommand(['invoice', '--help'], { out: (t) => void out.push(t), err: () => {} });

    expect(out.join('')).toMatch(
      /--token <JWT> +for an API behind a Cognito authorizer: sent as the Authorization header/,
    );
    expect(out.join('')).toContain('DUNNING_API_TOKEN');
  });

  it("explains API Gateway's own 401 and 403 answers", () => {
    expect(describeError(401, { message: 'Unauthorized' })).toBe(
      'error: HTTP 401: Unauthorized\n  the API wants a Cognito token: pass --token <JWT> or set DUNNING_API_TOKEN ' +
        '(an ID or access token of its user pool, not expired)',
    );
    expect(describeError(403, { message: 'Missing Authentication Token' })).toMatch(
      /^error: HTTP 403: Missing Authentication Token\n {2}refused: an API with IAM auth wants signed requests/,
    );
    expect(describeError(500, null)).toBe('error: HTTP 500');
  });
});

describe('the operator command line', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
  };
  const answering = (status: number, body: unknown) =>
    (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

  it('prints what changed and exits 0', async () => {
    const { out, io: streams } = io();

    const status = await operatorCommand(['invoice', 'pause', 'INV-1', '--reason', 'asked'], streams, {
      fetch: answering(200, {
        invoiceId: 'INV-1',
        status: 'PAUSED',
        previousStatus: 'OPEN',
        events: ['paused'],
        resumedWorkflow: true,
      }),
    });

    expect(status).toBe(0);
    expect(out.join('')).toBe('INV-1: OPEN → PAUSED (paused); the waiting walk was told at once\n');
  });

  it('says what a restart did to the walk', async () => {
    const restarted = io();
    const nothing = io();
    const noReason = io();

    await operatorCommand(['invoice', 'restart', 'INV-1', '--reason', 'fixed'], restarted.io, {
      fetch: answering(200, {
        invoiceId: 'INV-1',
        action: 'restarted',
        why: 'failed',
        walk: 2,
        executionArn: 'arn:aws:states:us-east-1:1:execution:W:INV-1-w2-abc',
      }),
    });
    await operatorCommand(['invoice', 'restart', 'INV-2', '--reason', 'fixed'], nothing.io, {
      fetch: answering(200, { invoiceId: 'INV-2', action: 'none', why: 'invoice paid' }),
    });
    const status = await operatorCommand(['invoice', 'restart', 'INV-1'], noReason.io);

    expect(restarted.out.join('')).toBe(
      'INV-1: walk restarted (its execution failed): walk 2, execution arn:aws:states:us-east-1:1:execution:W:INV-1-w2-abc\n',
    );
    expect(nothing.out.join('')).toBe('INV-2: nothing to restart (invoice paid)\n');
    expect(status).toBe(2);
    expect(noReason.err.join('')).toMatch(/^invoice restart needs --reason "<why>"/);
  });

  it('prints the API error with its details and exits 1; exits 2 on a bad command line', async () => {
    const refused = io();
    const bad = io();

    const status = await operatorCommand(['invoice', 'resume', 'INV-1', '--reason', 'x'], refused.io, {
      fetch: answering(409, {
        error: {
          code: 'InvalidTransition',
          message: 'Invoice INV-1 is DISPUTED',
          details: [{ path: '(status)', issue: 'is DISPUTED' }],
        },
      }),
    });
    const usage = await operatorCommand(['invoice', 'resume', 'INV-1'], bad.io);

    expect(status).toBe(1);
    expect(refused.err.join('')).toBe(
      'error InvalidTransition (HTTP 409): Invoice INV-1 is DISPUTED\n  (status): is DISPUTED\n',
    );
    expect(usage).toBe(2);
    expect(bad.err.join('')).toMatch(/^invoice resume needs --reason "<why>"\n\nUsage: dunning invoices submit/);
  });
});
