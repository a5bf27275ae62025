import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { SyncService } from '../../../src/main/services/sync/syncService';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  LEFT_HAND_TEMPLATE_ID,
  type Command,
  type LabelsDocument,
} from '../../../src/shared/domain/labels';
import { clipRefOf, startTeamServer, type TeamServer } from '../server/serverHarness';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const PERSON = '7d3f2a1b-9c8e-4f6d-a5b4-3c2d1e0f9a8b';
const HAND = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const addTracks: Command = {
  type: 'batch',
  commands: [
    {
      type: 'addTrack',
      track: {
        id: PERSON,
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person 1',
        color: '#3366cc',
        keyframes: [],
      },
    },
    {
      type: 'addTrack',
      track: {
        id: HAND,
        kind: 'left_hand',
        templateId: LEFT_HAND_TEMPLATE_ID,
        label: 'Left hand 1',
        color: '#33cc66',
        keyframes: [],
      },
    },
  ],
};
const pose = (x: number): Command => ({
  type: 'setKeyframe',
  trackId: PERSON,
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

const trackIds = (doc: LabelsDocument | null | undefined) => doc?.tracks.map((t) => t.id);

describe('a track keeps the id it was created with, on every machine and revision', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-track-ids-'));
  const clip = clipRefOf('track-ids-clip');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([clip]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workstation = (name: string, actor: string, token: string) => {
    const services = createServices({ databasePath: join(dir, `${name}.sqlite`), actor });
    services.sync.stop();
    const sync = new SyncService({
      store: services.store,
      actor,
      backoff: { baseMs: 5, capMs: 50 },
    });
    sync.signIn(server.url, token);
    return { services, sync, handlers: services.handlers };
  };

  it('through push, the review queue, a request for changes, the resubmission and acceptance', async () => {
    const localSet =
      seedWorkstation(join(dir, 'annotator.sqlite'), [clip], 'annotator-1', { submit: false }).get(
        clip,
      ) ?? '';
    const annotator = workstation('annotator', 'annotator-1', server.team.tokens.ann1);
    const reviewer = workstation('reviewer', 'reviewer-1', server.team.tokens.rev1);
    const labels = annotator.services.store.labels;
    const serverRevisions = async () =>
      (
        await server.db.query<{ revision: number; labels: LabelsDocument }>(
          'SELECT v.revision, v.labels FROM set_versions v ORDER BY v.revision',
        )
      ).map((row) => [row.revision, trackIds(row.labels)]);
    try {
      labels.applyLabelEdit(localSet, addTracks, 0, 'annotator-1');
      labels.applyLabelEdit(localSet, pose(10), 1, 'annotator-1');
      expect(labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      await annotator.sync.syncNow(10_000);

      await reviewer.sync.syncNow(10_000);
      const [entry] = await reviewer.handlers.listReviewQueue({});
      const setId = entry?.setId ?? '';
      expect(trackIds((await reviewer.handlers.openReview({ setId })).labels)).toEqual([
        PERSON,
        HAND,
      ]);
      await reviewer.handlers.submitReview({ setId, verdict: 'request_changes', reason: 'Wrist' });
      await reviewer.sync.syncNow(10_000);

      await annotator.sync.syncNow(10_000);
      labels.applyLabelEdit(localSet, pose(12), 2, 'annotator-1');
      expect(labels.submitAnnotationSet(localSet, 'annotator-1').submitted).toBe(true);
      await annotator.sync.syncNow(10_000);

      await reviewer.sync.syncNow(10_000);
      const reopened = await reviewer.handlers.openReview({ setId });
      expect(trackIds(reopened.labels)).toEqual([PERSON, HAND]);
      await reviewer.handlers.submitReview({ setId, verdict: 'accept' });
      await reviewer.sync.syncNow(10_000);
      await annotator.sync.syncNow(10_000);

      // Every revision the server holds, and the annotator's accepted set, name the same tracks.
      const revisions = await serverRevisions();
      expect(revisions.length).toBeGreaterThanOrEqual(2);
      for (const [, ids] of revisions) expect(ids).toEqual([PERSON, HAND]);
      // Made under the OS user ('annotator-1'), taken over by ann1, the first account here.
      const accepted = labels.openAnnotationSet(clipIdOf(clip), 'ann1', 'default');
      expect(accepted.status).toBe('accepted');
      expect(trackIds(labels.loadLabels(localSet).doc)).toEqual([PERSON, HAND]);
    } finally {
      annotator.services.close();
      reviewer.services.close();
    }
  });
});
