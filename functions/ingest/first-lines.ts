/**
 * The line each invoice id of a file was first seen on, for reporting a row that repeats an earlier row's id, kept in
 * a flat table of 12 bytes per id (a 64-bit fingerprint of the id and the line) instead of a `Map` of the ids
 * themselves (about 100 bytes per id on the V8 heap, which also made every garbage collection of a big file slower
 * and let the heap grow along the file).
 *
 * Memory still grows with the number of distinct ids, but by 16-24 bytes each (12 per slot, the table kept at most
 * three-quarters full; a million-row file: about 18 MB, outside the V8 heap); `reserve` takes it at once when the
 * number of rows can be estimated, so it does not grow, and copy itself, along the file.
 *
 * The price of not keeping the ids: two different ids with the same 64-bit fingerprint would read as a repeat. The
 * odds are about n²/2⁶⁵ for a file of n distinct ids (about 1 in 37 million for a million rows); the row would then
 * be listed in the rejected report, never silently dropped or registered twice.
 */
export class FirstLines {
  /** Per slot: fingerprint high half, fingerprint low half, line (0 = empty slot; lines start at 1). */
  private slots: Uint32Array;
  private capacity: number;
  private size = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, Math.ceil(initialCapacity));
    this.slots = new Uint32Array(this.capacity * 3);
  }

  /** The number of ids recorded. */
  get count(): number {
    return this.size;
  }

  /**
   * The line `id` was first seen on, if it was seen; otherwise records `line` (at least 1) as its first line and
   * returns undefined.
   */
  firstLineOrAdd(id: string, line: number): number | undefined {
    fingerprint(id);
    const hi = fingerprintHi;
    const lo = fingerprintLo;
    const slots = this.slots;
    const capacity = this.capacity;
    let slot = home(hi, capacity);
    for (;;) {
      const at = slot * 3;
      const seenLine = slots[at + 2] as number;
      if (seenLine === 0) break;
      if (slots[at] === hi && slots[at + 1] === lo) return seenLine;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    const at = slot * 3;
    slots[at] = hi;
    slots[at + 1] = lo;
    slots[at + 2] = line;
    this.size++;
    if (this.size > this.capacity * MAX_LOAD) this.grow();
    return undefined;
  }

  /**
   * Makes room for `ids` ids in all, at once (when the file's size says how many rows to expect), so the table does
   * not grow, and copy itself, along the file. More ids than that still fit: the table then grows as usual.
   */
  reserve(ids: number): void {
    const capacity = Math.ceil(ids / MAX_LOAD) + 1;
    if (capacity > this.capacity) this.rehash(capacity);
  }

  /** Moves every entry to a table half as large again (linear probing needs some empty slots to stay fast). */
  private grow(): void {
    this.rehash(Math.ceil(this.capacity * 1.5));
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    const slots = new Uint32Array(capacity * 3);
    for (let from = 0; from < oldCapacity * 3; from += 3) {
      const line = old[from + 2] as number;
      if (line === 0) continue;
      const hi = old[from] as number;
      let slot = home(hi, capacity);
      while (slots[slot * 3 + 2] !== 0) slot = slot + 1 === capacity ? 0 : slot + 1;
      slots[slot * 3] = hi;
      slots[slot * 3 + 1] = old[from + 1] as number;
      slots[slot * 3 + 2] = line;
    }
    this.slots = slots;
    this.capacity = capacity;
  }
}

/** Largest share of used slots before the table grows. */
const MAX_LOAD = 0.75;

/** The home slot of a fingerprint: its high half scaled to the table (any capacity, not only powers of two). */
function home(hi: number, capacity: number): number {
  return Math.min(capacity - 1, Math.floor((hi / 0x1_0000_0000) * capacity));
}

// The two halves of the last fingerprint (module state avoids allocating a pair per id).
let fingerprintHi = 0;
let fingerprintLo = 0;

/**
 * A 64-bit fingerprint of a string: two MurmurHash3-style 32-bit lanes with different seeds over its UTF-16 code
 * units, each finished with the MurmurHash3 mixer. Sets `fingerprintHi` and `fingerprintLo`.
 */
function fingerprint(text: string): void {
  let h1 = 0x9747b28c;
  let h2 = 0x2c1b3c6d;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let k = Math.imul(unit, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let j = Math.imul(unit ^ 0x5bd1e995, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    j = Math.imul(j, 0xc2b2ae35);
    h2 ^= j;
    h2 = (h2 << 11) | (h2 >>> 21);
    h2 = (Math.imul(h2, 9) + 0x52dce729) | 0;
  }
  fingerprintHi = mix(h1 ^ text.length) >>> 0;
  fingerprintLo = mix(h2 ^ Math.imul(text.length, 0x27d4eb2f)) >>> 0;
}

/** MurmurHash3's 32-bit finaliser. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
