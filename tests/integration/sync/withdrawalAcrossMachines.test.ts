import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { KEPT_AFTER_WITHDRAWAL } from '../../../src/main/services/governance/withdrawConsent';
import { auditHead } from '../../../src/server/audit';
import { withdrawConsent } from '../../../src/server/team';
import { COCO_BODY_TEMPLATE_ID, type Command } from '../../../src/shared/domain/labels';
import { rowsOfClip, type ClipKeys } from '../governance/clipRows';
import { rowCounts } from '../server/migrations/migrationHarness';
import { call, clipRefOf, startTeamServer, type TeamServer } from '../server/serverHarness';
import { placedPose } from '../store/labelsSeed';
import { clipIdOf, seedWorkstation } from './workstationSeed';

// Values that exist nowhere but in what the annotator and the reviewer typed about this clip.
const PLANTED_LABEL = 'planted-track-label-5c1e9a';
const PLANTED_COMMENT = 'planted-comment-text-77d20b';
const PLANTED_REASON = 'planted-reason-text-3fa816';
const PLANTED_FIX = 'planted-fixed-label-e4b7c3';

const person = (id: string, label: string): Command => ({
  type: 'addTrack',
  track: {
    id,
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label,
    color: '#3366cc',
    keyframes: [],
  },
});
const pose = (trackId: string): Command => {
  if (placedPose.type !== 'setKeyframe') throw new Error('placedPose sets a keyframe');
  return { ...placedPose, trackId };
};

/** Every byte of the database file and whatever WAL or journal is left beside it, as text. */
function rawBytes(file: string): string {
  return ['', '-wal', '-journal']
    .map((suffix) => file + suffix)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

function rowsLeft(file: string, clip: ClipKeys): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const left = rowsOfClip(db, clip);
    for (const table of Object.keys(KEPT_AFTER_WITHDRAWAL)) Reflect.deleteProperty(left, table);
    return left;
  } finally {
    db.close();
  }
}

describe('a consent withdrawn on the server, synced by an annotator and a reviewer (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-withdraw-across-'));
  const clip = clipRefOf('withdrawn-after-review');
  const annotatorFile = join(dir, 'annotator.sqlite');
  const reviewerFile = join(dir, 'reviewer.sqlite');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([clip]);
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workstation = (file: string, actor: string, token: string): Services => {
    const services = createServices({ databasePath: file, actor });
    services.sync.signIn(server.url, token);
    return services;
  };

  it('leaves no row about the clip on either workstation, and none of its text in either file', async () => {
    const localSet =
      seedWorkstation(annotatorFile, [clip], 'annotator-1', { submit: false }).get(clip) ?? '';
    const annotator = workstation(annotatorFile, 'annotator-1', server.team.tokens.ann1);
    const reviewer = workstation(reviewerFile, 'reviewer-1', server.team.tokens.rev1);
    let serverSetId = '';
    try {
      // The annotator labels and submits revision 1.
      const labels = annotator.store.labels;
      labels.applyLabelEdit(localSet, person('p1', PLANTED_LABEL), 0, 'annotator-1');
      labels.applyLabelEdit(localSet, pose('p1'), 1, 'annotator-1');
      expect(labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      expect((await annotator.sync.syncNow(10_000)).delivered).toHaveLength(1);

      // The reviewer comments and asks for changes.
      await reviewer.sync.syncNow(10_000);
      const queue = await reviewer.handlers.listReviewQueue({});
      expect(queue).toEqual([expect.objectContaining({ clipRef: clip, revision: 1 })]);
      serverSetId = queue[0]?.setId ?? '';
      await reviewer.handlers.addReviewComment({
        setId: serverSetId,
        pin: { kind: 'frame', frame: 1 },
        text: PLANTED_COMMENT,
      });
      await reviewer.handlers.submitReview({
        setId: serverSetId,
        verdict: 'request_changes',
        reason: PLANTED_REASON,
      });
      await reviewer.sync.syncNow(10_000);
      expect(reviewer.sync.status().pending).toBe(0);

      // The annotator pulls the review, fixes and resubmits; the reviewer pulls the resubmission.
      await annotator.sync.syncNow(10_000);
      await annotator.sync.syncNow(10_000);
      expect(
        (await annotator.handlers.listComments({ setId: localSet })).map((c) => c.text),
      ).toEqual([PLANTED_COMMENT]);
      const seq = labels.loadLabels(localSet).seq;
      labels.applyLabelEdit(
        localSet,
        { type: 'batch', commands: [person('p2', PLANTED_FIX), pose('p2')] },
        seq,
        'annotator-1',
      );
      expect(labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      await annotator.sync.syncNow(10_000);
      await reviewer.sync.syncNow(10_000);
      expect(await reviewer.handlers.listReviewQueue({})).toEqual([
        expect.objectContaining({ setId: serverSetId, status: 'submitted', openComments: 1 }),
      ]);
      // Before the withdrawal both files hold what was typed (so the scan below can fail).
      expect(rawBytes(reviewerFile)).toContain(PLANTED_COMMENT);
      expect(rawBytes(annotatorFile)).toContain(PLANTED_LABEL);

      // The contributor withdraws on the server; both workstations sync (twice: the second pull
      // finds the server still listing the set in the reviewer's queue).
      await withdrawConsent(server.db, clip, 'contributor asked');
      for (let round = 0; round < 2; round++) {
        await annotator.sync.syncNow(10_000);
        await reviewer.sync.syncNow(10_000);
      }
      expect(await reviewer.handlers.listReviewQueue({})).toEqual([]);

      // The server no longer offers the set to the reviewer, and a late verdict with a comment
      // (a reviewer whose workstation has not synced yet) is refused and changes nothing there.
      const serverQueue = await call(server.url, 'GET', '/v1/review-queue', {
        token: server.team.tokens.rev1,
      });
      expect(serverQueue.status).toBe(200);
      expect(
        (serverQueue.body as { sets: { setId: string }[] }).sets.map((s) => s.setId),
      ).not.toContain(serverSetId);
      const countsBefore = await rowCounts(server.db);
      const headBefore = await auditHead(server.db);
      const lateVerdict = await call(server.url, 'POST', `/v1/sets/${serverSetId}/review`, {
        token: server.team.tokens.rev1,
        key: 'withdrawn-late-verdict',
        body: {
          verdict: 'request_changes',
          baseRevision: 3,
          reason: PLANTED_REASON,
          comments: [{ text: PLANTED_COMMENT, frame: 1 }],
        },
      });
      expect(lateVerdict).toMatchObject({
        status: 410,
        body: { error: { code: 'CONSENT_WITHDRAWN' } },
      });
      // Only the refusal's idempotency key was stored, so a retry is answered alike.
      expect(await rowCounts(server.db)).toEqual({
        ...countsBefore,
        idempotency_keys: (countsBefore.idempotency_keys ?? 0) + 1,
      });
      expect(await auditHead(server.db)).toEqual(headBefore);
    } finally {
      annotator.close();
      reviewer.close();
    }

    expect(
      rowsLeft(annotatorFile, {
        clipId: clipIdOf(clip),
        sha256: clip,
        setIds: [localSet],
        serverSetIds: [serverSetId],
      }),
      'annotator',
    ).toEqual({});
    expect(
      rowsLeft(reviewerFile, {
        clipId: null,
        sha256: clip,
        setIds: [],
        serverSetIds: [serverSetId],
      }),
      'reviewer',
    ).toEqual({});
    for (const file of [annotatorFile, reviewerFile]) {
      const bytes = rawBytes(file);
      for (const planted of [PLANTED_LABEL, PLANTED_FIX, PLANTED_COMMENT, PLANTED_REASON]) {
        expect(bytes.includes(planted), `${planted} in ${file}`).toBe(false);
      }
    }
  });
});
