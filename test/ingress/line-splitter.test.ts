/** The bounded, pull-based line splitter: chunk boundaries never matter; oversize lines yield one marker. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineItem } from '../../src/ingress/line-splitter.ts';

function drain(s: LineSplitter): LineItem[] {
  const out: LineItem[] = [];
  for (let item = s.next(); item; item = s.next()) out.push(item);
  return out;
}

/** Splits `bytes` at the given cut points (sorted, deduplicated). */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

describe('LineSplitter', () => {
  it('yields the same items however the input is chunked', () => {
    const max = 16;
    const line = fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\r', '{'), maxLength: 30 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 40 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
        const expected: LineItem[] = [];
        for (const l of lines) {
          if (Buffer.byteLength(l) > max) expected.push({ kind: 'too_long' });
          else {
            const text = l.endsWith('\r') ? l.slice(0, -1) : l;
            if (text.trim() !== '') expected.push({ kind: 'line', text });
          }
        }
        const s = new LineSplitter(max);
        const got: LineItem[] = [];
        for (const c of chunks(bytes, cuts)) {
          s.push(c);
          got.push(...drain(s));
          expect(s.bufferedBytes).toBeLessThanOrEqual(max);
        }
        expect(got).toEqual(expected);
        expect(s.drained).toBe(true);
        expect(s.unfinishedBytes).toBe(0);
      }),
    );
  });

  it('reports an oversize line as soon as the limit is passed, once, and holds no more than the limit', () => {
    const s = new LineSplitter(10);
    s.push(Buffer.from('0123456789AB'));
    expect(drain(s)).toEqual([{ kind: 'too_long' }]);
    s.push(Buffer.from('x'.repeat(1000)));
    expect(drain(s)).toEqual([]);
    expect(s.bufferedBytes).toBe(0);
    s.push(Buffer.from('tail\nok\npart'));
    expect(drain(s)).toEqual([{ kind: 'line', text: 'ok' }]);
    expect(s.unfinishedBytes).toBe(4);
  });

  it('hands out lines one at a time, keeping the rest unscanned', () => {
    const s = new LineSplitter(100);
    s.push(Buffer.from('a\nb\nc\n'));
    expect(s.next()).toEqual({ kind: 'line', text: 'a' });
    expect(s.drained).toBe(false);
    expect(s.bufferedBytes).toBe(4);
    expect(drain(s)).toEqual([
      { kind: 'line', text: 'b' },
      { kind: 'line', text: 'c' },
    ]);
    expect(s.drained).toBe(true);
  });
});
