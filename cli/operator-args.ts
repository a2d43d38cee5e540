import { parseArgs } from 'node:util';
import {
  type ApiTarget,
  DEFAULT_API_URL,
  INVOICE_ACTIONS,
  type InvoiceAction,
  OPT_OUT_CHANNELS,
  type OperatorCommand,
  type ParsedOperatorArgs,
  tokenProblem,
} from './operator';

/** The operator commands' arguments: which command, its flags, and where the API is (pure, no I/O). */

/** Reasons an action needs (the API refuses it without one). */
const NEEDS_REASON = new Set<InvoiceAction>([
  'pause',
  'resume',
  'dispute',
  'resolve',
  'write-off',
  'escalate',
  'restart',
]);

/** A string flag's value, or undefined when it was not given. */
type Flag = (name: string) => string | undefined;

/** The positionals after the group and verb, and where a command's parser reports what is wrong. */
interface CommandArgs {
  readonly subject: string | undefined;
  /** Arguments beyond the subject; a parser takes the ones it uses out. */
  readonly extra: string[];
  readonly str: Flag;
  readonly problems: string[];
}

/** The commands named by a group and a verb; `history <id>` and `invoice <action> <id>` are matched apart. */
const COMMANDS: readonly {
  readonly group: string;
  readonly verb: string;
  readonly parse: (args: CommandArgs) => OperatorCommand | undefined;
}[] = [
  { group: 'invoices', verb: 'submit', parse: submitCommand },
  { group: 'invoice', verb: 'show', parse: showCommand },
  { group: 'customer', verb: 'update', parse: customerUpdateCommand },
  { group: 'customer', verb: 'opt-out', parse: optOutCommand },
];

/**
 * Parses `argv` (after the binary name): `invoices submit`, `invoice <verb> <id>`, `history <id>` and their flags.
 * Returns every problem at once rather than the first.
 */
export function parseOperatorArgs(argv: readonly string[]): ParsedOperatorArgs | { problems: string[] } {
  const parsed = parseFlags(argv);
  if ('problems' in parsed) return parsed;
  const { values, positionals } = parsed;
  const problems: string[] = [];
  const str: Flag = (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const [group, verb, subject, ...extra] = positionals;
  const command = parseCommand(group, verb, { subject, extra, str, problems });
  if (extra.length > 0) problems.push(`unexpected argument(s): ${extra.join(' ')}`);
  if (str('channel') !== undefined && !(group === 'customer' && verb === 'opt-out')) {
    problems.push('--channel goes with customer opt-out');
  }
  problems.push(...targetProblems(str));
  const token = str('token')?.trim();
  const badToken = token === undefined ? undefined : tokenProblem(token, '--token');
  if (badToken) problems.push(badToken);
  if (problems.length > 0 || !command) return { problems };
  return { command, target: targetOf(str), json: values.json === true, ...(token ? { token } : {}) };
}

function parseFlags(
  argv: readonly string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | { problems: string[] } {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        stack: { type: 'string' },
        outputs: { type: 'string' },
        region: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
        reason: { type: 'string' },
        amount: { type: 'string' },
        'paid-at': { type: 'string' },
        reference: { type: 'string' },
        date: { type: 'string' },
        to: { type: 'string' },
        channel: { type: 'string' },
      },
    });
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
}

/** The command the positionals name, or undefined with the problems in `args.problems`. */
function parseCommand(
  group: string | undefined,
  verb: string | undefined,
  args: CommandArgs,
): OperatorCommand | undefined {
  if (group === 'history') return historyCommand(verb, args);
  const known = COMMANDS.find((c) => c.group === group && c.verb === verb);
  if (known) return known.parse(args);
  if (group === 'invoice' && verb !== undefined && verb in INVOICE_ACTIONS) {
    return actionCommand(verb as InvoiceAction, args);
  }
  args.problems.push(
    group === 'invoice'
      ? `unknown invoice command "${verb ?? ''}": use show, ${Object.keys(INVOICE_ACTIONS).join(', ')}`
      : group === 'customer'
        ? `unknown customer command "${verb ?? ''}": use update, opt-out`
        : `unknown command "${[group, verb].filter(Boolean).join(' ')}"`,
  );
  return undefined;
}

function submitCommand({ subject, problems }: CommandArgs): OperatorCommand | undefined {
  if (!subject) problems.push('invoices submit needs the file to submit');
  else return { kind: 'submit', file: subject };
  return undefined;
}

/** `history <id>`: the id is the verb's place, so the subject's place is an extra argument. */
function historyCommand(invoiceId: string | undefined, { subject, extra, problems }: CommandArgs) {
  if (subject) extra.unshift(subject);
  if (!invoiceId) problems.push('history needs the invoice id');
  else return { kind: 'history', invoiceId } as const;
  return undefined;
}

function showCommand({ subject, problems }: CommandArgs): OperatorCommand | undefined {
  if (!subject) problems.push('invoice show needs the invoice id');
  else return { kind: 'show', invoiceId: subject };
  return undefined;
}

function customerUpdateCommand({ subject, extra, problems }: CommandArgs): OperatorCommand | undefined {
  const [file] = extra.splice(0, 1);
  if (!subject || !file) problems.push('customer update needs the customer id and a JSON file of its details');
  else return { kind: 'customer-update', customerId: subject, file };
  return undefined;
}

function optOutCommand({ subject, str, problems }: CommandArgs): OperatorCommand | undefined {
  const channel = str('channel');
  if (!subject) problems.push('customer opt-out needs the customer id');
  if (!channel || !(OPT_OUT_CHANNELS as readonly string[]).includes(channel)) {
    problems.push(`customer opt-out needs --channel ${OPT_OUT_CHANNELS.join('|')}`);
  } else if (subject) {
    return { kind: 'opt-out', customerId: subject, channel: channel as (typeof OPT_OUT_CHANNELS)[number] };
  }
  return undefined;
}

function actionCommand(action: InvoiceAction, { subject, str, problems }: CommandArgs): OperatorCommand | undefined {
  if (!subject) problems.push(`invoice ${action} needs the invoice id`);
  const body = actionBody(action, str, problems);
  return subject && body ? { kind: 'action', action, invoiceId: subject, body } : undefined;
}

/** What is wrong with the flags that say where the API is (`--url`, `--stack`, `--outputs`). */
function targetProblems(str: Flag): string[] {
  const url = str('url');
  const stack = str('stack');
  const problems: string[] = [];
  if (url && stack) problems.push('give --url or --stack, not both');
  if (str('outputs') && !stack) problems.push('--outputs goes with --stack');
  if (url !== undefined && !isHttpUrl(url)) problems.push(`--url must be an http(s) URL, got "${url}"`);
  return problems;
}

/** Where the API is: the stack of `--stack`, else `--url` or {@link DEFAULT_API_URL}. */
function targetOf(str: Flag): ApiTarget {
  const stack = str('stack');
  const region = str('region');
  const outputs = str('outputs');
  return stack
    ? { kind: 'stack', stack, ...(region ? { region } : {}), ...(outputs ? { outputs } : {}) }
    : { kind: 'url', url: str('url') ?? DEFAULT_API_URL, ...(region ? { region } : {}) };
}

/** The body of an action from its flags; undefined (with problems) when a required flag is missing. */
function actionBody(action: InvoiceAction, str: Flag, problems: string[]): Record<string, string> | undefined {
  const allowed: Record<InvoiceAction, readonly string[]> = {
    pay: ['amount', 'paid-at', 'reference'],
    pause: ['reason'],
    resume: ['reason'],
    dispute: ['reason'],
    resolve: ['reason'],
    'write-off': ['reason'],
    promise: ['date', 'amount'],
    escalate: ['reason', 'to'],
    restart: ['reason'],
  };
  const before = problems.length;
  for (const flag of ['reason', 'amount', 'paid-at', 'reference', 'date', 'to']) {
    if (str(flag) !== undefined && !allowed[action].includes(flag)) {
      problems.push(`invoice ${action} takes no --${flag}`);
    }
  }
  if (NEEDS_REASON.has(action) && !str('reason')?.trim()) problems.push(`invoice ${action} needs --reason "<why>"`);
  if (action === 'promise' && !str('date')) problems.push('invoice promise needs --date YYYY-MM-DD');
  if (problems.length > before) return undefined;
  const bodyName: Record<string, string> = { 'paid-at': 'paidAt' };
  const body: Record<string, string> = {};
  for (const flag of allowed[action]) {
    const value = str(flag);
    if (value !== undefined) body[bodyName[flag] ?? flag] = value;
  }
  return body;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
