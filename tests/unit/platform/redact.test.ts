import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASKED_EMAIL, MASKED_PHONE, maskContactDetails } from '../../../functions/platform/redact';
import {
  classifyProviderError,
  PermanentSendError,
  SendInDoubtError,
  TransientSendError,
} from '../../../functions/wiring/providers';

describe("masking contact details in a provider's words", () => {
  it('masks the destination it was given (any case) and anything shaped like an email or an E.164 number', () => {
    const text =
      'Email address is not verified: Maria.Souza@Example.com.br; also ana@x.io, +5511987654321 and +14155550123.';

    const masked = maskContactDetails(text, ['maria.souza@example.com.br']);

    expect(masked).toBe(
      `Email address is not verified: ${MASKED_EMAIL}; also ${MASKED_EMAIL}, ${MASKED_PHONE} and ${MASKED_PHONE}.`,
    );
  });

  it('keeps ids, error codes, request ids and numbers that are not phones', () => {
    const text = 'ThrottlingException: rate exceeded (request 3f2a-77, code 429, invoice INV-2026-0042, +12 retries)';

    expect(maskContactDetails(text)).toBe(text);
  });

  it('never leaves a known address or phone in the text, wherever it sits (property)', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/);
    const domain = fc.stringMatching(/^[a-z]{2,10}\.(com|com\.br|io)$/);
    const email = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
    const phone = fc.stringMatching(/^\+[1-9]\d{7,14}$/);
    fc.assert(
      fc.property(fc.string(), fc.oneof(email, phone), fc.string(), (before, secret, after) => {
        const masked = maskContactDetails(`${before} ${secret} ${after}`, [secret]);
        expect(masked).not.toContain(secret);
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies provider errors with the destination masked, keeping their kind', () => {
    const refused = {
      name: 'MessageRejected',
      message: 'not verified: maria@x.com',
      $metadata: { httpStatusCode: 400 },
    };
    const throttled = {
      name: 'Throttling',
      message: 'slow down for +5511987654321',
      $metadata: { httpStatusCode: 400 },
    };
    // a failure that says nothing of whether the message left (not a network error: those are "in doubt")
    const network = new Error('unexpected while sending to maria@x.com');
    const reset = new Error('socket hang up while sending to maria@x.com');

    const permanent = classifyProviderError(refused, 'SES', 'maria@x.com');
    const transient = classifyProviderError(throttled, 'SNS', '+5511987654321');
    const rethrown = classifyProviderError(network, 'SES', 'maria@x.com');
    const inDoubt = classifyProviderError(reset, 'SES', 'maria@x.com');

    expect(permanent).toBeInstanceOf(PermanentSendError);
    expect(permanent.message).toBe(`SES: MessageRejected: not verified: ${MASKED_EMAIL}`);
    expect(transient).toBeInstanceOf(TransientSendError);
    expect(transient.message).toBe(`SNS: Throttling: slow down for ${MASKED_PHONE}`);
    expect(rethrown).toBe(network);
    expect(rethrown.message).toBe(`unexpected while sending to ${MASKED_EMAIL}`);
    expect(rethrown.stack).not.toContain('maria@x.com');
    // a send reset after the request went out may have been taken: in doubt, retried as transient, never resent
    expect(inDoubt).toBeInstanceOf(SendInDoubtError);
    expect(inDoubt.name).toBe('TransientSendError');
    expect(inDoubt.message).not.toContain('maria@x.com');
  });
});
