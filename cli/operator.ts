/**
 * The operator commands of the `dunning` CLI: the HTTP requests they become (pure, no I/O) and how answers are
 * shown. `cli/operator-args.ts` parses their arguments; `cli/api-client.ts` resolves where the API is and sends the
 * requests.
 */

export const OPERATOR_USAGE = `Usage: dunning invoices submit <file.csv|.json|.jsonl>
       dunning invoice show <id>
       dunning invoice pay <id> [--amount <decimal>] [--paid-at <ISO instant>] [--reference <text>]
       dunning invoice pause|resume|dispute|resolve|write-off <id> --reason <text>
       dunning invoice promise <id> --date <YYYY-MM-DD> [--amount <decimal>]
       dunning invoice escalate <id> --reason <text> [--to <team>]
       dunning invoice restart <id> --reason <text>   (a walk that failed, timed out, was aborted or is stuck)
       dunning history <id>
       dunning customer update <customerId> <file.json>   (name and contact details; replaces the stored set)
       dunning customer opt-out <customerId> --channel email|sms

Where the API is (default: the local system of \`npm start\`, ${'http://127.0.0.1:3000'}):
  --url <base URL>     another API; an API Gateway URL (*.execute-api.<region>.amazonaws.com) is signed (SigV4)
  --stack <name>       a deployed stack: its ApiUrl output, read from --outputs (or ./cdk-outputs.json, as
                       \`cdk deploy --outputs-file cdk-outputs.json\` writes it) or from CloudFormation
                       (DescribeStacks, with your AWS credentials); requests are signed with your AWS credentials
                       (IAM auth)
  --outputs <file>     the cdk outputs file to read the stack's ApiUrl from
  --region <region>    the region to look the stack up in (default: AWS_REGION, AWS_DEFAULT_REGION, your profile's)
  --token <JWT>        for an API behind a Cognito authorizer: sent as the Authorization header, and requests are
                       not signed (default: the DUNNING_API_TOKEN environment variable)
  --json               print the API's JSON answer as it is

Exit status: 0 done, 1 the API refused or could not be reached, 2 invalid arguments or rejected rows.`;

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** Operator actions on one invoice and the route each one posts to. */
export const INVOICE_ACTIONS = {
  pay: 'payments',
  pause: 'pause',
  resume: 'resume',
  dispute: 'dispute',
  resolve: 'resolve',
  'write-off': 'write-off',
  promise: 'promises',
  escalate: 'escalate',
  restart: 'restart',
} as const;
export type InvoiceAction = keyof typeof INVOICE_ACTIONS;

/** Channels a debtor can opt out of (`POST /customers/{id}/opt-outs`). */
export const OPT_OUT_CHANNELS = ['email', 'sms'] as const;

export type OperatorCommand =
  | { readonly kind: 'submit'; readonly file: string }
  | { readonly kind: 'customer-update'; readonly customerId: string; readonly file: string }
  | { readonly kind: 'opt-out'; readonly customerId: string; readonly channel: (typeof OPT_OUT_CHANNELS)[number] }
  | { readonly kind: 'show'; readonly invoiceId: string }
  | { readonly kind: 'history'; readonly invoiceId: string }
  | {
      readonly kind: 'action';
      readonly action: InvoiceAction;
      readonly invoiceId: string;
      readonly body: Readonly<Record<string, string>>;
    };

/** Where the API is: a URL, or a deployed stack whose ApiUrl output is read. */
export type ApiTarget =
  | { readonly kind: 'url'; readonly url: string; readonly region?: string }
  | { readonly kind: 'stack'; readonly stack: string; readonly region?: string; readonly outputs?: string };

export interface ParsedOperatorArgs {
  readonly command: OperatorCommand;
  readonly target: ApiTarget;
  readonly json: boolean;
  /** `--token`: a JWT sent as `Authorization` instead of signing (DUNNING_API_TOKEN is read by the command). */
  readonly token?: string;
}

/** The environment variable that holds the token when `--token` is not given. */
export const TOKEN_ENV = 'DUNNING_API_TOKEN';

/** A problem with a token (from `--token` or {@link TOKEN_ENV}), or undefined when it can be sent. */
export function tokenProblem(token: string, source: string): string | undefined {
  if (token === '') return `${source} is empty: give the JWT (the Cognito ID or access token)`;
  if (/\s/.test(token)) {
    return `${source} must be the bare JWT, one word (the Cognito authorizer wants no "Bearer " prefix, no spaces)`;
  }
  return undefined;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path below the API's base URL, ids percent-encoded. */
  readonly path: string;
  readonly body?: unknown;
}

/** The commands that read a file before they make their request(s). */
export type FileCommand = Extract<OperatorCommand, { kind: 'submit' | 'customer-update' }>;

/** The request a command that reads no file makes. */
export function requestFor(command: Exclude<OperatorCommand, FileCommand>): ApiRequest {
  switch (command.kind) {
    case 'show':
      return { method: 'GET', path: `/invoices/${encodeURIComponent(command.invoiceId)}` };
    case 'history':
      return { method: 'GET', path: `/invoices/${encodeURIComponent(command.invoiceId)}/history` };
    case 'action':
      return {
        method: 'POST',
        path: `/invoices/${encodeURIComponent(command.invoiceId)}/${INVOICE_ACTIONS[command.action]}`,
        body: command.body,
      };
    case 'opt-out':
      return {
        method: 'POST',
        path: `/customers/${encodeURIComponent(command.customerId)}/opt-outs`,
        body: { channel: command.channel, source: 'dunning CLI' },
      };
  }
}

/** `customer update`: the customer's details (the JSON object of the file) as `PUT /customers/{id}`. */
export function customerUpdateRequest(customerId: string, details: unknown): ApiRequest {
  return { method: 'PUT', path: `/customers/${encodeURIComponent(customerId)}`, body: details };
}

/** The largest batch `POST /invoices` takes. */
export const SUBMIT_BATCH = 500;

/** `invoices submit`: the records in batches of {@link SUBMIT_BATCH}, each a `POST /invoices` with an array. */
export function submitRequests(records: readonly Record<string, unknown>[]): ApiRequest[] {
  const requests: ApiRequest[] = [];
  for (let i = 0; i < records.length; i += SUBMIT_BATCH) {
    requests.push({ method: 'POST', path: '/invoices', body: records.slice(i, i + SUBMIT_BATCH) });
  }
  return requests;
}

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read field by field for display
type Json = any;

/** A readable answer for people (what `--json` leaves raw). */
export function describeAnswer(command: Exclude<OperatorCommand, { kind: 'submit' }>, body: Json): string {
  switch (command.kind) {
    case 'show':
      return describeInvoice(body);
    case 'history':
      return describeHistory(body);
    case 'action':
      return describeAction(command, body);
    case 'opt-out':
      return `${command.customerId}: opted out of ${(body.optOuts ?? []).join(', ')}`;
    case 'customer-update': {
      const fields = Object.keys(body.customer ?? {}).filter((k) => k !== 'customerId');
      return `${command.customerId}: details replaced (${fields.join(', ')}); later messages use them`;
    }
  }
}

function describeInvoice(body: Json): string {
  const invoice = body.invoice ?? {};
  const currency = invoice.amount?.currency ?? '';
  const lines = [
    `${invoice.invoiceId}  ${invoice.status}  balance ${invoice.balance?.decimal} ${currency} of ${invoice.amount?.decimal}  due ${invoice.dueDate}`,
    `customer ${invoice.customer?.customerId} ${invoice.customer?.name ?? ''}`.trimEnd(),
  ];
  if (invoice.currentStage) {
    lines.push(`stage ${invoice.currentStage}${invoice.waitUntil ? `, waiting until ${invoice.waitUntil}` : ''}`);
  }
  const hold = invoice.hold;
  if (hold?.kind === 'promise' && hold.promise) {
    lines.push(`promise to pay by ${hold.promise.date} (since ${hold.since})`);
  } else if (hold) {
    lines.push(`${hold.kind === 'dispute' ? 'disputed' : 'paused'} since ${hold.since}: ${hold.reason}`);
  }
  if (invoice.creditMinor) lines.push(`credit (paid beyond the balance): ${invoice.creditMinor} minor units`);
  const sent = ((body.contacts ?? []) as Json[]).filter((c) => c.outcome === 'sent');
  lines.push(`${sent.length} message(s) sent; \`dunning history ${invoice.invoiceId}\` shows everything`);
  return lines.join('\n');
}

function describeHistory(body: Json): string {
  const lines = [`${body.invoiceId}  ${body.status}  (${body.currency})`];
  for (const e of (body.history ?? []) as Json[]) {
    if (e.type === 'contact') {
      const what = [e.stage, e.channel === '*' ? '' : e.channel, e.outcome, e.template].filter(Boolean).join(' ');
      const why = [e.reason, e.until ? `until ${e.until}` : '', e.messageId ? `message ${e.messageId}` : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`${e.at}  ${what}${why ? `  (${why})` : ''}`);
    } else {
      const { at, type, ...detail } = e;
      const fields = Object.entries(detail)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
      lines.push(`${at}  ${type}${fields ? `  (${fields})` : ''}`);
    }
  }
  return lines.join('\n');
}

function describeAction(command: Extract<OperatorCommand, { kind: 'action' }>, body: Json): string {
  if (command.action === 'restart') return describeRestart(command.invoiceId, body);
  if (command.action === 'pay') {
    const extra = [
      body.excess ? `${body.excess.decimal} ${body.excess.currency} beyond the balance kept as credit` : '',
      body.promiseKept ? 'the promise to pay is kept' : '',
    ].filter(Boolean);
    return `${command.invoiceId}: ${body.event}, ${body.status}, balance ${body.balance?.decimal} ${body.balance?.currency}${
      extra.length > 0 ? `; ${extra.join('; ')}` : ''
    }`;
  }
  const change = body.previousStatus === body.status ? body.status : `${body.previousStatus} → ${body.status}`;
  const events = (body.events ?? []).join(', ');
  const told = body.resumedWorkflow
    ? '; the waiting walk was told at once'
    : body.resumePending
      ? '; the waiting walk could not be told yet (it is retried automatically)'
      : '';
  const notice = body.notificationId ? `; operators notified (message ${body.notificationId})` : '';
  return `${command.invoiceId}: ${change} (${events})${told}${notice}`;
}

/** What the reconciler's repair, forced, did to the walk (`POST /invoices/{id}/restart`). */
function describeRestart(invoiceId: string, body: Json): string {
  switch (body.action) {
    case 'restarted':
      return `${invoiceId}: walk restarted (its execution ${body.why}): walk ${body.walk}, execution ${body.executionArn}`;
    case 'started':
      return `${invoiceId}: walk started (it had none running): execution ${body.executionArn}`;
    case 'told':
      return `${invoiceId}: the waiting walk was told of the last change`;
    default:
      return `${invoiceId}: nothing to restart (${body.why})`;
  }
}

/** An API error body as lines: `error <code>: <message>` and one line per detail. */
export function describeError(status: number, body: Json): string {
  const error = body?.error;
  if (!error) return gatewayError(status, body);
  const details = ((error.details ?? []) as { path: string; issue: string }[]).map((d) => `  ${d.path}: ${d.issue}`);
  return [`error ${error.code} (HTTP ${status}): ${error.message}`, ...details].join('\n');
}

/**
 * An answer API Gateway gave itself (`{"message": …}`): the authorizer refused the request, or no route matched.
 * 401/403 say which credentials the API wants.
 */
function gatewayError(status: number, body: Json): string {
  const message = typeof body?.message === 'string' ? `: ${body.message}` : '';
  const hint =
    status === 401
      ? `\n  the API wants a Cognito token: pass --token <JWT> or set ${TOKEN_ENV} (an ID or access token of its user pool, not expired)`
      : status === 403
        ? `\n  refused: an API with IAM auth wants signed requests (no --token or ${TOKEN_ENV}, which replace the signature) from an AWS identity allowed execute-api:Invoke on it`
        : '';
  return `error: HTTP ${status}${message}${hint}`;
}
