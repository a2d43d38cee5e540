/**
 * Writes a synthetic invoice portfolio (CSV, docs/formats.md columns) for benchmarks and scale runs of the simulator:
 * `npx tsx bench/generate-portfolio.ts <count> <out.csv> [seed]`. Deterministic for a seed. About 60% of customers
 * have one invoice, the rest two or three; debtors in São Paulo, Rio, New York, Lisbon and Madrid; due dates over
 * 60 days; a few customers without a phone or an email.
 */
import { createWriteStream } from 'node:fs';

const ZONES = [
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'SP', currency: 'BRL', phone: '+55119' },
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', country: 'BR', region: 'RJ', currency: 'BRL', phone: '+55219' },
  { timezone: 'America/New_York', locale: 'en', country: 'US', region: 'NY', currency: 'USD', phone: '+1212' },
  { timezone: 'Europe/Lisbon', locale: 'pt-BR', country: 'PT', region: '', currency: 'EUR', phone: '+3519' },
  { timezone: 'Europe/Madrid', locale: 'es', country: 'ES', region: 'MD', currency: 'EUR', phone: '+346' },
] as const;

const HEADER =
  'invoiceId,customerId,customerName,email,phone,timezone,locale,country,region,amount,currency,dueDate,paymentUrl,description';

/** A small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The CSV lines (header first) of a portfolio of `count` invoices. */
export function* portfolioLines(count: number, seed = 42, firstDue = '2026-12-01'): Generator<string> {
  const rand = random(seed);
  const base = Date.parse(`${firstDue}T00:00:00Z`);
  yield HEADER;
  let customer = 0;
  let produced = 0;
  while (produced < count) {
    customer += 1;
    const zone = ZONES[Math.floor(rand() * ZONES.length)] ?? ZONES[0];
    const invoices = rand() < 0.6 ? 1 : rand() < 0.75 ? 2 : 3;
    const email = rand() < 0.97 ? `customer${customer}@example.com` : '';
    const phone = rand() < 0.9 ? `${zone.phone}${String(10_000_000 + customer).slice(-8)}` : '';
    for (let i = 0; i < invoices && produced < count; i++) {
      produced += 1;
      const due = new Date(base + Math.floor(rand() * 60) * 86_400_000).toISOString().slice(0, 10);
      const amount = (100 + Math.floor(rand() * 500_000)) / 100;
      const id = `INV-${String(produced).padStart(7, '0')}`;
      yield [
        id,
        `C-${String(customer).padStart(7, '0')}`,
        `Customer ${customer}`,
        email,
        phone,
        zone.timezone,
        zone.locale,
        zone.country,
        zone.region,
        amount.toFixed(2),
        zone.currency,
        due,
        `https://pay.example.com/${id}`,
        `Invoice ${produced}`,
      ].join(',');
    }
  }
}

async function main(): Promise<void> {
  const [countText, out, seedText] = process.argv.slice(2);
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1 || !out) {
    console.error('Usage: npx tsx bench/generate-portfolio.ts <count> <out.csv> [seed]');
    process.exit(2);
  }
  const file = createWriteStream(out);
  for (const line of portfolioLines(count, seedText ? Number(seedText) : 42)) {
    if (!file.write(`${line}\n`)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
  console.error(`wrote ${count} invoices to ${out}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
