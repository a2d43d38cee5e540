import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../functions/contracts/api-routes';
import { resourcesOfType, sharedDunningStack } from './stack-under-test';

const { template } = sharedDunningStack();
const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'));
const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');

/** `POST /invoices/{id}/payments` from a method's resource chain. */
function pathOf(method: { Properties: Record<string, unknown> }): string {
  const parts: string[] = [];
  let ref = (method.Properties.ResourceId as { Ref?: string }).Ref;
  for (let resource = ref ? resources[ref] : undefined; resource; resource = ref ? resources[ref] : undefined) {
    parts.unshift(resource.Properties.PathPart as string);
    ref = (resource.Properties.ParentId as { Ref?: string }).Ref;
  }
  return `${method.Properties.HttpMethod as string} /${parts.join('/')}`;
}

const publicRoutes = new Set(API_ROUTES.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`));

describe("the API requires IAM authorization on every method but the debtor's links", () => {
  it('exposes exactly the shared routes, each signed with SigV4 (AWS_IAM) unless declared public', () => {
    // Assess
    expect(methods.map(pathOf).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const method of methods) {
      const expected = publicRoutes.has(pathOf(method)) ? 'NONE' : 'AWS_IAM';
      expect(method.Properties.AuthorizationType, pathOf(method)).toBe(expected);
    }
  });

  it('makes public only the one-click unsubscribe link (GET page, POST opt-out) and the statement link', () => {
    expect([...publicRoutes].sort()).toEqual([
      'GET /statements/{token}',
      'GET /unsubscribe/{token}',
      'POST /unsubscribe/{token}',
    ]);
  });

  it('proxies each route to its Lambda function', () => {
    for (const method of methods) {
      expect(method.Properties.Integration, pathOf(method)).toMatchObject({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
      });
    }
  });
});

describe('the API checks body shapes before calling Lambda', () => {
  const validators = Object.keys(resourcesOfType(template, 'AWS::ApiGateway::RequestValidator'));

  it('validates the bodies of every signed POST against their models', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    const withBody = methods.filter((m) => m.Properties.HttpMethod === 'POST' && !publicRoutes.has(pathOf(m)));
    expect(withBody.length).toBeGreaterThanOrEqual(3);
    for (const method of withBody) {
      expect(method.Properties, pathOf(method)).toMatchObject({
        RequestValidatorId: { Ref: validators[0] },
        RequestModels: { 'application/json': { Ref: expect.any(String) } },
      });
    }
  });

  it('accepts one invoice object or a batch of up to 500, leaving field checks to the handler', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'InvoiceOrBatch',
      ContentType: 'application/json',
      Schema: Match.objectLike({ type: ['object', 'array'], minItems: 1, maxItems: 500, items: { type: 'object' } }),
    });
  });

  it('accepts an opt-out naming the channel (email or sms) and an optional source, and nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'OptOut',
      Schema: Match.objectLike({
        type: 'object',
        additionalProperties: false,
        required: ['channel'],
        properties: { channel: { type: 'string', enum: ['email', 'sms'] }, source: { type: 'string', maxLength: 256 } },
      }),
    });
  });

  it('accepts a payment with optional amount, paidAt and reference, and nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'Payment',
      Schema: Match.objectLike({
        type: 'object',
        additionalProperties: false,
        properties: {
          amount: { type: 'string' },
          paidAt: { type: 'string' },
          reference: { type: 'string', maxLength: 256 },
        },
        required: Match.absent(),
      }),
    });
  });

  it("accepts an operator's change carrying a reason (or a promise's date and amount), and nothing else", () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'InvoiceChange',
      Schema: Match.objectLike({
        type: 'object',
        additionalProperties: false,
        properties: {
          reason: { type: 'string', maxLength: 500 },
          date: { type: 'string', maxLength: 10 },
          amount: { type: 'string', maxLength: 40 },
        },
      }),
    });
  });

  it('accepts an agreement of 1 to 24 instalments, each a due date, an amount and a payment link, and nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'Agreement',
      Schema: Match.objectLike({
        type: 'object',
        additionalProperties: false,
        required: ['instalments'],
        properties: {
          instalments: {
            type: 'array',
            minItems: 1,
            maxItems: 24,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['dueDate', 'amount'],
              properties: {
                dueDate: { type: 'string', maxLength: 10 },
                amount: { type: 'string', maxLength: 40 },
                paymentUrl: { type: 'string', maxLength: 2048 },
              },
            },
          },
        },
      }),
    });
  });

  it('accepts an escalation with a reason and a team, and nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'Escalation',
      Schema: Match.objectLike({
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', maxLength: 500 }, to: { type: 'string', maxLength: 64 } },
      }),
    });
  });
});

describe("API Gateway's own errors use the JSON error format", () => {
  it.each([
    'DEFAULT_4XX',
    'DEFAULT_5XX',
    'BAD_REQUEST_BODY',
  ])('%s answers { error: { code, message, details } }', (type) => {
    const response = Object.values(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse')).find(
      (r) => r.Properties.ResponseType === type,
    );
    const templates = response?.Properties.ResponseTemplates as Record<string, string> | undefined;
    const body = templates?.['application/json'] ?? '';
    // The templates are JSON once API Gateway substitutes its variables: check with neutral values.
    const rendered = body
      .replace('$context.error.messageString', '"message"')
      .replace(/\$util\.escapeJavaScript\([^)]*\)|\$context\.error\.\w+/g, 'X');
    expect(JSON.parse(rendered)).toEqual({
      error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
    });
  });

  it('names the body as the bad field when the schema check fails', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: {
        'application/json': Match.stringLikeRegexp(
          '"code":"ValidationError".*"path":"\\(body\\)".*validationErrorString',
        ),
      },
    });
  });
});

describe('the API stage is observable and throttled', () => {
  it('writes JSON access logs, traces with X-Ray and throttles at 50 rps / burst 100', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ],
    });
  });

  it('is a regional endpoint', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });
});
