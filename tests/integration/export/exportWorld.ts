import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { DEFAULT_PROJECT_ID } from '../../../src/main/services/labels/defaultProject';
import type { Command, Keypoint, Track } from '../../../src/shared/domain/labels';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  LEFT_HAND_TEMPLATE_ID,
  MEDIAPIPE_HAND_KEYPOINTS,
} from '../../../src/shared/domain/labels';
import { fixtureBatch, tempDir } from '../fixturePaths';

export type Consent = {
  id: string;
  scope: string[];
  grantedAt: string;
  expiresAt?: string | null;
  withdrawn?: boolean;
};

/** A batch folder to import: its clips (fixture names), and its manifest's consent. */
export type BatchSpec = {
  name: string;
  files: readonly string[];
  /** 'none': a manifest without consent; 'no-manifest': no batch.json at all. */
  consent: Consent | 'none' | 'no-manifest';
  /** The contributor's region in the manifest; 'PT' when not given. */
  region?: string;
};

export type World = {
  services: Services;
  root: string;
  databasePath: string;
  /** `<batch name>/<file>` → ids. */
  clips: Map<string, { clipId: string; batchId: string }>;
  remove: () => void;
};

export const VALID_CONSENT: Consent = {
  id: 'consent-ok',
  scope: ['training', 'research'],
  grantedAt: '2020-01-01',
  expiresAt: null,
};

/** Real SQLite file, real fixture videos imported through the import service, checksums done. */
export async function buildWorld(batches: readonly BatchSpec[], prefix = 'export'): Promise<World> {
  const dir = tempDir(prefix);
  const databasePath = join(dir.path, 'db', 'framewise.sqlite');
  const services = createServices({ databasePath, actor: 'annotator_a' });
  const clips = new Map<string, { clipId: string; batchId: string }>();
  for (const batch of batches) {
    const folder = join(dir.path, 'batches', batch.name);
    mkdirSync(folder, { recursive: true });
    for (const file of batch.files) cpSync(join(fixtureBatch, file), join(folder, file));
    if (batch.consent !== 'no-manifest') {
      writeFileSync(
        join(folder, 'batch.json'),
        JSON.stringify({
          version: 1,
          batchId: batch.name,
          contributor: { pseudonym: `contrib_${batch.name}`, region: batch.region ?? 'PT' },
          ...(batch.consent === 'none' ? {} : { consent: batch.consent }),
          clips: batch.files.map((path) => ({ path })),
        }),
      );
    }
    const report = await services.handlers.importBatch({ folder });
    for (const file of report.files) {
      if (file.status !== 'ok') throw new Error(`${file.relativePath} did not import`);
      clips.set(`${batch.name}/${file.relativePath}`, {
        clipId: file.clipId,
        batchId: report.batch.id,
      });
    }
  }
  await services.checksums.whenIdle();
  return {
    services,
    root: dir.path,
    databasePath,
    clips,
    remove: () => {
      services.close();
      dir.remove();
    },
  };
}

function point(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

/**
 * A person (COCO-17) with keyframes at 0, 10 and 20 — frames between are interpolated — where
 * point 3 is never labeled (v = 0) and point 4 occluded; and a left hand with keyframes at 5, 15.
 */
export function sampleTracks(offset = 0): Track[] {
  const body = (frame: number, dx: number) => ({
    frame,
    points: COCO_BODY_KEYPOINTS.map((_, i) =>
      i === 3
        ? point(0, 0, 'unlabeled')
        : point(100 + i * 7 + dx + offset, 50 + i * 9 + dx / 2, i === 4 ? 'occluded' : 'visible'),
    ),
  });
  const hand = (frame: number, dx: number) => ({
    frame,
    points: MEDIAPIPE_HAND_KEYPOINTS.map((_, i) => point(30 + i * 2 + dx, 200 + i + dx)),
  });
  return [
    {
      id: 'person-1',
      kind: 'person',
      templateId: COCO_BODY_TEMPLATE_ID,
      label: 'Person 1',
      color: '#e6194b',
      keyframes: [body(0, 0), body(10, 13.3), body(20, 40)],
    },
    {
      id: 'hand-left-1',
      kind: 'left_hand',
      templateId: LEFT_HAND_TEMPLATE_ID,
      label: 'Left hand',
      color: '#3cb44b',
      keyframes: [hand(5, 0), hand(15, 21)],
    },
  ];
}

/**
 * Labels a clip through the store's command path (tracks, a segment, a contact) and moves the set
 * along the review cycle to `status` (a reviewer other than the annotator accepts).
 */
export function labelClip(
  world: World,
  clipId: string,
  status: 'in_progress' | 'submitted' | 'accepted' = 'accepted',
  tracks: Track[] = sampleTracks(),
  projectId = DEFAULT_PROJECT_ID,
): string {
  const { store } = world.services;
  const set = store.labels.openAnnotationSet(clipId, 'annotator_a', projectId);
  const personId = tracks.find((t) => t.kind === 'person')?.id ?? 'person-1';
  const handId = tracks.find((t) => t.kind !== 'person')?.id ?? 'hand-left-1';
  const command: Command = {
    type: 'batch',
    commands: [
      ...tracks.map((track): Command => ({ type: 'addTrack', track })),
      {
        type: 'addSegment',
        segment: {
          id: 'seg-1',
          startFrame: 2,
          endFrame: 18,
          verbId: 0,
          nounId: 1,
          actor: personId,
          note: '',
        },
      },
      {
        type: 'setContact',
        contact: {
          id: 'contact-1',
          trackId: handId,
          // Between the hand's keyframes (5 and 15): its box there is an interpolated one.
          startFrame: 8,
          endFrame: 12,
          state: 3,
          object: { box: { x: 10, y: 20, w: 30, h: 40 }, classId: 0 },
          segmentId: 'seg-1',
        },
      },
    ],
  };
  store.labels.applyLabelEdit(set.id, command, 0, 'annotator_a');
  if (status !== 'in_progress')
    store.labels.transitionAnnotationSet(set.id, 'submitted', 'annotator_a');
  if (status === 'accepted')
    store.labels.transitionAnnotationSet(set.id, ['in_review', 'accepted'], 'reviewer_b');
  return set.id;
}
