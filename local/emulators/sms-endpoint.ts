import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { type FaultPlane, INVOCATION_HEADER } from './fault-plane';
import { closeServer, listenOnLoopback } from './http-server';
import { isE164, type SmsMessage, SmsStore } from './sms-store';
import {
  invalidParameter,
  parseQueryBody,
  type QueryParams,
  type QueryResponse,
  queryError,
  querySuccess,
  readMessageAttributes,
  xmlEscape,
} from './sns-query-protocol';

/**
 * The local SNS endpoint. The app has ONE `SNSClient` for topics and SMS; fauxqs does topics but not SMS, so this
 * server sits in front of it: it answers the SMS actions itself and forwards every other request, byte for byte,
 * to fauxqs.
 */
export interface SmsEndpoint {
  /** `http://127.0.0.1:<port>` — the SNS endpoint to give the SDK. */
  readonly url: string;
  /** Every SMS delivered, oldest first (a copy). */
  outbox(): SmsMessage[];
  /** Opts `phone` out, as a STOP reply would: later SMS to it are not delivered. */
  optOut(phone: string): void;
  /** Opted-out numbers, sorted. */
  optedOut(): string[];
  stop(): Promise<void>;
}

export interface SmsEndpointOptions {
  /** Base URL of the SNS (topics) emulator every non-SMS request is forwarded to, e.g. fauxqs's. */
  forwardTo: string;
  /** Port to listen on; 0 (default) = any free port. */
  port?: number | undefined;
  /** Directory for `sms-outbox.json` / `sms-opt-outs.json`; in memory only when undefined. */
  stateDir?: string;
  /** Clock for the outbox's `at`; defaults to the wall clock (the local runtime passes its virtual clock). */
  now?: () => Date;
  /**
   * A simulation's fault plane: `Publish` (to a phone or a topic) then meets its faults and the SMS quota, and what
   * is accepted goes into its outbox.
   */
  faults?: FaultPlane | undefined;
}

/** Actions answered here; every other action goes to `forwardTo`. */
const SMS_ACTIONS = new Set(['CheckIfPhoneNumberIsOptedOut', 'ListPhoneNumbersOptedOut', 'OptInPhoneNumber']);
/** AWS pages `ListPhoneNumbersOptedOut` by 100. */
const OPT_OUT_PAGE_SIZE = 100;
const SMS_TYPES = new Set(['Promotional', 'Transactional']);

/**
 * Starts the local SMS endpoint on 127.0.0.1. It handles `Publish` with a `PhoneNumber`,
 * `CheckIfPhoneNumberIsOptedOut`, `ListPhoneNumbersOptedOut` and `OptInPhoneNumber` (awsQuery, as
 * `@aws-sdk/client-sns` speaks it, with AWS's `InvalidParameter` errors for bad numbers) and proxies the rest.
 * Publishing to an opted-out number succeeds (as on AWS) but delivers nothing: it does not reach the outbox.
 */
export async function startSmsEndpoint(options: SmsEndpointOptions): Promise<SmsEndpoint> {
  const store = new SmsStore(options.stateDir);
  const now = options.now ?? (() => new Date());
  const upstream = new URL(options.forwardTo);

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const params = isQueryRequest(req) ? parseQueryBody(body.toString('utf8')) : undefined;
        const faults = options.faults;
        if (faults && params?.get('Action') === 'Publish') {
          publishWithFaults(faults, { req, body, res, upstream, params, store, now });
          return;
        }
        const answer = params === undefined ? undefined : answerSmsAction(params, store, now);
        if (answer === undefined) {
          forward(req, body, res, upstream);
          return;
        }
        writeAnswer(res, answer);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`local SMS endpoint failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  });
  const url = await listenOnLoopback(server, 'SNS/SMS endpoint', options.port);

  let stopped: Promise<void> | undefined;
  return {
    url,
    outbox: () => store.outbox(),
    optOut(phone) {
      if (!isE164(phone))
        throw new Error(`optOut: phone must be an E.164 number like "+5511987654321", got "${phone}"`);
      store.optOut(phone);
    },
    optedOut: () => store.optedOut(),
    stop() {
      stopped ??= closeServer(server);
      return stopped;
    },
  };
}

/** The response to an SMS action, or undefined when the request is not one (then it is forwarded). */
function answerSmsAction(params: QueryParams, store: SmsStore, now: () => Date): QueryResponse | undefined {
  const action = params.get('Action');
  if (action === 'Publish' && params.has('PhoneNumber')) return publishSms(params, store, now);
  if (action === undefined || !SMS_ACTIONS.has(action)) return undefined;
  if (action === 'ListPhoneNumbersOptedOut') return listOptedOut(params, store);

  const phone = params.get('phoneNumber') ?? '';
  if (!isE164(phone)) return invalidParameter('PhoneNumber', 'input incorrectly formatted');
  if (action === 'CheckIfPhoneNumberIsOptedOut') {
    return querySuccess(action, `<isOptedOut>${store.isOptedOut(phone)}</isOptedOut>`);
  }
  store.optIn(phone);
  return querySuccess(action, '');
}

function writeAnswer(res: ServerResponse, answer: QueryResponse): void {
  res.writeHead(answer.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

interface PublishRequest {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly res: ServerResponse;
  readonly upstream: URL;
  readonly params: QueryParams;
  readonly store: SmsStore;
  readonly now: () => Date;
}

/**
 * `Publish` under a fault plane, at the HTTP level so the handlers' SNSClient (and its retry policy) sees what SNS
 * would answer: an injected throttle or the SMS per-second quota → HTTP 429 `Throttled` (ThrottledException, SNS
 * Publish's rate error); an injected 5xx → HTTP 500 `InternalError`, nothing accepted; `reset-after-accept` → the
 * message is accepted (outbox), then the connection is reset without an answer. An SMS's invoice and stage come
 * from its MessageAttributes `invoice` and `stage`; a topic message is in the outbox when it is an escalation
 * (`kind: "escalation"`), with its attributes (or its body's `invoiceId` / `stageId`).
 */
function publishWithFaults(plane: FaultPlane, request: PublishRequest): void {
  const { req, res, params } = request;
  const toPhone = params.has('PhoneNumber');
  const fault = plane.draw('sns:Publish', ['throttle', '5xx', 'reset-after-accept']);
  if (fault === 'throttle') {
    writeAnswer(res, queryError('Throttled', 'Rate exceeded', 429));
    return;
  }
  if (fault === '5xx') {
    writeAnswer(res, queryError('InternalError', 'Internal error (injected)', 500));
    return;
  }
  const refusal = toPhone ? plane.quotaRefusal('sms') : undefined;
  if (refusal) {
    writeAnswer(res, queryError('Throttled', refusal.message, 429));
    return;
  }
  const invocationHeader = req.headers[INVOCATION_HEADER];
  const invocation = Array.isArray(invocationHeader) ? invocationHeader[0] : invocationHeader;
  const attributes = readMessageAttributes(params);
  const done = (messageId: string, answer: () => void): void => {
    const entry = outboxEntry(params, attributes, messageId, toPhone);
    if (entry) plane.accepted('sns:Publish', entry, invocation);
    // The message is SNS's now; with reset-after-accept the connection drops before the answer (ECONNRESET).
    if (fault === 'reset-after-accept') req.socket.destroy();
    else answer();
  };
  if (toPhone) {
    // Delivered unless the number opted out (SNS accepts the Publish either way).
    const delivered = !request.store.isOptedOut(params.get('PhoneNumber') ?? '');
    const messageId = plane.nextMessageId('sns');
    const answer = publishSms(params, request.store, request.now, messageId);
    if (answer.status !== 200 || !delivered) {
      writeAnswer(res, answer);
      return;
    }
    done(messageId, () => writeAnswer(res, answer));
    return;
  }
  forward(req, request.body, res, request.upstream, (status, xml) => {
    if (status !== 200) return { status, body: xml };
    const messageId = plane.nextMessageId('sns');
    const body = xml.replace(/<MessageId>[^<]*<\/MessageId>/, `<MessageId>${messageId}</MessageId>`);
    let answered: QueryResponse | undefined;
    done(messageId, () => {
      answered = { status, body };
    });
    return answered;
  });
}

/** The outbox entry of an accepted Publish: an SMS, or an escalation to the operators' topic (else none). */
function outboxEntry(
  params: QueryParams,
  attributes: Record<string, string>,
  messageId: string,
  toPhone: boolean,
): { channel: 'sms' | 'escalate'; messageId: string; invoiceId: string | null; stageId: string | null } | undefined {
  if (toPhone) {
    return { channel: 'sms', messageId, invoiceId: attributes.invoice ?? null, stageId: attributes.stage ?? null };
  }
  let message: { kind?: unknown; invoiceId?: unknown; stageId?: unknown };
  try {
    message = JSON.parse(params.get('Message') ?? '') as typeof message;
  } catch {
    return undefined;
  }
  if (message?.kind !== 'escalation') return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    channel: 'escalate',
    messageId,
    invoiceId: attributes.invoice ?? text(message.invoiceId),
    stageId: attributes.stage ?? text(message.stageId),
  };
}

function publishSms(params: QueryParams, store: SmsStore, now: () => Date, id?: string): QueryResponse {
  const phoneNumber = params.get('PhoneNumber') ?? '';
  if (params.has('TopicArn') || params.has('TargetArn')) {
    return invalidParameter('PhoneNumber', 'Only one of TopicArn, TargetArn or PhoneNumber may be specified');
  }
  if (!isE164(phoneNumber)) return invalidParameter('PhoneNumber', `${phoneNumber} is not valid to publish to`);
  const message = params.get('Message') ?? '';
  // AWS's exact wording for a Publish without a message.
  if (message === '') return queryError('InvalidParameter', 'Invalid parameter: Empty message');
  const attributes = readMessageAttributes(params);
  const smsType = attributes['AWS.SNS.SMS.SMSType'];
  if (smsType !== undefined && !SMS_TYPES.has(smsType)) {
    return invalidParameter(
      'MessageAttributes',
      `AWS.SNS.SMS.SMSType must be Promotional or Transactional, got ${smsType}`,
    );
  }

  const messageId = id ?? randomUUID();
  if (!store.isOptedOut(phoneNumber)) {
    store.deliver({ phoneNumber, message, messageId, attributes, at: now().toISOString() });
  }
  return querySuccess('Publish', `<MessageId>${messageId}</MessageId>`);
}

function listOptedOut(params: QueryParams, store: SmsStore): QueryResponse {
  const all = store.optedOut();
  const start = Number(params.get('nextToken') ?? '0');
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    return invalidParameter('NextToken', 'invalid token');
  const page = all.slice(start, start + OPT_OUT_PAGE_SIZE);
  const next = start + OPT_OUT_PAGE_SIZE < all.length ? `<nextToken>${start + OPT_OUT_PAGE_SIZE}</nextToken>` : '';
  const members = page.map((phone) => `<member>${xmlEscape(phone)}</member>`).join('');
  return querySuccess('ListPhoneNumbersOptedOut', `<phoneNumbers>${members}</phoneNumbers>${next}`);
}

function isQueryRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Hop-by-hop headers a proxy must not pass on (RFC 9110 §7.6.1); the body is re-sent with a Content-Length. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/**
 * Sends the request unchanged (method, path, headers, body bytes) to `upstream` and streams its answer back; with
 * `rewrite`, the answer is read whole and `rewrite`'s answer is written instead (undefined: no answer is written).
 */
function forward(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  upstream: URL,
  rewrite?: (status: number, xml: string) => QueryResponse | undefined,
): void {
  const proxied = request(
    {
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...endToEndHeaders(req.headers), 'content-length': String(body.length) },
    },
    (answer) => {
      if (rewrite) {
        readBody(answer)
          .then((xml) => {
            const rewritten = rewrite(answer.statusCode ?? 502, xml.toString('utf8'));
            if (rewritten) writeAnswer(res, rewritten);
          })
          .catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
        return;
      }
      res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(res);
    },
  );
  proxied.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`local SMS endpoint could not reach the SNS emulator at ${upstream.origin}: ${error.message}`);
  });
  proxied.end(body);
}
