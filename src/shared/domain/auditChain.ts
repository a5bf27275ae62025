/**
 * The hash chain behind both audit logs (the workstation's SQLite one and the central server's):
 * each entry's hash is sha256 (hex) over `chainCanonical(prevHash, fields)`. The hash function is
 * the caller's (node:crypto on both sides), so this module stays free of Node.
 */

/** The `prev_hash` of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** A stored field as hashed: text exactly as stored, numbers, or null for an absent value. */
export type ChainValue = string | number | null;

/**
 * The previous entry's hash and the entry's fields as a JSON array in a fixed order: JSON's string
 * escaping makes the serialisation unambiguous (no field can run into the next). Each log fixes
 * its own field order once; the entry's sequence number is one of the fields, so renumbering rows
 * is caught too.
 *
 * Frozen: the desktop's migration 006 backfilled rows with it and the server's chain is written
 * with it; a change needs a new chain version, not an edit here.
 */
export function chainCanonical(prevHash: string, fields: readonly ChainValue[]): string {
  return JSON.stringify([prevHash, ...fields]);
}

export type Sha256Hex = (text: string) => string;

/** Why a chain broke at an entry. */
export type ChainBreak =
  /** The entry's stored fields no longer give its stored hash: it was edited. */
  | 'entry_altered'
  /** The entry does not point at the hash of the entry before it: one was replaced or reordered. */
  | 'link_broken'
  /** Sequence numbers jump: the entries between were deleted. */
  | 'entries_missing'
  /** The recorded head is beyond the last entry: the newest entries were deleted. */
  | 'tail_missing'
  /** The recorded head does not name the last entry: entries were written around the log. */
  | 'head_mismatch'
  /** No hash at all: written around the log, after the chain began. */
  | 'unhashed';

export type ChainRow = {
  seq: number;
  prevHash: string | null;
  hash: string | null;
  /** For messages: what the entry recorded. */
  label: string;
  /** The fields in the log's fixed order (the sequence number among them). */
  fields: readonly ChainValue[];
};

export type ChainVerdict =
  | { ok: true; entries: number; lastSeq: number; lastHash: string }
  | {
      ok: false;
      entries: number;
      /** The first bad entry (for `tail_missing`, the first sequence number that is gone). */
      firstBadSeq: number;
      problem: ChainBreak;
      message: string;
    };

/**
 * Walks a chain in sequence order, one row at a time (a log of millions of entries need not fit in
 * memory), and names the first entry where it breaks. Sequence numbers start at 1 with no gaps.
 */
export class ChainWalker {
  private prev = GENESIS_HASH;
  private expected = 1;
  private entries = 0;
  private broken: ChainVerdict | null = null;

  constructor(private readonly sha256: Sha256Hex) {}

  /** False once the chain is broken: the rest need not be read. */
  next(row: ChainRow): boolean {
    if (this.broken !== null) return false;
    const fail = (problem: ChainBreak, seq: number, message: string): boolean => {
      this.broken = { ok: false, entries: this.entries, firstBadSeq: seq, problem, message };
      return false;
    };
    if (row.seq !== this.expected) {
      return row.seq > this.expected
        ? fail(
            'entries_missing',
            this.expected,
            `Audit entries ${this.expected}–${row.seq - 1} are missing: they were deleted.`,
          )
        : fail(
            'link_broken',
            row.seq,
            `Audit entry ${row.seq} (${row.label}) is out of order: entries were renumbered.`,
          );
    }
    if (row.hash === null || row.prevHash === null) {
      return fail('unhashed', row.seq, `Audit entry ${row.seq} (${row.label}) has no hash.`);
    }
    if (row.prevHash !== this.prev) {
      return fail(
        'link_broken',
        row.seq,
        `Audit entry ${row.seq} (${row.label}) does not follow the entry before it: an entry was ` +
          'replaced or the entries were reordered.',
      );
    }
    const hash = this.sha256(chainCanonical(this.prev, row.fields));
    if (hash !== row.hash) {
      return fail(
        'entry_altered',
        row.seq,
        `Audit entry ${row.seq} (${row.label}) was altered after it was written.`,
      );
    }
    this.prev = hash;
    this.expected += 1;
    this.entries += 1;
    return true;
  }

  /**
   * The verdict, checked against the head recorded beside the log (its last sequence number and
   * hash): without it, deleting the newest entries would leave a chain that is whole but short.
   */
  finish(head: { seq: number; hash: string } | null): ChainVerdict {
    if (this.broken !== null) return this.broken;
    const lastSeq = this.expected - 1;
    if (head !== null && head.seq > lastSeq) {
      return {
        ok: false,
        entries: this.entries,
        firstBadSeq: lastSeq + 1,
        problem: 'tail_missing',
        message: `Audit entries ${lastSeq + 1}–${head.seq} were written and are gone: the newest entries were deleted.`,
      };
    }
    if (head !== null && (head.seq !== lastSeq || head.hash !== this.prev)) {
      return {
        ok: false,
        entries: this.entries,
        firstBadSeq: Math.min(head.seq + 1, lastSeq),
        problem: 'head_mismatch',
        message:
          `The recorded head (entry ${head.seq}) does not match the last entry (${lastSeq}): ` +
          'entries were written or replaced around the log.',
      };
    }
    return { ok: true, entries: this.entries, lastSeq, lastHash: this.prev };
  }
}
