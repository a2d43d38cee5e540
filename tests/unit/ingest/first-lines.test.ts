import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstLines } from '../../../functions/ingest/first-lines';

describe('FirstLines (in-file repeated invoice ids)', () => {
  it('answers the first line of a repeated id, through growth and reservation', () => {
    const lines = new FirstLines(16);
    for (let i = 0; i < 50_000; i++) expect(lines.firstLineOrAdd(`INV-${i}`, i + 2)).toBeUndefined();
    lines.reserve(200_000);
    for (let i = 50_000; i < 60_000; i++) expect(lines.firstLineOrAdd(`INV-${i}`, i + 2)).toBeUndefined();
    expect(lines.count).toBe(60_000);
    for (let i = 0; i < 60_000; i += 97) expect(lines.firstLineOrAdd(`INV-${i}`, 999_999)).toBe(i + 2);
    expect(lines.count).toBe(60_000);
  });

  it('matches a Map of the ids on any sequence of ids (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 300 }), (ids) => {
        const lines = new FirstLines(16);
        const map = new Map<string, number>();
        ids.forEach((id, index) => {
          const line = index + 2;
          expect(lines.firstLineOrAdd(id, line)).toBe(map.get(id));
          if (!map.has(id)) map.set(id, line);
        });
      }),
    );
  });
});
