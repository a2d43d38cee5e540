import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start (local preview)', () => {
  it('registers the example portfolio, walks the whole rule in compressed time and prints the timeline', () => {
    // Act: the same entry point `npm start` runs, with --once so it exits after the timeline
    const run = spawnSync(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'local/start.ts', '--once', '--port', '0'],
      {
        encoding: 'utf8',
        timeout: 110_000,
      },
    );

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('Registered 12 invoice(s) from examples/invoices.csv');
    // INV-2026-0001 is due 2026-12-01 in São Paulo: D-3 on 2026-11-28 09:00 local (a Saturday, open until 14:00)
    expect(run.stdout).toMatch(/2026-11-28T12:00:00\.000Z INV-2026-0001\s+D-3\s+email\s+sent/);
    // D+3 of INV-2026-0008 (due Sunday 2026-12-20) falls on Wednesday the 23rd; D+7 on Sunday 27th is deferred
    expect(run.stdout).toMatch(
      /INV-2026-0008\s+D\+7\s+\*\s+deferred\s+outside-business-hours until 2026-12-28T11:00:00\.000Z/,
    );
    expect(run.stdout).toMatch(/INV-2026-0012\s+D\+30\s+escalate\s+escalated/);
    expect(run.stdout).toMatch(/\d+ message\(s\) captured \(email \d+, sms \d+, operators 12\)/);
    // every line of the timeline is in time order
    const times = [...run.stdout.matchAll(/^(\d{4}-\d{2}-\d{2}T[\d:.]+Z) /gm)].map((m) => m[1] as string);
    expect(times.length).toBeGreaterThan(50);
    expect([...times].sort()).toEqual(times);
  });
});
