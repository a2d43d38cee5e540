import { readFileSync, writeFileSync } from 'node:fs';
import { random } from './generate-portfolio';

/**
 * `npx tsx bench/generate-events.ts <portfolio.csv> <events.jsonl> [seed]`: operator and payment events for a
 * portfolio written by bench/generate-portfolio.ts, in `dunning simulate --events` format (docs/formats.md), for
 * runs that exercise payments and holds at scale (the fault-profile proofs): about 35 % of the invoices paid at a
 * random instant between 10 days before and 25 days after their due date (a tenth of them part-paid first), 6 %
 * disputed and resolved a week later, 6 % paused (half of them resumed after 10 days, half never), 4 % promised to pay
 * within two weeks. Deterministic for a seed.
 */

const DAY_MS = 86_400_000;

interface PortfolioRow {
  readonly invoiceId: string;
  readonly dueDate: string;
  readonly amount: string;
}

function readPortfolio(file: string): PortfolioRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = (header ?? '').split(',');
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${file}: no ${name} column`);
    return index;
  };
  const [id, due, amount] = [at('invoiceId'), at('dueDate'), at('amount')];
  return lines.map((line) => {
    const cells = line.split(',');
    return { invoiceId: cells[id] ?? '', dueDate: cells[due] ?? '', amount: cells[amount] ?? '' };
  });
}

/** An instant `days` (fractional) after 12:00 UTC of `date`, to the minute. */
function instant(date: string, days: number): string {
  const ms = Date.parse(`${date}T12:00:00.000Z`) + days * DAY_MS;
  return new Date(Math.round(ms / 60_000) * 60_000).toISOString();
}

export function generateEvents(rows: readonly PortfolioRow[], seed: number): Record<string, unknown>[] {
  const draw = random(seed);
  const events: Record<string, unknown>[] = [];
  for (const row of rows) {
    const r = draw();
    const { invoiceId, dueDate } = row;
    if (r < 0.35) {
      const at = instant(dueDate, -10 + draw() * 35);
      if (draw() < 0.1) {
        const part = (Math.floor(Number(row.amount) * 30) / 100).toFixed(2);
        events.push({ at: instant(dueDate, -12), type: 'payment', invoiceId, amount: part });
      }
      events.push({ at, type: 'payment', invoiceId });
    } else if (r < 0.41) {
      const at = instant(dueDate, -2 + draw() * 10);
      events.push({ at, type: 'dispute', invoiceId, reason: 'amount disputed' });
      events.push({ at: instant(dueDate, 5 + draw() * 10), type: 'resolve', invoiceId, reason: 'amount confirmed' });
    } else if (r < 0.47) {
      const pauseDay = -3 + draw() * 8;
      events.push({ at: instant(dueDate, pauseDay), type: 'pause', invoiceId, reason: 'customer called' });
      if (draw() < 0.5) {
        events.push({ at: instant(dueDate, pauseDay + 10), type: 'resume', invoiceId, reason: 'call back' });
      }
    } else if (r < 0.51) {
      const at = instant(dueDate, 1 + draw() * 5);
      events.push({ at, type: 'promise', invoiceId, date: instant(dueDate, 12).slice(0, 10) });
    }
  }
  return events.sort((a, b) => String(a.at).localeCompare(String(b.at)));
}

if (process.argv[1]?.endsWith('generate-events.ts')) {
  const [portfolio, out, seedText] = process.argv.slice(2);
  if (!portfolio || !out) {
    console.error('Usage: npx tsx bench/generate-events.ts <portfolio.csv> <events.jsonl> [seed]');
    process.exit(2);
  }
  const events = generateEvents(readPortfolio(portfolio), Number(seedText ?? 1));
  writeFileSync(out, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  console.log(`wrote ${events.length} events to ${out}`);
}
