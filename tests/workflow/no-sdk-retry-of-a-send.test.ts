import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// At most one copy at the provider (issue #13): SES SendEmail and SNS Publish have no idempotency key, so the SDK's
// own retry of a request whose connection was reset after the provider accepted the message would deliver it twice,
// below the send claim. The wired Mailer and SmsSender (functions/wiring/) send through clients without SDK retries.
//
// A real SESv2Client / SNSClient against a local HTTP server that reads the first request's body (counted: the
// provider accepted it), then destroys the socket (reset after accept), and answers every later request properly.
// In tests/workflow/ (each file its own module graph), because the wired clients read AWS_ENDPOINT_URL_* when first used.

interface ResetAfterAccept {
  readonly url: string;
  /** Requests whose body the server read: what the provider accepted. */
  readonly accepted: { path: string; body: string }[];
  /** Resets the next request after reading it, too. */
  resetNext(): void;
  close(): Promise<void>;
}

/** The server: the first request is read and reset; later ones get `answer`. */
async function resetAfterAccept(answer: (res: ServerResponse, body: string) => void): Promise<ResetAfterAccept> {
  const accepted: { path: string; body: string }[] = [];
  let reset = true;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      accepted.push({ path: req.url ?? '', body });
      if (reset) req.socket.destroy();
      else answer(res, body);
      reset = false;
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    resetNext: () => {
      reset = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let ses: ResetAfterAccept;
let sns: ResetAfterAccept;

beforeAll(async () => {
  ses = await resetAfterAccept((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ MessageId: 'ses-after-reset' }));
  });
  sns = await resetAfterAccept((res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
        '<MessageId>sns-after-reset</MessageId></PublishResult>' +
        '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
    );
  });
  process.env.AWS_ENDPOINT_URL_SESV2 = ses.url;
  process.env.AWS_ENDPOINT_URL_SNS = sns.url;
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SESV2;
  delete process.env.AWS_ENDPOINT_URL_SNS;
  await ses.close();
  await sns.close();
});

describe('a send whose connection is reset after the provider accepted it', () => {
  it('reaches SES once through the wired Mailer: no SDK retry, the failure is "in doubt"', async () => {
    // Prepare
    const { mailer } = await import('../../functions/wiring/mailer');

    // Act
    const sent = mailer().send({ to: 'maria@example.com', subject: 'Lembrete', html: '<p>oi</p>', text: 'oi' });

    // Assess: one request reached SES; the step is told the message may have been taken
    await expect(sent).rejects.toMatchObject({ name: 'TransientSendError' });
    await expect(sent).rejects.toBeInstanceOf((await import('../../functions/wiring/providers')).SendInDoubtError);
    expect(ses.accepted.map((r) => r.path)).toEqual(['/v2/email/outbound-emails']);
  });

  it('reaches SNS once through the wired SmsSender: no SDK retry, the failure is "in doubt"', async () => {
    // Prepare
    const { smsSender } = await import('../../functions/wiring/sms-sender');

    // Act
    const sent = smsSender().send('+5511987650001', 'Lembrete', { invoice: 'INV-1', stage: 'D0' });

    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'TransientSendError' });
    expect(sns.accepted).toHaveLength(1);
    expect(sns.accepted[0]?.body).toContain('Action=Publish');
  });

  it("retries a failure notice to the operators' topic: a second notice is better than none", async () => {
    // Prepare: the escalation path (no SDK retry) and the failure path (SDK retries) publish to the same topic
    process.env.OPERATORS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:operators';
    const { failureNotifier, operatorsNotifier } = await import('../../functions/wiring/operators-notifier');
    const before = sns.accepted.length;

    // Act: both meet a reset connection
    sns.resetNext();
    const escalation = operatorsNotifier().notify('Escalation', { kind: 'escalation' });
    await expect(escalation).rejects.toMatchObject({ name: 'TransientSendError' });
    sns.resetNext();
    const failure = await failureNotifier().notify('Dunning failed', { kind: 'failure' });

    // Assess: the escalation reached SNS once (in doubt); the failure notice was retried and went through
    expect(failure).toBe('sns-after-reset');
    expect(sns.accepted.length - before).toBe(3);
  });

  it('still lets the reads retry: the suppression-list read is answered after the reset', async () => {
    // Prepare: the SES server's first request was the email above; reset the count with a fresh server
    const reads = await resetAfterAccept((res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
      res.end(JSON.stringify({ message: 'not on the suppression list' }));
    });
    const { ses: readClient } = await import('../../functions/platform/clients');
    const { Mailer } = await import('../../functions/wiring/providers');
    const { SESv2Client } = await import('@aws-sdk/client-sesv2');
    const sends = new SESv2Client({ maxAttempts: 1, endpoint: reads.url });
    const reader = new SESv2Client({
      maxAttempts: (await readClient.config.maxAttempts()) as number,
      endpoint: reads.url,
    });

    // Act
    const suppressed = await new Mailer({ reads: reader, sends }, 'cobranca@example.com').isSuppressed('a@example.com');
    await reads.close();

    // Assess: the reset read was retried by the SDK and answered "not suppressed"
    expect(suppressed).toBe(false);
    expect(reads.accepted).toHaveLength(2);
  });
});
