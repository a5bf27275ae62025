import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import type { Store } from '../../../src/main/services/store/Store';
import type { ReviewQueueEntry } from '../../../src/shared/api/syncProtocol';
import { COCO_BODY_TEMPLATE_ID } from '../../../src/shared/domain/labels';

const person = (id: string) => ({
  id,
  kind: 'person' as const,
  templateId: COCO_BODY_TEMPLATE_ID,
  label: id,
  color: '#3366cc',
  keyframes: [],
});
const segment = {
  id: 'seg1',
  startFrame: 10,
  endFrame: 20,
  verbId: 1,
  nounId: 2,
  actor: 'p1',
  note: '',
};
const withLabels = (
  e: ReviewQueueEntry,
  labels: NonNullable<ReviewQueueEntry['labels']>,
): ReviewQueueEntry => ({
  ...e,
  labels,
});

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
    expect(store.audit.list({ limit: 10 }).map((e) => e.action)).toEqual(
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

  /** The reviewer's verdict on revision 1, refused by the server as it would a stale one. */
  const refuseVerdict = (code: string, message: string) => {
    const [item] = store.reviews.pendingOutbox(10);
    if (item === undefined) throw new Error('no verdict queued');
    store.reviews.recordRefusal(item, code, message, 'rev1');
  };

  it('shows a refused verdict with its reason and reviews the newer revision again, carrying what fits', () => {
    const before = { tracks: [person('p1'), person('p2')], segments: [segment], contacts: [] };
    store.reviews.cacheQueue([withLabels(entry('s1'), before)], 'rev1');
    store.reviews.addComment({ setId: 's1', pin: { kind: 'frame', frame: 3 }, text: 'f3' }, 'rev1');
    store.reviews.addComment(
      { setId: 's1', pin: { kind: 'point', frame: 12, trackId: 'p2', index: 9 }, text: 'p2 wrist' },
      'rev1',
    );
    store.reviews.addComment(
      { setId: 's1', pin: { kind: 'segment', segmentId: 'seg1' }, text: 'starts late' },
      'rev1',
    );
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    refuseVerdict('STALE_REVISION', 'The set is at revision 3, not 1; reload it and review again.');

    // Visible on the queue with the server's reason; parked, not pending, never resent.
    expect(store.reviews.listQueue('rev1')[0]?.refused).toEqual({
      verdict: 'accept',
      revision: 1,
      code: 'STALE_REVISION',
      message: 'The set is at revision 3, not 1; reload it and review again.',
      givenAt: expect.any(String) as string,
    });
    expect(store.reviews.pendingCount()).toBe(0);
    // Nothing new goes on top of a refused verdict, and the stale copy cannot be reviewed again.
    expect(() =>
      store.reviews.addComment(
        { setId: 's1', pin: { kind: 'frame', frame: 1 }, text: 'x' },
        'rev1',
      ),
    ).toThrow(expect.objectContaining({ code: 'REVIEW_REFUSED' }));
    expect(() => store.reviews.reviewAgain('s1', 'rev1')).toThrow(
      expect.objectContaining({ code: 'REVIEW_NOT_REFRESHED' }),
    );

    // The next pull brings revision 3, where track p2 is gone and the segment was moved.
    const after = {
      tracks: [person('p1')],
      segments: [{ ...segment, startFrame: 8 }],
      contacts: [],
    };
    store.reviews.cacheQueue([withLabels(entry('s1', 3), after)], 'rev1');
    const again = store.reviews.reviewAgain('s1', 'rev1');
    expect(again).toMatchObject({
      setId: 's1',
      outcome: 'reopened',
      refusedRevision: 1,
      revision: 3,
      carried: [
        { text: 'f3', revision: 3 },
        { text: 'starts late', revision: 3 },
      ],
      notCarried: [{ comment: { text: 'p2 wrist' }, why: 'Track p2 is no longer in the labels.' }],
    });
    expect(() => store.reviews.reviewAgain('s1', 'rev1')).toThrow(
      expect.objectContaining({ code: 'REVIEW_NOT_REFUSED' }),
    );
    const opened = store.reviews.open('s1', 'rev1');
    expect(opened.item).toMatchObject({ revision: 3, verdict: null, refused: null });
    expect(opened.changesSince).toMatchObject({
      revision: 1,
      entries: expect.arrayContaining([
        expect.objectContaining({ what: 'track', kind: 'removed', id: 'p2' }),
        expect.objectContaining({ what: 'segment', kind: 'changed', id: 'seg1' }),
      ]) as unknown,
    });
    expect(opened.comments.map((c) => c.text)).toEqual(['f3', 'starts late']);

    // The new verdict carries the carried drafts, under a new key, once.
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    const outbox = store.reviews.pendingOutbox(10);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.kind === 'verdict' && outbox[0].payload).toMatchObject({
      verdict: 'accept',
      baseRevision: 3,
      comments: [
        { text: 'f3', frame: 3 },
        { text: 'starts late', segmentId: 'seg1' },
      ],
    });
    const audit = store.audit.list({ limit: 20 });
    const step = audit.find((e) => e.action === 'review.review_again');
    expect(step?.details).toMatchObject({
      refused: { code: 'STALE_REVISION', revision: 1 },
      revision: 3,
      notCarried: [{ text: 'p2 wrist', why: 'Track p2 is no longer in the labels.' }],
    });
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['review.verdict_refused', 'review.review_again', 'review.accept']),
    );
  });

  it('closes a refusal when the server no longer offers the set to this reviewer', () => {
    store.reviews.cacheQueue([entry('s1')], 'rev1');
    store.reviews.addComment({ setId: 's1', pin: { kind: 'frame', frame: 3 }, text: 'f3' }, 'rev1');
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    refuseVerdict('NOT_FOUND', 'No set s1 for you to review.');
    // Reassigned: the pull no longer lists it, yet the refusal stays in view.
    store.reviews.cacheQueue([], 'rev1');
    expect(store.reviews.listQueue('rev1')[0]?.refused?.code).toBe('NOT_FOUND');
    const closed = store.reviews.reviewAgain('s1', 'rev1');
    expect(closed).toMatchObject({
      outcome: 'closed',
      revision: null,
      carried: [],
      notCarried: [{ comment: { text: 'f3' }, why: 'The set is no longer in your review queue.' }],
    });
    expect(store.reviews.listQueue('rev1')).toEqual([]);
    expect(store.reviews.pendingCount()).toBe(0);
    expect(store.audit.list({ limit: 5 }).map((e) => e.action)).toContain('review.refusal_closed');
  });

  it('reviews the same revision again when the server refused for another reason and still lists it', () => {
    store.reviews.cacheQueue([entry('s1')], 'rev1');
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    refuseVerdict('SET_LOCKED', 'This set is in progress, not awaiting review.');
    store.reviews.cacheQueue([entry('s1')], 'rev1');
    expect(store.reviews.reviewAgain('s1', 'rev1')).toMatchObject({
      outcome: 'reopened',
      revision: 1,
    });
    expect(store.reviews.listQueue('rev1')[0]).toMatchObject({ verdict: null, refused: null });
    store.reviews.submitVerdict({ setId: 's1', verdict: 'accept' }, 'rev1');
    expect(store.reviews.pendingCount()).toBe(1);
  });

  it('shows a resolution the server refused on its comment and reopens it, so it can be resolved anew', () => {
    store.reviews.saveReviewEvent(
      {
        id: 8,
        kind: 'review',
        setId: 's9',
        clipRef: 'cd'.repeat(32),
        verdict: 'request_changes',
        status: 'changes_requested',
        revision: 2,
        reviewer: 'rev1',
        reason: 'wrist',
        comments: [{ id: 'c1', text: 'wrist', frame: 4 }],
      },
      'ann1',
    );
    expect(() => store.reviews.reopenComment('c1', 'ann1')).toThrow(
      expect.objectContaining({ code: 'RESOLVE_NOT_REFUSED' }),
    );
    store.reviews.resolveComment('c1', 'ann1');
    const [resolve] = store.reviews.pendingOutbox(10);
    if (resolve === undefined) throw new Error('no resolve queued');
    store.reviews.recordRefusal(resolve, 'NOT_FOUND', 'No set s9 of yours.', 'ann1');
    expect(store.reviews.pendingCount()).toBe(0);
    expect(store.reviews.comments('s9')[0]).toMatchObject({
      resolved: { by: 'ann1' },
      resolveRefused: { code: 'NOT_FOUND', message: 'No set s9 of yours.' },
    });

    const reopened = store.reviews.reopenComment('c1', 'ann1');
    expect(reopened.resolved).toBeNull();
    expect(reopened.resolveRefused).toBeUndefined();
    expect(store.reviews.comments('s9')[0]).toMatchObject({ resolved: null });
    expect(store.reviews.comments('s9')[0]?.resolveRefused).toBeUndefined();
    // Resolving again queues one new resolution, under a new key.
    store.reviews.resolveComment('c1', 'ann1');
    const again = store.reviews.pendingOutbox(10);
    expect(again).toHaveLength(1);
    expect(again[0]?.id).not.toBe(resolve.id);
    expect(store.audit.list({ limit: 10 }).map((e) => e.action)).toEqual(
      expect.arrayContaining(['review.resolve_refused', 'review.comment_reopened']),
    );
  });
});
