import { readFileSync } from 'node:fs';
import { defaultRuleOf } from '../functions/rules/rule-set';
import {
  formatProblem,
  type InputProblem,
  readEvents,
  readPortfolio,
  readRuleSet,
  ruleOfInvoice,
} from '../local/simulator/simulation-input';
import { CONSOLIDATED_REASON, TIMELINE_EVENTS, type TimelineEvent } from '../local/simulator/timeline';
import { checkTimeline, type OptOut } from '../local/simulator/timeline-check';
import { type CommandIo, INPUT_FLAGS, readFlags } from './command-line';

export const CHECK_USAGE = `Usage: dunning check --rule <rule.json> --invoices <file> [--events <file.jsonl>] [--timeline <file.jsonl>]

Checks a timeline printed by \`dunning simulate --format json\` (a file, or standard input) against the law as the
rule states it, independently of the contact policy's code: every message inside its channel's hours in the debtor's
zone, never on a public holiday (the rule's country/region, the debtor's, extraHolidays), within the frequency caps
across each customer's invoices, never on a channel after an opt-out, never after a payment, never twice.

  npx dunning simulate --rule r.json --invoices i.csv --events e.jsonl | npx dunning check --rule r.json --invoices i.csv --events e.jsonl

Exit status: 0 no violation, 1 violations (each listed), 2 invalid input.`;

/** `dunning check`: returns the exit status. */
export async function checkCommand(argv: readonly string[], io: CommandIo, stdin: () => string): Promise<number> {
  const values = readFlags(argv, { ...INPUT_FLAGS, timeline: { type: 'string' } }, CHECK_USAGE, io);
  if (typeof values === 'number') return values;
  if (typeof values.rule !== 'string' || typeof values.invoices !== 'string') {
    io.err(`--rule and --invoices are required\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  const problems: InputProblem[] = [];
  const ruleSet = readRuleSet(values.rule, problems);
  const portfolio = await readPortfolio(values.invoices, problems);
  const events = typeof values.events === 'string' ? readEvents(values.events, portfolio, problems) : [];
  const source = typeof values.timeline === 'string' ? values.timeline : '(stdin)';
  let text = '';
  try {
    text = typeof values.timeline === 'string' ? readFileSync(values.timeline, 'utf8') : stdin();
  } catch (error) {
    problems.push({ file: source, line: 0, field: '(file)', issue: `cannot be read: ${(error as Error).message}` });
  }
  const timeline: TimelineEvent[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    try {
      const event = JSON.parse(raw) as TimelineEvent;
      if (typeof event.at !== 'string' || !TIMELINE_EVENTS.includes(event.event))
        throw new Error('not a timeline line');
      timeline.push(event);
    } catch (error) {
      problems.push({ file: source, line: index + 1, field: '(line)', issue: (error as Error).message });
    }
  });
  if (problems.length > 0 || !ruleSet) {
    io.err(`Invalid input:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    return 2;
  }
  const optOuts: OptOut[] = events.flatMap((e) =>
    e.type === 'optout' ? [{ at: new Date(e.at).toISOString(), customerId: e.customerId, channel: e.channel }] : [],
  );
  const ruleFor = ruleOfInvoice(ruleSet);
  const byInvoice = new Map(portfolio.map((p) => [p.registration.invoiceId, ruleFor(p.registration)]));
  const rule = defaultRuleOf(ruleSet);
  const violations = checkTimeline({
    rule,
    ruleOf: (invoiceId) => byInvoice.get(invoiceId) ?? rule,
    invoices: portfolio.map((p) => p.registration),
    timeline,
    optOuts,
  });
  for (const v of violations) {
    const e = v.event;
    io.out(`${v.kind}  ${e.at}  ${e.invoiceId} ${e.stage ?? ''} ${e.channel ?? ''}  ${v.detail}\n`);
  }
  // A consolidated line is an invoice listed in another invoice's message, not a message of its own.
  const messages = timeline.filter((e) => e.event === 'sent' && e.reason !== CONSOLIDATED_REASON).length;
  io.err(
    `${violations.length === 0 ? 'OK' : 'VIOLATIONS'}: ${violations.length} violation(s) in ${messages} message(s) ` +
      `to ${new Set(timeline.map((e) => e.customerId)).size} customer(s)\n`,
  );
  return violations.length === 0 ? 0 : 1;
}
