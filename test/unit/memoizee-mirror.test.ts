// The memoizee adapter's mirror (parallel arrays, binary search over ids with holes) against a Map doing the same.
import { describe, expect, it } from 'vitest';
import { Mirror } from '../../src/adapters/memoizee';

function contents(m: Mirror): Array<[number, unknown, unknown]> {
  const out: Array<[number, unknown, unknown]> = [];
  for (let i = 0; i < m.ids.length; i++) if (m.ids[i] !== -1) out.push([m.ids[i]!, m.args[i], m.results[i]]);
  return out;
}

describe('memoizee mirror', () => {
  it('agrees with a Map over random adds, deletes and clears (ids ascending, as memoizee makes them)', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const m = new Mirror();
    const model = new Map<number, [unknown, unknown]>();
    let nextId = 0;
    for (let step = 0; step < 20_000; step++) {
      const op = rand(100);
      if (op < 55) {
        const id = ++nextId;
        const args = [{ id }];
        m.add(id, args, id * 2);
        model.set(id, [args, id * 2]);
      } else if (op < 99) {
        // Delete an id the mirror has (most of the time) or one it never had.
        const ids = [...model.keys()];
        const id = ids.length > 0 && rand(10) > 0 ? ids[rand(ids.length)]! : nextId + 1000;
        const had = model.get(id);
        expect(m.delete(id)).toBe(had?.[0]);
        model.delete(id);
      } else {
        m.clear();
        model.clear();
      }
      expect(m.size).toBe(model.size);
    }
    expect(contents(m)).toEqual([...model].map(([id, [a, r]]) => [id, a, r]));
  });

  it('still finds entries when an id arrives out of order', () => {
    const m = new Mirror();
    m.add(5, [1], 'a');
    m.add(3, [2], 'b');
    m.add(9, [3], 'c');
    expect(m.delete(3)).toEqual([2]);
    expect(m.delete(5)).toEqual([1]);
    expect(m.delete(7)).toBeUndefined();
    expect(contents(m)).toEqual([[9, [3], 'c']]);
  });
});
