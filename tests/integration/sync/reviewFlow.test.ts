import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { SyncService } from '../../../src/main/services/sync/syncService';
import type { Db } from '../../../src/server/db/Db';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  type Command,
} from '../../../src/shared/domain/labels';
import { clipRefOf, startTeamServer, type Team, type TeamServer } from '../server/serverHarness';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const FAST = { baseMs: 5, capMs: 100 };

const addPerson: Command = {
  type: 'addTrack',
  track: {
    id: 'p1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#3366cc',
    keyframes: [],
  },
};
const poseAt = (x: number): Command => ({
  type: 'setKeyframe',
  trackId: 'p1',
  keyframe: {
    frame: 1,
    points: COCO_BODY_KEYPOINTS.map((_, i) => ({
      x: x + i,
      y: 20,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  },
});

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? -1;
}

describe('QA review between a reviewer and an annotator, through the real server (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-review-'));
  const clip = clipRefOf('review-clip');
  // Reviewed by rev1 and, meanwhile, by the project's lead: rev1's verdict goes stale.
  const staleClip = clipRefOf('review-stale-clip');
  let serverDb: Db;
  let team: Team;
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([clip, staleClip]);
    serverDb = server.db;
    team = server.team;
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workstation = (name: string, actor: string, token: string) => {
    const services = createServices({ databasePath: join(dir, `${name}.sqlite`), actor });
    // The background sender stays off: each step below syncs explicitly, so counts are exact.
    services.sync.stop();
    const sync = new SyncService({ store: services.store, actor, backoff: FAST });
    sync.signIn(server.url, token);
    return { services, sync, handlers: services.handlers };
  };

  it('comments, requests changes, sees the fixes as a diff and accepts, each step once on the server', async () => {
    const sets = seedWorkstation(join(dir, 'annotator.sqlite'), [clip], 'annotator-1', {
      submit: false,
    });
    const localSet = sets.get(clip) ?? '';
    const annotator = workstation('annotator', 'annotator-1', team.tokens.ann1);
    const reviewer = workstation('reviewer', 'reviewer-1', team.tokens.rev1);
    try {
      annotator.services.store.labels.applyLabelEdit(localSet, addPerson, 0, 'annotator-1');
      annotator.services.store.labels.applyLabelEdit(localSet, poseAt(10), 1, 'annotator-1');
      expect(
        annotator.services.store.labels.submitAnnotationSet(localSet, 'annotator-1').submitted,
      ).toBe(true);
      expect((await annotator.sync.syncNow(10_000)).delivered).toHaveLength(1);

      // The reviewer pulls the queue, then works with the network gone: all from the cache.
      await reviewer.sync.syncNow(10_000);
      const queue = await reviewer.handlers.listReviewQueue({});
      expect(queue).toEqual([
        expect.objectContaining({
          clipRef: clip,
          annotator: 'ann1',
          revision: 1,
          modelShare: 0,
          openComments: 0,
          verdict: null,
        }),
      ]);
      const setId = queue[0]?.setId ?? '';
      const opened = await reviewer.handlers.openReview({ setId });
      expect(opened.labels.tracks[0]?.keyframes).toHaveLength(1);
      expect(opened.changesSince).toBeNull();

      await reviewer.handlers.addReviewComment({
        setId,
        pin: { kind: 'frame', frame: 1 },
        text: 'The person leaves the frame here',
      });
      await reviewer.handlers.addReviewComment({
        setId,
        pin: { kind: 'point', frame: 1, trackId: 'p1', index: 9 },
        text: 'Left wrist is on the cup, not beside it',
        suggestion: poseAt(12),
      });
      // Handlers throw synchronously; the contract turns that into the caller's rejection.
      expect(() =>
        reviewer.handlers.addReviewComment({
          setId,
          pin: { kind: 'segment', segmentId: 'no-such-segment' },
          text: 'x',
        }),
      ).toThrow(expect.objectContaining({ code: 'PIN_NOT_FOUND' }));
      // A request for changes without a reason is refused before anything is queued.
      expect(() =>
        reviewer.services.store.reviews.submitVerdict(
          { setId, verdict: 'request_changes', reason: '  ' },
          'reviewer-1',
        ),
      ).toThrow(expect.objectContaining({ code: 'REASON_REQUIRED' }));
      expect(
        await reviewer.handlers.submitReview({
          setId,
          verdict: 'request_changes',
          reason: 'Wrist drifts',
        }),
      ).toEqual({ queued: true, comments: 2 });
      expect(() => reviewer.handlers.submitReview({ setId, verdict: 'accept' })).toThrow(
        expect.objectContaining({ code: 'REVIEW_ALREADY_GIVEN' }),
      );
      expect(reviewer.sync.status().pending).toBe(1);

      // Delivered once, even when synced twice.
      await reviewer.sync.syncNow(10_000);
      await reviewer.sync.syncNow(10_000);
      expect(reviewer.sync.status().pending).toBe(0);
      expect(
        await count(serverDb, 'SELECT count(*)::int AS n FROM reviews WHERE set_id = $1', [setId]),
      ).toBe(1);
      const [stored] = await serverDb.query<{ reason: string; comments: unknown[] }>(
        'SELECT reason, comments FROM reviews WHERE set_id = $1',
        [setId],
      );
      expect(stored?.reason).toBe('Wrist drifts');
      expect(stored?.comments).toHaveLength(2);

      // The annotator pulls the review: the comments land on their set, pins intact.
      const pulled = await annotator.sync.syncNow(10_000);
      expect(pulled.reviewsApplied).toEqual([
        { setId, clipRef: clip, status: 'changes_requested' },
      ]);
      await annotator.sync.syncNow(10_000);
      const comments = await annotator.handlers.listComments({ setId: localSet });
      expect(comments.map((c) => c.pin)).toEqual([
        { kind: 'frame', frame: 1 },
        { kind: 'point', frame: 1, trackId: 'p1', index: 9 },
      ]);
      expect(comments[1]?.suggestion).toEqual(poseAt(12));
      expect(comments.every((c) => c.resolved === null)).toBe(true);

      // Fix, resolve each comment (twice: the second is a no-op), resubmit.
      annotator.services.store.labels.applyLabelEdit(localSet, poseAt(12), 2, 'annotator-1');
      for (const comment of comments) {
        await annotator.handlers.resolveComment({ commentId: comment.id });
        await annotator.handlers.resolveComment({ commentId: comment.id });
      }
      // Made under the OS user ('annotator-1'), taken over by ann1, the first account here.
      const local = annotator.services.store.labels.openAnnotationSet(
        clipIdOf(clip),
        'ann1',
        'default',
      );
      expect(local.status).toBe('changes_requested');
      expect(
        annotator.services.store.labels.submitAnnotationSet(localSet, 'annotator-1').submitted,
      ).toBe(true);
      await annotator.sync.syncNow(10_000);
      await annotator.sync.syncNow(10_000);
      expect(
        await count(
          serverDb,
          'SELECT count(*)::int AS n FROM comment_resolutions WHERE set_id = $1',
          [setId],
        ),
      ).toBe(2);

      // The reviewer sees the resubmission with what changed since their review, then accepts.
      await reviewer.sync.syncNow(10_000);
      const [again] = await reviewer.handlers.listReviewQueue({});
      expect(again).toMatchObject({ setId, revision: 3, openComments: 0, verdict: null });
      const reopened = await reviewer.handlers.openReview({ setId });
      expect(reopened.changesSince?.revision).toBe(1);
      expect(reopened.changesSince?.entries).toEqual([
        expect.objectContaining({ what: 'keyframe', kind: 'changed', frame: 1 }),
      ]);
      expect(reopened.comments.every((c) => c.resolved?.by === 'ann1')).toBe(true);
      await reviewer.handlers.submitReview({ setId, verdict: 'accept' });
      await reviewer.sync.syncNow(10_000);
      await annotator.sync.syncNow(10_000);

      expect(
        await count(serverDb, 'SELECT count(*)::int AS n FROM reviews WHERE set_id = $1', [setId]),
      ).toBe(2);
      expect(
        await count(serverDb, 'SELECT count(*)::int AS n FROM set_versions WHERE set_id = $1', [
          setId,
        ]),
      ).toBe(2);
      expect(
        await count(
          serverDb,
          "SELECT count(*)::int AS n FROM events WHERE kind = 'review' AND payload->>'setId' = $1",
          [setId],
        ),
      ).toBe(2);
      expect(
        annotator.services.store.labels.openAnnotationSet(clipIdOf(clip), 'ann1', 'default').status,
      ).toBe('accepted');
      expect(await reviewer.handlers.listReviewQueue({})).toEqual([]);

      const reviewerAudit = reviewer.services.store.audit.list({ limit: 50 }).map((e) => e.action);
      expect(reviewerAudit).toEqual(
        expect.arrayContaining([
          'review.queue_pulled',
          'review.comment_added',
          'review.request_changes',
          'review.verdict_delivered',
          'review.accept',
        ]),
      );
      const annotatorAudit = annotator.services.store.audit
        .list({ limit: 50 })
        .map((e) => e.action);
      expect(annotatorAudit).toEqual(
        expect.arrayContaining([
          'review.comments_received',
          'review.comment_resolved',
          'review.resolve_delivered',
        ]),
      );
    } finally {
      annotator.services.close();
      reviewer.services.close();
    }
  });

  it('shows a verdict refused as stale, reviews the newer revision again and accepts it, each step once on the server', async () => {
    const sets = seedWorkstation(join(dir, 'annotator-stale.sqlite'), [staleClip], 'annotator-1', {
      submit: false,
    });
    const localSet = sets.get(staleClip) ?? '';
    const annotator = workstation('annotator-stale', 'annotator-1', team.tokens.ann1);
    const reviewer = workstation('reviewer-stale', 'reviewer-1', team.tokens.rev1);
    const lead = workstation('lead-stale', 'lead-1', team.tokens.lead1);
    const reviewsOn = (setId: string) =>
      count(serverDb, 'SELECT count(*)::int AS n FROM reviews WHERE set_id = $1', [setId]);
    try {
      const store = annotator.services.store;
      store.labels.applyLabelEdit(localSet, addPerson, 0, 'annotator-1');
      store.labels.applyLabelEdit(localSet, poseAt(10), 1, 'annotator-1');
      store.labels.applyLabelEdit(
        localSet,
        {
          type: 'addSegment',
          segment: {
            id: 'seg1',
            startFrame: 0,
            endFrame: 2,
            verbId: 0,
            nounId: 0,
            actor: 'p1',
            note: '',
          },
        },
        2,
        'annotator-1',
      );
      expect(store.labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      await annotator.sync.syncNow(10_000);

      // The reviewer reviews revision 1 offline: three comments and an accept, not yet sent.
      await reviewer.sync.syncNow(10_000);
      const [queued] = await reviewer.handlers.listReviewQueue({});
      expect(queued).toMatchObject({ clipRef: staleClip, revision: 1, refused: null });
      const setId = queued?.setId ?? '';
      for (const [pin, text] of [
        [{ kind: 'frame', frame: 1 }, 'Blur on this frame'],
        [{ kind: 'point', frame: 1, trackId: 'p1', index: 9 }, 'Check the left wrist'],
        [{ kind: 'segment', segmentId: 'seg1' }, 'Which verb is this?'],
      ] as const) {
        await reviewer.handlers.addReviewComment({ setId, pin, text });
      }
      await reviewer.handlers.submitReview({ setId, verdict: 'accept' });

      // Meanwhile the lead sends the set back and the annotator resubmits (revision 3).
      await lead.sync.syncNow(10_000);
      await lead.handlers.submitReview({
        setId,
        verdict: 'request_changes',
        reason: 'The segment is not an action',
      });
      await lead.sync.syncNow(10_000);
      await annotator.sync.syncNow(10_000);
      store.labels.applyLabelEdit(
        localSet,
        { type: 'removeSegment', segmentId: 'seg1' },
        3,
        'annotator-1',
      );
      store.labels.applyLabelEdit(localSet, poseAt(12), 4, 'annotator-1');
      expect(store.labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      await annotator.sync.syncNow(10_000);

      // The reviewer's accept reaches the server and is refused as stale: parked, shown, not resent.
      const refusedRound = await reviewer.sync.syncNow(10_000);
      expect(refusedRound.lastError).toMatch(/^STALE_REVISION/);
      await reviewer.sync.syncNow(10_000);
      expect(reviewer.sync.status().pending).toBe(0);
      expect(await reviewsOn(setId)).toBe(1);
      const [refused] = await reviewer.handlers.listReviewQueue({});
      expect(refused).toMatchObject({
        setId,
        revision: 3,
        verdict: null,
        refused: {
          verdict: 'accept',
          revision: 1,
          code: 'STALE_REVISION',
          message: expect.stringContaining('revision 3') as string,
        },
      });
      expect(() => reviewer.handlers.submitReview({ setId, verdict: 'accept' })).toThrow(
        expect.objectContaining({ code: 'REVIEW_REFUSED' }),
      );
      // Sync settings lists the refused verdict with the server's reason and what to do, and the
      // status counts it (issue #15: refusals visible and actionable).
      expect(reviewer.sync.issues()).toEqual([
        expect.objectContaining({
          kind: 'verdict',
          state: 'refused',
          setId,
          clipRef: staleClip,
          code: 'STALE_REVISION',
          actions: ['review_again'],
          advice: expect.stringMatching(/Review again to judge the new revision/) as string,
        }),
      ]);
      expect(reviewer.sync.status()).toMatchObject({ refused: 1 });

      // Review again: revision 3 with what changed since revision 1; the segment comment is
      // listed as not carried (the segment is gone), the other two are drafts again.
      const again = await reviewer.handlers.reviewAgain({ setId });
      expect(again).toMatchObject({ outcome: 'reopened', refusedRevision: 1, revision: 3 });
      expect(reviewer.sync.issues()).toEqual([]);
      expect(again.carried.map((c) => c.text)).toEqual([
        'Blur on this frame',
        'Check the left wrist',
      ]);
      expect(again.notCarried).toEqual([
        expect.objectContaining({
          comment: expect.objectContaining({ text: 'Which verb is this?' }) as unknown,
          why: 'Segment seg1 is no longer in the labels.',
        }),
      ]);
      const reopened = await reviewer.handlers.openReview({ setId });
      expect(reopened.changesSince?.revision).toBe(1);
      expect(reopened.changesSince?.entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ what: 'keyframe', kind: 'changed', frame: 1 }),
          expect.objectContaining({ what: 'segment', kind: 'removed', id: 'seg1' }),
        ]),
      );
      expect(await reviewer.handlers.submitReview({ setId, verdict: 'accept' })).toEqual({
        queued: true,
        comments: 2,
      });
      await reviewer.sync.syncNow(10_000);
      await reviewer.sync.syncNow(10_000);
      expect(reviewer.sync.status().pending).toBe(0);

      // The server holds each step once: two pushes, the lead's review and the second accept.
      expect(await reviewsOn(setId)).toBe(2);
      const stored = await serverDb.query<{ verdict: string; comments: { text: string }[] }>(
        'SELECT verdict, comments FROM reviews WHERE set_id = $1 ORDER BY revision',
        [setId],
      );
      expect(stored.map((r) => r.verdict)).toEqual(['request_changes', 'accept']);
      expect(stored[1]?.comments.map((c) => c.text)).toEqual([
        'Blur on this frame',
        'Check the left wrist',
      ]);
      expect(
        await count(serverDb, 'SELECT count(*)::int AS n FROM set_versions WHERE set_id = $1', [
          setId,
        ]),
      ).toBe(2);
      await annotator.sync.syncNow(10_000);
      expect(
        annotator.services.store.labels.openAnnotationSet(clipIdOf(staleClip), 'ann1', 'default')
          .status,
      ).toBe('accepted');
      expect(await reviewer.handlers.listReviewQueue({})).toEqual([]);

      const audit = reviewer.services.store.audit.list({ limit: 50 }).map((e) => e.action);
      for (const action of [
        'review.verdict_refused',
        'review.review_again',
        'review.accept',
        'review.verdict_delivered',
      ]) {
        expect(audit.filter((a) => a === action)).toHaveLength(action === 'review.accept' ? 2 : 1);
      }
    } finally {
      annotator.services.close();
      reviewer.services.close();
      lead.services.close();
    }
  });
});
