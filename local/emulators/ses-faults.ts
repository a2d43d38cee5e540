import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type FaultPlane, INVOCATION_HEADER } from './fault-plane';

/**
 * The fault plane in front of the SES emulator, at the HTTP level, so that the handlers' real SESv2Client (and its
 * own retry policy) sees what it would see from SES: SendEmail (`POST /v2/email/outbound-emails`) refused by the
 * account's sending quotas or by an injected throttle (HTTP 429 TooManyRequestsException, SES v2's answer to a
 * throttled SendEmail), failed by an injected 5xx (HTTP 500 InternalFailure, nothing accepted), or accepted and then
 * the connection reset without an answer (`reset-after-accept`). Every accepted message goes into the outbox, under
 * a deterministic message id (the emulator draws its ids from Math.random), with its invoice and stage from the
 * message's EmailTags `invoice` and `stage`.
 */
export function serveSesFaults(server: Server, plane: FaultPlane): void {
  const emulator = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'POST' || path !== '/v2/email/outbound-emails') {
      for (const listener of emulator) listener(req, res);
      return;
    }
    sendEmail(req, res, plane, () => {
      for (const listener of emulator) listener(req, res);
    });
  });
}

function sendEmail(req: IncomingMessage, res: ServerResponse, plane: FaultPlane, emulate: () => void): void {
  const fault = plane.draw('ses:SendEmail', ['throttle', '5xx', 'reset-after-accept']);
  if (fault === 'throttle') {
    refuse(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    return;
  }
  if (fault === '5xx') {
    refuse(res, 500, 'InternalFailure', 'The request processing has failed (injected).');
    return;
  }
  const refusal = plane.quotaRefusal('email');
  if (refusal) {
    refuse(res, 429, 'TooManyRequestsException', refusal.message);
    return;
  }

  // Read the request body alongside the emulator (both listen to the same 'data' events).
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  const invocation = header(req, INVOCATION_HEADER);
  const end = res.end.bind(res) as (chunk?: unknown, encoding?: unknown, callback?: unknown) => ServerResponse;
  // The emulator answers with `res.status(200).send({ MessageId })`, which ends in `res.end(body, encoding)`.
  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (res.statusCode !== 200 || chunk === undefined || typeof chunk === 'function')
      return end(chunk, encoding, callback);
    const messageId = plane.nextMessageId('ses');
    const tags = emailTags(Buffer.concat(chunks).toString('utf8'));
    plane.accepted(
      'ses:SendEmail',
      { channel: 'email', messageId, invoiceId: tags.invoice ?? null, stageId: tags.stage ?? null },
      invocation,
    );
    if (fault === 'reset-after-accept') {
      // The message is SES's now; the connection drops before the answer (the SDK sees ECONNRESET).
      req.socket.destroy();
      return res;
    }
    const body = JSON.stringify({ MessageId: messageId });
    res.setHeader('content-length', Buffer.byteLength(body));
    return end(body, 'utf8', callback);
  }) as typeof res.end;
  emulate();
}

/** SES v2's EmailTags of a SendEmail request body, by name. */
function emailTags(body: string): Record<string, string> {
  try {
    const parsed = JSON.parse(body) as { EmailTags?: { Name?: unknown; Value?: unknown }[] };
    const tags: Record<string, string> = {};
    for (const tag of parsed.EmailTags ?? []) {
      if (typeof tag.Name === 'string' && typeof tag.Value === 'string') tags[tag.Name] = tag.Value;
    }
    return tags;
  } catch {
    return {};
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An SES v2 (REST-JSON) error: the error type in `x-amzn-errortype`, `{"message"}` as the body. */
function refuse(res: ServerResponse, status: number, errorType: string, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': errorType,
  });
  res.end(text);
}
