import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateInvoiceRecord } from '../../../functions/invoices/input/invoice-record';
import { chooseRule, defaultRuleOf, InvalidRuleSet, parseRuleSet } from '../../../functions/rules/rule-set';
import { PROJECT_ROOT } from '../../../lib/config';
import defaultRuleJson from '../../../rules/default.json';

const fixture = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tests', 'fixtures', 'segments', 'rules.json'), 'utf8'));
const brl = (minor: number) => ({ minor, currency: 'BRL' });

function issuesOf(input: unknown): string[] {
  try {
    parseRuleSet(input);
  } catch (error) {
    if (error instanceof InvalidRuleSet) return error.issues.map((i) => `${i.path}: ${i.issue}`);
    throw error;
  }
  return [];
}

describe('a rule file holds one billing rule, or several with the segments choosing one', () => {
  it('reads a single rule (docs/formats.md) as a set of one that every invoice walks', () => {
    // Act
    const set = parseRuleSet(defaultRuleJson);

    // Assess
    expect(set.rules.map((r) => r.id)).toEqual(['standard']);
    expect(set.segments).toEqual([{ rule: 'standard' }]);
    expect(defaultRuleOf(set).id).toBe('standard');
  });

  it('reads rules and segments; the default rule is the last segment’s', () => {
    // Act
    const set = parseRuleSet(fixture);

    // Assess
    expect(set.rules.map((r) => r.id)).toEqual(['standard', 'gentle', 'firm']);
    expect(set.segments.map((s) => s.rule)).toEqual(['gentle', 'firm', 'firm', 'standard']);
    expect(defaultRuleOf(set).id).toBe('standard');
    expect(set.rules[1]?.businessHours.mon).toEqual([['08:00', '20:00']]); // the preset filled it in
  });

  it('names every problem: unknown rule, repeated id, default not last, empty conditions, bad bounds', () => {
    // Prepare
    const [standard, gentle] = fixture.rules;
    const broken = {
      rules: [standard, gentle, { ...gentle, stages: [{ ...gentle.stages[0], at: '9am' }] }],
      segments: [
        { rule: 'gold', when: { segment: ['vip'] } },
        { rule: 'gentle' },
        { rule: 'gentle', when: {} },
        { rule: 'standard', when: { riskScore: { min: 900, max: 100 }, amount: { currency: 'XYZ', min: '1' } } },
      ],
    };

    // Act
    const issues = issuesOf(broken);

    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        'rules.2.stages.0.at: must be HH:MM (24h), got "9am"',
        'rules.2.id: gentle twice',
        'segments.0.rule: no rule "gold"; rules: standard, gentle, gentle',
        'segments.1: only the last segment may have no `when` (the ones after it would never be chosen)',
        'segments.2.when: a segment needs at least one condition (or no `when` at all)',
        'segments.3.when.riskScore: min is above max',
        'segments.3.when.amount.currency: unknown currency "XYZ"',
        'segments.3: the last segment is the default: no `when`',
      ]),
    );
  });
});

describe('choosing the rule of an invoice', () => {
  const { segments } = parseRuleSet(fixture);

  it('takes the first segment whose conditions all hold, else the default', () => {
    expect(chooseRule(segments, { segment: 'vip', riskScore: 800, amount: brl(50_000) })).toBe('gentle');
    expect(chooseRule(segments, { segment: 'smb', riskScore: 750, amount: brl(50_000) })).toBe('firm');
    expect(chooseRule(segments, { segment: 'smb', riskScore: 699, amount: brl(50_000) })).toBe('standard');
    expect(chooseRule(segments, { amount: brl(1_000_000) })).toBe('firm'); // R$ 10.000,00 or more
    expect(chooseRule(segments, { amount: brl(999_999) })).toBe('standard');
    expect(chooseRule(segments, { amount: { minor: 1_000_000, currency: 'USD' } })).toBe('standard');
  });

  it('always chooses a rule of the set (property)', () => {
    const ids = new Set(parseRuleSet(fixture).rules.map((r) => r.id));
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('vip', 'smb', 'x'), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.constantFrom('BRL', 'USD'),
        (segment, riskScore, minor, currency) => {
          expect(ids.has(chooseRule(segments, { segment, riskScore, amount: { minor, currency } }))).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('reads segment and riskScore from an invoice row, naming the field when they are wrong', () => {
    // Prepare
    const row = {
      invoiceId: 'INV-1',
      customerId: 'C-1',
      customerName: 'Ana',
      amount: '10.00',
      currency: 'BRL',
      dueDate: '2026-12-10',
    };

    // Act
    const good = validateInvoiceRecord({ ...row, segment: 'vip', riskScore: '712.5' });
    const bad = validateInvoiceRecord({ ...row, segment: 'v i p', riskScore: '1001' });

    // Assess
    expect(good).toMatchObject({ ok: true, value: { customer: { segment: 'vip', riskScore: 712.5 } } });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['segment', 'riskScore']);
  });
});
