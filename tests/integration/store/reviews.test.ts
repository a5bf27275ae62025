import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import type { Store } from '../../../src/main/services/store/Store';
import type { ReviewQueueEntry } from '../../../src/shared/api/syncProtocol';

const entry = (setId: string, revision = 1): ReviewQueueEntry => ({
  setId,
  clipRef: 'ab'.repeat(32),
  projectId: 'p',
  annotator: 'ann1',
  reviewer: 'rev1',
  status: 'submitted',
  revision,
  labels: { tracks: [], segments: [], contacts: [] },
  submittedAt: '2026-01-01T00:00:00.000Z',
  comments: [],
});

describe('the review cache on a workstation', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fw-reviews-'));
    store = openStore(join(dir, 'w.sqlite'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a set reviewed offline in the queue until its verdict is delivered', () => {
    store.reviews.cacheQueue([entry('s1'), entry('s2')], 'rev1');
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    // The next pull no longer lists either (another reviewer took them, say).
    store.reviews.cacheQueue([], 'rev1');
    expect(store.reviews.listQueue('rev1').map((i) => i.setId)).toEqual(['s1']);
    const [pending] = store.reviews.pendingOutbox(10);
    expect(pending).toMatchObject({ kind: 'verdict', serverSetId: 's1' });
    if (pending === undefined) throw new Error('no outbox row');
    store.reviews.markDelivered(pending, 'rev1', {});
    store.reviews.cacheQueue([], 'rev1');
    expect(store.reviews.listQueue('rev1')).toEqual([]);
  });

  it('sends draft comments with the verdict once and refuses a second verdict on the revision', () => {
    store.reviews.cacheQueue([entry('s1')], 'rev1');
    store.reviews.addComment(
      { setId: 's1', pin: { kind: 'frame', frame: 3 }, text: 'look here' },
      'rev1',
    );
    expect(() =>
      store.reviews.submitVerdict({ setId: 's1', verdict: 'request_changes' }, 'rev1'),
    ).toThrow(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(store.reviews.pendingCount()).toBe(0);
    store.reviews.submitVerdict(
      { setId: 's1', verdict: 'request_changes', reason: 'see frame 3' },
      'rev1',
    );
    expect(() => store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1')).toThrow(
      expect.objectContaining({ code: 'REVIEW_ALREADY_GIVEN' }),
    );
    expect(() =>
      store.reviews.addComment(
        { setId: 's1', pin: { kind: 'frame', frame: 1 }, text: 'x' },
        'rev1',
      ),
    ).toThrow(expect.objectContaining({ code: 'REVIEW_ALREADY_GIVEN' }));
    const [verdict] = store.reviews.pendingOutbox(10);
    expect(verdict?.kind === 'verdict' && verdict.payload).toMatchObject({
      verdict: 'request_changes',
      baseRevision: 1,
      reason: 'see frame 3',
      comments: [{ text: 'look here', frame: 3 }],
    });
    expect(store.listAudit({ limit: 10 }).map((e) => e.action)).toEqual(
      expect.arrayContaining(['review.comment_added', 'review.request_changes']),
    );
  });

  it('stores a pulled review event once and resolves a comment once, queueing one resolve', () => {
    const event = {
      id: 7,
      kind: 'review' as const,
      setId: 's9',
      clipRef: 'cd'.repeat(32),
      verdict: 'request_changes' as const,
      status: 'changes_requested' as const,
      revision: 2,
      reviewer: 'rev1',
      reason: 'wrist',
      comments: [{ id: 'c1', text: 'wrist', frame: 4, trackId: 'p1', pointIndex: 9 }],
    };
    expect(store.reviews.saveReviewEvent(event, 'ann1')).toBe(1);
    expect(store.reviews.saveReviewEvent(event, 'ann1')).toBe(0);
    const [comment] = store.reviews.comments('s9');
    expect(comment).toMatchObject({
      revision: 1,
      pin: { kind: 'point', frame: 4, trackId: 'p1', index: 9 },
      resolved: null,
    });
    store.reviews.resolveComment('c1', 'ann1');
    store.reviews.resolveComment('c1', 'ann1');
    expect(store.reviews.pendingOutbox(10).filter((i) => i.kind === 'resolve')).toHaveLength(1);
    expect(store.reviews.comments('s9')[0]?.resolved?.by).toBe('ann1');
    expect(() => store.reviews.resolveComment('nope', 'ann1')).toThrow(
      expect.objectContaining({ code: 'COMMENT_NOT_FOUND' }),
    );
  });
});
