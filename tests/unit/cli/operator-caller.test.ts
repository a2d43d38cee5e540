import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerOf } from '../../../functions/platform/operator-input';

function eventWith(requestContext: unknown): Pick<APIGatewayProxyEvent, 'requestContext'> {
  return { requestContext } as Pick<APIGatewayProxyEvent, 'requestContext'>;
}

describe('who made an operator request (recorded as `by`)', () => {
  it('is the IAM principal that signed it', () => {
    expect(callerOf(eventWith({ identity: { userArn: 'arn:aws:iam::123456789012:user/ana' } }))).toBe(
      'arn:aws:iam::123456789012:user/ana',
    );
  });

  it("is the Cognito user of an ID token's claims", () => {
    const claims = { sub: '5f1c0b6e-2d7a-4c1e-9a57-0d8e3f6b2a11', 'cognito:username': 'ana', email: 'ana@example.com' };
    expect(callerOf(eventWith({ identity: { userArn: null }, authorizer: { claims } }))).toBe('cognito:ana');
  });

  it("is the Cognito user of an access token's claims, else its subject", () => {
    expect(callerOf(eventWith({ identity: {}, authorizer: { claims: { sub: 'abc', username: 'bia' } } }))).toBe(
      'cognito:bia',
    );
    expect(callerOf(eventWith({ identity: {}, authorizer: { claims: { sub: 'abc' } } }))).toBe('cognito:abc');
  });

  it('is unknown without either (the local runtime has no auth)', () => {
    expect(callerOf(eventWith({ identity: { userArn: null } }))).toBeUndefined();
    expect(callerOf(eventWith({ identity: {}, authorizer: { claims: {} } }))).toBeUndefined();
    expect(callerOf(eventWith(undefined))).toBeUndefined();
  });
});
