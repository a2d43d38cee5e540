import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../functions/contracts/api-routes';
import { acknowledgements, findingsOf } from './nag-findings';
import { fullConfig, resourcesOfType, sharedDunningStack, synthDunningStack } from './stack-under-test';

const USER_POOL_ARN = 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/sa-east-1_AbCdEf123';
const SCOPES = ['dunning/operator', 'dunning/admin'];

const iam = sharedDunningStack();
// One synth for the Cognito mode (synth costs seconds): the shipped-like config with the operators' user pool.
const cognito = synthDunningStack({
  ...fullConfig(),
  api: { auth: { type: 'cognito', userPoolArn: USER_POOL_ARN, scopes: SCOPES } },
});

const publicRoutes = new Set(API_ROUTES.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`));

/** The API's methods, by `GET /invoices/{id}` (the path rebuilt from the method's resource chain). */
function methodsByRoute(template: Template): Map<string, Record<string, unknown>> {
  const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
  const byRoute = new Map<string, Record<string, unknown>>();
  for (const method of Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'))) {
    const parts: string[] = [];
    let ref = (method.Properties.ResourceId as { Ref?: string }).Ref;
    for (let resource = ref ? resources[ref] : undefined; resource; resource = ref ? resources[ref] : undefined) {
      parts.unshift(resource.Properties.PathPart as string);
      ref = (resource.Properties.ParentId as { Ref?: string }).Ref;
    }
    byRoute.set(`${method.Properties.HttpMethod as string} /${parts.join('/')}`, method.Properties);
  }
  return byRoute;
}

describe('with the default IAM auth', () => {
  const methods = methodsByRoute(iam.template);

  it('has no authorizer: every method but the public links is AWS_IAM, without scopes', () => {
    // Assess
    iam.template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    expect(iam.stack.api.authorizer).toBeUndefined();
    expect(methods.size).toBe(API_ROUTES.length);
    for (const [route, method] of methods) {
      expect(method.AuthorizationType, route).toBe(publicRoutes.has(route) ? 'NONE' : 'AWS_IAM');
      expect(method.AuthorizerId, route).toBeUndefined();
      expect(method.AuthorizationScopes, route).toBeUndefined();
    }
  });

  it('acknowledges cdk-nag COG4 on the API with the IAM reason', () => {
    const cog4 = acknowledgements(iam.app).filter((a) => a.id === 'AwsSolutions-COG4');
    expect(cog4.find((a) => a.path === iam.stack.api.api.node.path)?.reason).toMatch(/IAM \(SigV4\) authorization/);
  });
});

describe('with a Cognito user pool', () => {
  const { template, stack, app } = cognito;
  const methods = methodsByRoute(template);
  const authorizers = resourcesOfType(template, 'AWS::ApiGateway::Authorizer');
  const [authorizerId] = Object.keys(authorizers);

  it('adds one COGNITO_USER_POOLS authorizer of the imported pool, reading the Authorization header', () => {
    // Assess
    expect(Object.keys(authorizers)).toHaveLength(1);
    expect(authorizers[authorizerId ?? '']?.Properties).toMatchObject({
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [USER_POOL_ARN],
      IdentitySource: 'method.request.header.Authorization',
      RestApiId: { Ref: expect.any(String) },
    });
  });

  it('imports the pool rather than creating one', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  it('protects every non-public method with the authorizer and the configured scopes', () => {
    expect(methods.size).toBe(API_ROUTES.length);
    const protectedRoutes = [...methods.keys()].filter((route) => !publicRoutes.has(route));
    expect(protectedRoutes.length).toBe(API_ROUTES.length - publicRoutes.size);
    for (const route of protectedRoutes) {
      expect(methods.get(route), route).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: authorizerId },
        AuthorizationScopes: SCOPES,
      });
    }
  });

  it("keeps the debtor's links public: no authorizer, no scopes", () => {
    expect([...publicRoutes].every((route) => methods.has(route))).toBe(true);
    for (const route of publicRoutes) {
      const method = methods.get(route);
      expect(method?.AuthorizationType, route).toBe('NONE');
      expect(method?.AuthorizerId, route).toBeUndefined();
      expect(method?.AuthorizationScopes, route).toBeUndefined();
    }
  });

  it('takes any valid token of the pool on every non-public method when no scopes are configured', () => {
    // Prepare: a second Cognito-mode stack, without scopes (a synth without the nag packs: about a second).
    const unscoped = synthDunningStack({
      ...fullConfig(),
      api: { auth: { type: 'cognito', userPoolArn: USER_POOL_ARN } },
    });

    // Assess
    for (const [route, method] of methodsByRoute(unscoped.template)) {
      expect(method.AuthorizationType, route).toBe(publicRoutes.has(route) ? 'NONE' : 'COGNITO_USER_POOLS');
      expect(method.AuthorizationScopes, route).toBeUndefined();
    }
  });

  it('says in the ApiUrl output that the API takes Cognito JWTs', () => {
    expect(template.findOutputs('ApiUrl').ApiUrl?.Description).toMatch(/Cognito user pool JWT/);
  });

  it('passes both cdk-nag packs with nothing unacknowledged', () => {
    expect(findingsOf(new AwsSolutionsChecks(), app).map((f) => f.text)).toEqual([]);
    expect(findingsOf(new ServerlessChecks(), app).map((f) => f.text)).toEqual([]);
  });

  it('needs COG4 acknowledged only on the public links, never on the API or a protected method', () => {
    // Act
    const cog4 = acknowledgements(app).filter((a) => a.id === 'AwsSolutions-COG4');
    const raw = findingsOf(new AwsSolutionsChecks(), app, true).filter((f) => f.id === 'AwsSolutions-COG4');

    // Assess: each acknowledgement silences a finding that really fires, and only public methods raise one.
    expect(cog4.map((a) => a.path)).not.toContain(stack.api.api.node.path);
    expect(cog4.length).toBe(publicRoutes.size);
    for (const ack of cog4)
      expect(
        raw.some((f) => f.path.startsWith(`${ack.path}/`)),
        ack.path,
      ).toBe(true);
    expect(raw).toHaveLength(publicRoutes.size);
  });
});
