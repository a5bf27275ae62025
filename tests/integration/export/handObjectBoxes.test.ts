import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import type { Command } from '../../../src/shared/domain/labels';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, labelClip, VALID_CONSENT, type World } from './exportWorld';

/**
 * Issue #16, point 6: a set labeled before box tracks (its command log holds a contact with one
 * static object box) is edited on with version 2 commands — a keyframed hand box, a hand linked
 * to its person, the old contact's object turned into a box track — then read back by a fresh
 * process from the same SQLite file (snapshot plus replayed log) and exported.
 */

type Json = Record<string, unknown>;

let w: World;
let hands: { version: number; videos: { hands: Json[] }[] };
let coco: { images: Json[]; annotations: Json[] };

beforeAll(async () => {
  requireFixtures();
  w = await buildWorld([{ name: 'b', files: ['cfr30.mp4'], consent: VALID_CONSENT }], 'hand-boxes');
  const { clipId } = w.clips.get('b/cfr30.mp4') ?? { clipId: '' };
  // Version 1 labels: a person, a left hand, and contact-1 (frames 8–12) with a static box.
  const setId = labelClip(w, clipId, 'in_progress');
  const v2: Command = {
    type: 'batch',
    commands: [
      { type: 'linkHand', trackId: 'hand-left-1', link: { kind: 'person', trackId: 'person-1' } },
      {
        type: 'addBoxTrack',
        track: {
          id: 'hand-box-1',
          kind: 'hand',
          label: 'Left hand box',
          color: '#3cb44b',
          subjectId: 'hand-left-1',
          keyframes: [
            { frame: 8, box: { x: 20, y: 190, w: 40, h: 40 } },
            { frame: 12, box: { x: 60, y: 190, w: 40, h: 40 } },
            { frame: 16, absent: true },
          ],
        },
      },
      {
        type: 'addBoxTrack',
        track: {
          id: 'object-1',
          kind: 'object',
          label: 'Object 1',
          color: '#f58231',
          subjectId: null,
          keyframes: [
            { frame: 8, box: { x: 10, y: 20, w: 30, h: 40 } },
            { frame: 12, box: { x: 50, y: 20, w: 30, h: 40 } },
          ],
        },
      },
    ],
  };
  const { store } = w.services;
  const first = store.labels.applyLabelEdit(setId, v2, 1, 'annotator_a');
  const contact = store.labels.loadLabels(setId).doc.contacts[0];
  if (!contact) throw new Error('labelClip made no contact');
  store.labels.applyLabelEdit(
    setId,
    { type: 'setContact', contact: { ...contact, object: { classId: 0, boxTrackId: 'object-1' } } },
    first.seq,
    'annotator_a',
  );
  store.labels.transitionAnnotationSet(setId, 'submitted', 'annotator_a');
  w.services.close();

  // Another process opens the same file: the document is rebuilt from the stored log.
  const again = createServices({ databasePath: w.databasePath, actor: 'annotator_a' });
  try {
    const out = join(w.root, 'out');
    await again.exports.run(
      ExportRequest.parse({ formats: ['hands', 'coco'], destination: out, status: 'submitted' }),
    );
    hands = JSON.parse(readFileSync(join(out, 'hand_object.json'), 'utf8')) as typeof hands;
    coco = JSON.parse(readFileSync(join(out, 'coco_keypoints.json'), 'utf8')) as typeof coco;
  } finally {
    again.close();
  }
});
// The first services were closed above; only the folder is left to remove.
afterAll(() => rmSync(w.root, { recursive: true, force: true }));

describe('a version 1 set edited with box tracks, reopened and exported', () => {
  it('writes the hand box and the object box of every frame of the contact', () => {
    expect(hands.version).toBe(2);
    const [hand] = hands.videos[0]?.hands ?? [];
    expect(hand).toMatchObject({
      track_id: 'hand-left-1',
      link: { kind: 'person', track_uid: 'person-1', track_name: 'Person 1' },
    });
    const [contact] = (hand?.contacts ?? []) as Json[];
    expect(contact).toMatchObject({
      start_frame: 8,
      end_frame: 12,
      hand_box: [20, 190, 40, 40],
      object: { bbox: [10, 20, 30, 40], box_track_uid: 'object-1' },
    });
    expect(contact?.frames).toEqual(
      [8, 9, 10, 11, 12].map((frame) => ({
        frame,
        sec: expect.any(Number) as unknown,
        hand_box: [20 + (frame - 8) * 10, 190, 40, 40],
        object_bbox: [10 + (frame - 8) * 10, 20, 30, 40],
      })),
    );
  });

  it("writes the hand box track's box as the person's COCO-WholeBody left hand box", () => {
    const imageOf = new Map(coco.images.map((i) => [i.id, i.frame_index]));
    const person = (frame: number) =>
      coco.annotations.find((a) => a.category_id === 1 && imageOf.get(a.image_id) === frame);
    expect(person(10)).toMatchObject({ lefthand_valid: true, lefthand_box: [40, 190, 40, 40] });
    // Held after its last keyframe (over the keypoints' box) until it leaves the picture at 16,
    // where the hand's keypoints have ended too: no hand there.
    expect(person(15)).toMatchObject({ lefthand_valid: true, lefthand_box: [60, 190, 40, 40] });
    expect(person(16)).toMatchObject({ lefthand_valid: false, lefthand_box: [0, 0, 0, 0] });
  });
});
