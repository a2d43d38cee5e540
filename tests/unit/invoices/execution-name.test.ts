import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionNameFor } from '../../../functions/invoices/execution-name';

describe('naming executions after invoices', () => {
  const SAFE_NAME = /^[A-Za-z0-9_.-]{1,80}$/;

  it('keeps an id that is already a valid execution name', () => {
    expect(executionNameFor('INV-2026-0001')).toBe('INV-2026-0001');
    expect(executionNameFor('a.b_c-1')).toBe('a.b_c-1');
  });

  it('sanitises other ids and appends a hash of the original', () => {
    expect(executionNameFor('NF 123/2026')).toMatch(/^NF_123_2026-[0-9a-f]{12}$/);
    expect(executionNameFor('x'.repeat(100))).toMatch(/^x{67}-[0-9a-f]{12}$/);
  });

  it('always gives a valid execution name, the same one each time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (id) => {
        const name = executionNameFor(id);

        expect(name).toMatch(SAFE_NAME);
        expect(executionNameFor(id)).toBe(name);
      }),
      { numRuns: 500 },
    );
  });

  it('gives distinct ids distinct names, even when they sanitise alike', () => {
    // A tiny alphabet of safe and unsafe characters makes ids that sanitise to the same text very likely.
    const id = fc.string({ unit: fc.constantFrom('a', '_', ' ', '/', 'é', '#'), minLength: 0, maxLength: 6 });
    fc.assert(
      fc.property(id, id, (a, b) => {
        fc.pre(a !== b);

        expect(executionNameFor(a)).not.toBe(executionNameFor(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives distinct long ids that share their first 80 characters distinct names', () => {
    const prefix = 'INV-'.padEnd(80, '0');

    expect(executionNameFor(`${prefix}1`)).not.toBe(executionNameFor(`${prefix}2`));
  });
});
