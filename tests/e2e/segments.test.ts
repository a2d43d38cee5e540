import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../cli/simulate';
import { defaultRuleOf } from '../../functions/rules/rule-set';
import { PROJECT_ROOT } from '../../lib/config';
import { type InputProblem, readPortfolio, readRuleSet, ruleOfInvoice } from '../../local/simulator/simulation-input';
import type { TimelineEvent } from '../../local/simulator/timeline';
import { checkTimeline } from '../../local/simulator/timeline-check';

// A rule file with three rules and segments (tests/fixtures/segments): the simulator runs the real workflow — one
// state machine holding every rule, its first state choosing the rule the starter names — and each invoice walks
// the rule its segment, risk score or amount chose at registration.

const dir = join(PROJECT_ROOT, 'tests', 'fixtures', 'segments');
const files = { rule: join(dir, 'rules.json'), invoices: join(dir, 'invoices.csv') };
let timeline: TimelineEvent[] = [];

beforeAll(async () => {
  const out: string[] = [];
  await simulate(
    { ...files, format: 'json', workers: 1, progressSeconds: 0 },
    { out: (text) => out.push(text), err: () => {} },
  );
  timeline = out
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TimelineEvent);
});

const stagesOf = (invoiceId: string) => [
  ...new Set(timeline.filter((e) => e.invoiceId === invoiceId && e.stage).map((e) => e.stage)),
];

describe('segments choose each invoice’s billing rule', () => {
  it('walks the gentle rule for a VIP, the firm one for a high risk score or a large amount, the default otherwise', () => {
    expect(stagesOf('SEG-VIP')).toEqual(['D-5', 'D+10']);
    expect(stagesOf('SEG-RISK')).toEqual(['D0', 'D+3', 'D+5']);
    expect(stagesOf('SEG-BIG')).toEqual(['D0', 'D+3', 'D+5']);
    expect(stagesOf('SEG-STD')).toEqual(['D-3', 'D0', 'D+7', 'D+30']);
    for (const id of ['SEG-VIP', 'SEG-RISK', 'SEG-BIG', 'SEG-STD']) {
      expect(timeline.filter((e) => e.invoiceId === id).at(-1)?.event, id).toBe('completed');
    }
    expect(timeline).toContainEqual(
      expect.objectContaining({ invoiceId: 'SEG-BIG', stage: 'D+5', event: 'escalated' }),
    );
  });

  it('passes the independent check, each invoice against the rule it walks', async () => {
    const problems: InputProblem[] = [];
    const ruleSet = readRuleSet(files.rule, problems);
    const portfolio = await readPortfolio(files.invoices, problems);
    expect(problems).toEqual([]);
    if (!ruleSet) throw new Error('the fixture rule file does not parse');
    const ruleFor = ruleOfInvoice(ruleSet);
    const rules = new Map(portfolio.map((p) => [p.registration.invoiceId, ruleFor(p.registration)]));

    const violations = checkTimeline({
      rule: defaultRuleOf(ruleSet),
      ruleOf: (invoiceId) => rules.get(invoiceId) ?? defaultRuleOf(ruleSet),
      invoices: portfolio.map((p) => p.registration),
      timeline,
    });

    expect(violations).toEqual([]);
    expect(rules.get('SEG-VIP')?.id).toBe('gentle');
  });
});
