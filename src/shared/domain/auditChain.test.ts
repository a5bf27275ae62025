import { describe, expect, it } from 'vitest';
import {
  chainCanonical,
  ChainWalker,
  GENESIS_HASH,
  type ChainRow,
  type ChainValue,
} from './auditChain';

/** FNV-1a: a stand-in for sha256 (the walker takes any hash; this module stays free of Node). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields: ChainValue[] = [seq, `2026-01-01T00:00:0${seq}.000Z`, 'ann1', 'set.push', null];
    const hash = fnv(chainCanonical(prev, fields));
    rows.push({ seq, prevHash: prev, hash, label: `push ${seq}`, fields });
    prev = hash;
  }
  return rows;
}

function walk(rows: readonly ChainRow[], head: { seq: number; hash: string } | null) {
  const walker = new ChainWalker(fnv);
  for (const row of rows) if (!walker.next(row)) break;
  return walker.finish(head);
}

const headOf = (rows: readonly ChainRow[]) => ({
  seq: rows.at(-1)?.seq ?? 0,
  hash: rows.at(-1)?.hash ?? GENESIS_HASH,
});

describe('audit chain', () => {
  it('keeps the canonical form the desktop log was written with: a JSON array, previous hash first', () => {
    expect(chainCanonical('ab', [1, 't', null, '{"a":1}'])).toBe('["ab",1,"t",null,"{\\"a\\":1}"]');
  });

  it('passes a whole chain and an empty one', () => {
    const rows = chain(5);
    expect(walk(rows, headOf(rows))).toEqual({
      ok: true,
      entries: 5,
      lastSeq: 5,
      lastHash: rows[4]?.hash,
    });
    expect(walk([], { seq: 0, hash: GENESIS_HASH })).toMatchObject({ ok: true, entries: 0 });
  });

  it('names an edited entry', () => {
    const rows = chain(5);
    const edited = rows.map((r) =>
      r.seq === 3
        ? { ...r, fields: [...r.fields.slice(0, 2), 'someone-else', ...r.fields.slice(3)] }
        : r,
    );
    expect(walk(edited, headOf(rows))).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      problem: 'entry_altered',
      entries: 2,
    });
  });

  it('names the first of deleted middle entries', () => {
    const rows = chain(6);
    expect(
      walk(
        rows.filter((r) => r.seq !== 3 && r.seq !== 4),
        headOf(rows),
      ),
    ).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      problem: 'entries_missing',
    });
  });

  it('catches entries swapped in order, and renumbered ones', () => {
    const rows = chain(5);
    const [a, b] = [rows[1], rows[2]];
    if (a === undefined || b === undefined) throw new Error('short chain');
    // Content swapped between seq 2 and 3, each keeping its own seq-bearing fields and hashes.
    const swapped = [rows[0], { ...b, seq: 2 }, { ...a, seq: 3 }, rows[3], rows[4]].filter(
      (r): r is ChainRow => r !== undefined,
    );
    expect(walk(swapped, headOf(rows))).toMatchObject({ firstBadSeq: 2, problem: 'link_broken' });
    const repeated = [rows[0], rows[1], rows[1]].filter((r): r is ChainRow => r !== undefined);
    expect(walk(repeated, headOf(rows))).toMatchObject({ firstBadSeq: 2, problem: 'link_broken' });
  });

  it('catches a deleted tail only through the recorded head', () => {
    const rows = chain(5);
    const short = rows.slice(0, 3);
    expect(walk(short, null)).toMatchObject({ ok: true, entries: 3 });
    expect(walk(short, headOf(rows))).toMatchObject({
      ok: false,
      firstBadSeq: 4,
      problem: 'tail_missing',
    });
  });

  it('catches a head that does not name the last entry', () => {
    const rows = chain(4);
    expect(walk(rows, { seq: 3, hash: rows[2]?.hash ?? '' })).toMatchObject({
      ok: false,
      problem: 'head_mismatch',
    });
    expect(walk(rows, { seq: 4, hash: 'ff' })).toMatchObject({
      ok: false,
      problem: 'head_mismatch',
    });
  });

  it('refuses an entry with no hash', () => {
    const rows = chain(2).map((r) => (r.seq === 2 ? { ...r, hash: null } : r));
    expect(walk(rows, null)).toMatchObject({ ok: false, firstBadSeq: 2, problem: 'unhashed' });
  });
});
