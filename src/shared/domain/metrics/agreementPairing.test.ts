import { describe, expect, it } from 'vitest';
import { latestHandedInPerAnnotator, type AgreementCandidate } from './agreementPairing';

const set = (over: Partial<AgreementCandidate<string>> & { ref: string }) =>
  ({
    origin: 'local',
    annotator: 'ann1',
    status: 'submitted',
    serverSetId: null,
    revision: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  }) as AgreementCandidate<string>;

const refs = (sets: readonly AgreementCandidate<string>[]) => sets.map((s) => s.ref);

describe('latestHandedInPerAnnotator', () => {
  it('pairs a local set with a pulled set of another annotator, in annotator order', () => {
    const picked = latestHandedInPerAnnotator([
      set({ ref: 'remote-b', origin: 'remote', annotator: 'bea', serverSetId: 's-b' }),
      set({ ref: 'local-a', annotator: 'ada' }),
    ]);
    expect(refs(picked)).toEqual(['local-a', 'remote-b']);
  });

  it('never compares a set still in progress', () => {
    expect(
      refs(
        latestHandedInPerAnnotator([
          set({ ref: 'a', annotator: 'ada', status: 'in_progress' }),
          set({ ref: 'b', annotator: 'bea', status: 'accepted' }),
          set({ ref: 'c', annotator: 'cy', status: 'changes_requested' }),
        ]),
      ),
    ).toEqual(['b', 'c']);
    expect(latestHandedInPerAnnotator([])).toEqual([]);
  });

  it("keeps the server's copy of a local set delivered as the same server set, under its server name", () => {
    const picked = latestHandedInPerAnnotator([
      set({ ref: 'local', annotator: 'annotator-1', serverSetId: 's-1', revision: 3 }),
      set({ ref: 'remote', origin: 'remote', annotator: 'ann1', serverSetId: 's-1', revision: 2 }),
      set({ ref: 'other', origin: 'remote', annotator: 'ann2', serverSetId: 's-2' }),
    ]);
    expect(refs(picked)).toEqual(['remote', 'other']);
  });

  it('prefers the pulled revision over a stale local copy of the same annotator', () => {
    const picked = latestHandedInPerAnnotator([
      set({ ref: 'local', annotator: 'ann1', updatedAt: '2026-02-01T00:00:00.000Z' }),
      set({ ref: 'remote', origin: 'remote', annotator: 'ann1', serverSetId: 's-1' }),
    ]);
    expect(refs(picked)).toEqual(['remote']);
  });

  it('takes the higher server revision, and the later local update, within one origin', () => {
    expect(
      refs(
        latestHandedInPerAnnotator([
          set({ ref: 'r5', origin: 'remote', serverSetId: 'x', revision: 5 }),
          set({ ref: 'r7', origin: 'remote', serverSetId: 'y', revision: 7 }),
        ]),
      ),
    ).toEqual(['r7']);
    expect(
      refs(
        latestHandedInPerAnnotator([
          set({ ref: 'old', updatedAt: '2026-01-01T00:00:00.000Z' }),
          set({ ref: 'new', updatedAt: '2026-01-02T00:00:00.000Z' }),
        ]),
      ),
    ).toEqual(['new']);
  });

  it('keeps a delivered local set when its server copy was not pulled (a clip not double)', () => {
    expect(refs(latestHandedInPerAnnotator([set({ ref: 'local', serverSetId: 's-9' })]))).toEqual([
      'local',
    ]);
  });
});
