import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import type { CapturedEmail } from '../../local/emulators/ses';
import type { SmsMessage } from '../../local/emulators/sms-store';
import { type InputProblem, readPortfolio, readRule } from '../../local/simulator/simulation-input';
import { LocalSystem } from '../../local/system/system';

// The consolidated message itself, on the local system (real handlers, SES emulator, SMS endpoint): the three
// invoices of C-TRIO in the scenario portfolio (tests/fixtures/scenarios) are due the same day. Their D-3 (an email,
// due Monday 07:00, deferred to 08:00) goes out as one email that lists the other two; their D0 (email and SMS, due
// Thursday 21:30, deferred to Friday 08:00) as one email and one SMS.

const dir = join(PROJECT_ROOT, 'tests', 'fixtures', 'scenarios');
let system: LocalSystem;
let emails: CapturedEmail[] = [];
let sms: SmsMessage[] = [];

type Contact = { stageId: string; channel: string; outcome: string; messageId?: string; reason?: string };
async function contactsOf(invoiceId: string): Promise<Contact[]> {
  return ((await system.api('GET', `/invoices/${invoiceId}`)).body as { contacts: Contact[] }).contacts;
}

beforeAll(async () => {
  // Prepare: the scenario's rule and its three C-TRIO rows, registered through the API on 2026-12-01
  const problems: InputProblem[] = [];
  const rule = readRule(join(dir, 'rule.json'), problems);
  const portfolio = await readPortfolio(join(dir, 'invoices.csv'), problems);
  if (!rule || problems.length > 0) throw new Error(`the scenario does not parse: ${JSON.stringify(problems)}`);
  const config = { ...loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE)), rule };
  system = await LocalSystem.start({
    config,
    start: new Date('2026-12-01T00:00:00.000Z'),
    recordStateData: false,
    dynamodb: 'in-process',
  });
  await system.api(
    'POST',
    '/invoices',
    portfolio.filter((p) => p.record.customerId === 'C-TRIO').map((p) => p.record),
  );

  // Act: until Friday afternoon, after D0
  await system.runFast({ until: new Date('2026-12-11T18:00:00.000Z'), oneAtATime: true });
  emails = await system.aws.mailbox();
  sms = system.aws.smsOutbox();
});

afterAll(async () => {
  await system?.stop();
});

describe('three invoices of one customer due the same day: one message per stage', () => {
  it('sends ONE email for their D-3, listing the other two invoices and the total of the three', async () => {
    // Assess
    const reminders = emails.filter((e) => e.subject.startsWith('Lembrete'));
    expect(reminders.map((e) => `${e.to.join(',')} ${e.subject}`)).toEqual([
      'tereza@example.com Lembrete: fatura TRIO-1 vence em 3 dias',
    ]);
    const text = reminders[0]?.text ?? '';
    expect(text).toContain('a fatura TRIO-1, no valor de R$\u00a010,00, vence em 3 dias (10/12/2026).');
    expect(text).toContain('Você também tem estas 2 outras faturas em aberto:');
    expect(text).toContain('- Fatura TRIO-2, no valor de R$\u00a020,00, vence em 3 dias (10/12/2026).');
    expect(text).toContain('- Fatura TRIO-3, no valor de R$\u00a030,00, vence em 3 dias (10/12/2026).');
    expect(text).toContain('Saldo total (3 faturas): R$\u00a060,00');
    // each invoice's contact log holds its D-3 as sent with that one message's id
    for (const invoiceId of ['TRIO-1', 'TRIO-2', 'TRIO-3']) {
      const d3 = (await contactsOf(invoiceId)).filter((c) => c.stageId === 'D-3' && c.outcome === 'sent');
      expect(
        d3.map((c) => `${c.channel} ${c.messageId} ${c.reason ?? ''}`.trim()),
        invoiceId,
      ).toEqual([`email ${reminders[0]?.messageId}${invoiceId === 'TRIO-1' ? '' : ' consolidated:TRIO-1'}`]);
    }
  });

  it('sends ONE email and ONE SMS for their D0, the SMS with the count of the others and the total', () => {
    // Assess: two emails in all (D-3, D0), one SMS
    expect(emails).toHaveLength(2);
    expect(emails[1]?.subject).toBe('Fatura TRIO-1 venceu ontem');
    expect(emails[1]?.text).toContain('Saldo total (3 faturas): R$\u00a060,00');
    expect(sms.map((m) => m.phoneNumber)).toEqual(['+5511900000004']);
    expect(sms[0]?.message).toContain(
      'fatura TRIO-1, R$ 10,00, venceu ontem (10/12/2026). +2 outras faturas, total R$ 60,00.',
    );
  });
});
