import * as z from 'zod';

/* ------------------------------------------------------------------------------------------------------------------
 * Unknown keys: a typo must not pass silently, so every object is strict and the message names the key, suggests
 * the closest allowed one and lists them all.
 * ---------------------------------------------------------------------------------------------------------------- */

/** Levenshtein distance, small strings only. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The allowed key a typo most likely meant: same letters in another case, or at most 2 edits away. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const sameLetters = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
  if (sameLetters) return sameLetters;
  const ranked = allowed
    .map((a) => ({ a, d: editDistance(a.toLowerCase(), key.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.min(2, Math.floor(key.length / 2)) ? best.a : undefined;
}

function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const described = keys.map((key) => {
    const close = closestKey(key, allowed);
    return close ? `"${key}" (did you mean "${close}"?)` : `"${key}"`;
  });
  return `unknown key${keys.length > 1 ? 's' : ''} ${described.join(', ')}; allowed: ${allowed.join(', ')}`;
}

/** `z.strictObject` whose unknown-key error names the keys, a likely intended key, and the allowed ones. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, allowed) : undefined),
  });
}
