import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  poseAt,
  type Keyframe,
  type Keypoint,
  type Track,
} from '../domain/labels';
import { exportLabelsFor, type ClipLabels } from './clipLabels';
import { clipLabelsOf } from './exportRecords';
import { cocoImageId } from './cocoImageId';
import { cocoKeypointsChunks } from './cocoKeypoints';

const labels = exportLabelsFor(BUILT_IN_TEMPLATES);

function point(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function keyframe(frame: number, count: number, at: (i: number) => Keypoint | null): Keyframe {
  return { frame, points: Array.from({ length: count }, (_, i) => at(i)) };
}

function track(id: string, kind: Track['kind'], templateId: string, keyframes: Keyframe[]): Track {
  return { id, kind, templateId, label: id, color: '#ff0000', keyframes };
}

/** Person: keyframes at 2 and 12; point 0 moves 10 → 30, point 1 occluded at 12, point 2 unlabeled. */
const person = track('p1', 'person', 'coco17-body', [
  keyframe(2, 17, (i) =>
    i === 0 ? point(10, 20) : i === 1 ? point(100, 100) : i === 2 ? point(5, 5, 'unlabeled') : null,
  ),
  keyframe(12, 17, (i) =>
    i === 0
      ? point(30, 40)
      : i === 1
        ? point(110, 90, 'occluded')
        : i === 2
          ? point(5, 5, 'unlabeled')
          : null,
  ),
]);

function clip(overrides: Partial<ClipLabels> = {}): ClipLabels {
  return {
    videoId: 'vid_a',
    width: 640,
    height: 480,
    frameTimes: Array.from({ length: 20 }, (_, i) => i / 30 + 0.0005),
    tracks: [person],
    ...overrides,
  };
}

type Parsed = {
  categories: { id: number; name: string; keypoints: string[]; skeleton: number[][] }[];
  images: Record<string, unknown>[];
  annotations: Record<string, unknown>[];
};

function write(clips: ClipLabels[]): Parsed {
  const text = [
    ...cocoKeypointsChunks({ info: { description: 't' }, categories: labels, clips: () => clips }),
  ].join('');
  return JSON.parse(text) as Parsed;
}

describe('cocoKeypointsChunks', () => {
  it('writes one image per frame of the span with frame index, timestamp and interpolation flag', () => {
    const out = write([clip()]);
    expect(out.images).toHaveLength(11);
    expect(out.images[0]).toEqual({
      id: cocoImageId('vid_a', 2),
      width: 640,
      height: 480,
      file_name: 'vid_a/000002.jpg',
      video_id: 'vid_a',
      frame_index: 2,
      timestamp: 0.067167,
      interpolated: false,
    });
    expect(out.images[5]).toMatchObject({ frame_index: 7, interpolated: true });
    expect(out.images[10]).toMatchObject({ frame_index: 12, interpolated: false });
  });

  it('writes interpolated points on in-between frames, not the previous keyframe', () => {
    const out = write([clip()]);
    const mid = out.annotations[5] as {
      keypoints: number[];
      interpolated: boolean;
      image_id: number;
    };
    expect(mid.image_id).toBe(cocoImageId('vid_a', 7));
    expect(mid.interpolated).toBe(true);
    // Halfway between frames 2 and 12: point 0 (10,20)→(30,40), point 1 occluded at one end.
    expect(mid.keypoints.slice(0, 9)).toEqual([20, 30, 2, 105, 95, 1, 0, 0, 0]);
    const expected = poseAt(person, 7);
    expect(expected?.points[0]).toMatchObject({ x: 20, y: 30 });
  });

  it('follows COCO: 3·K numbers in template order, v 0 with x = y = 0, num_keypoints counts v > 0', () => {
    const out = write([clip()]);
    const first = out.annotations[0] as Record<string, unknown> & { keypoints: number[] };
    expect(first.keypoints).toHaveLength(51);
    expect(first.keypoints.slice(0, 9)).toEqual([10, 20, 2, 100, 100, 2, 0, 0, 0]);
    expect(first.keypoints.slice(9).every((n) => n === 0)).toBe(true);
    expect(first).toMatchObject({
      id: 1,
      image_id: cocoImageId('vid_a', 2),
      category_id: 1,
      num_keypoints: 2,
      bbox: [10, 20, 90, 80],
      area: 7200,
      iscrowd: 0,
      track_id: 0,
      track_name: 'p1',
      track_uid: 'p1',
      lefthand_valid: false,
      lefthand_box: [0, 0, 0, 0],
    });
    expect(first.lefthand_kpts).toEqual(new Array(63).fill(0));
  });

  it('writes categories with the template keypoints and 1-based skeleton', () => {
    const out = write([clip()]);
    const person = out.categories[0];
    expect(person).toMatchObject({ id: 1, name: 'person' });
    expect(person?.keypoints[0]).toBe('nose');
    expect(person?.skeleton[0]).toEqual([16, 14]);
    expect(out.categories.map((c) => c.name)).toEqual([
      'person',
      'mediapipe21-left-hand',
      'mediapipe21-right-hand',
    ]);
  });

  it('rounds coordinates to 2 decimals', () => {
    const odd = track('p2', 'person', 'coco17-body', [
      keyframe(0, 17, (i) => (i === 0 ? point(1.23456, 2.98765) : point(3, 4, 'unlabeled'))),
    ]);
    const out = write([clip({ tracks: [odd] })]);
    expect((out.annotations[0] as { keypoints: number[] }).keypoints.slice(0, 3)).toEqual([
      1.23, 2.99, 2,
    ]);
  });

  it('skips frames where no point is placed rather than writing empty annotations', () => {
    const empty = track('p3', 'person', 'coco17-body', [
      keyframe(0, 17, () => point(0, 0, 'unlabeled')),
      keyframe(4, 17, () => null),
    ]);
    const out = write([clip({ tracks: [empty, person] })]);
    expect(out.images[0]).toMatchObject({ frame_index: 2 });
    expect(out.annotations.every((a) => a.track_name === 'p1')).toBe(true);
  });

  it('attaches an owned hand as COCO-WholeBody fields and writes an unowned hand on its own', () => {
    const left = track('lh', 'left_hand', 'mediapipe21-left-hand', [
      keyframe(2, 21, (i) => point(200 + i, 300)),
    ]);
    const right = track('rh', 'right_hand', 'mediapipe21-right-hand', [
      keyframe(2, 21, (i) => (i === 0 ? point(50, 60, 'occluded') : null)),
    ]);
    const out = write([clip({ tracks: [person, left, right], handOwners: { lh: 'p1' } })]);
    const onFrame2 = out.annotations.filter((a) => a.image_id === cocoImageId('vid_a', 2));
    expect(onFrame2).toHaveLength(2);
    const body = onFrame2[0] as Record<string, unknown> & { lefthand_kpts: number[] };
    expect(body.lefthand_valid).toBe(true);
    expect(body.lefthand_kpts.slice(0, 6)).toEqual([200, 300, 2, 201, 300, 2]);
    expect(body.lefthand_box).toEqual([200, 300, 20, 0]);
    expect(body.lefthand_track_name).toBe('lh');
    expect(body.lefthand_track_uid).toBe('lh');
    expect(body.righthand_valid).toBe(false);
    const hand = onFrame2[1] as Record<string, unknown> & { keypoints: number[] };
    expect(hand).toMatchObject({ category_id: 3, track_kind: 'right_hand', num_keypoints: 1 });
    expect(hand.keypoints).toHaveLength(63);
    expect(hand.keypoints.slice(0, 3)).toEqual([50, 60, 1]);
  });

  it("takes hand boxes from hand box tracks, linked hands as their person's, wearer's hands alone", () => {
    const second = { ...person, id: 'p2', label: 'Second' };
    // Hands labeled with boxes only: no keypoints at all.
    const left: Track = {
      ...track('lh', 'left_hand', 'mediapipe21-left-hand', []),
      link: { kind: 'person', trackId: 'p2' },
    };
    const right: Track = {
      ...track('rh', 'right_hand', 'mediapipe21-right-hand', []),
      link: { kind: 'camera_wearer' },
    };
    const labelsOf = clipLabelsOf({
      videoId: 'vid_a',
      width: 640,
      height: 480,
      frameTimes: Array.from({ length: 20 }, (_, i) => i / 30),
      doc: {
        tracks: [person, second, left, right],
        segments: [],
        contacts: [],
        boxTracks: [
          {
            id: 'lb',
            kind: 'hand',
            label: 'lh box',
            color: '#ff0000',
            subjectId: 'lh',
            keyframes: [
              { frame: 2, box: { x: 10, y: 10, w: 20, h: 20 } },
              { frame: 12, box: { x: 30, y: 10, w: 20, h: 40 } },
            ],
          },
          {
            id: 'rb',
            kind: 'hand',
            label: 'rh box',
            color: '#00ff00',
            subjectId: 'rh',
            keyframes: [
              { frame: 4, box: { x: 300, y: 200, w: 50, h: 60 } },
              { frame: 6, absent: true },
            ],
          },
        ],
      },
    });
    // Two people: without the links no hand would be anybody's.
    expect(labelsOf.handOwners).toEqual({ lh: 'p2' });
    const out = write([labelsOf]);
    const onFrame = (frame: number) =>
      out.annotations.filter((a) => a.image_id === cocoImageId('vid_a', frame));
    const [first, owner] = onFrame(7) as (Record<string, unknown> & { lefthand_kpts: number[] })[];
    expect(first).toMatchObject({
      track_uid: 'p1',
      lefthand_valid: false,
      lefthand_box: [0, 0, 0, 0],
    });
    // Frame 7 is halfway between the hand box's keyframes at 2 and 12.
    expect(owner).toMatchObject({
      track_uid: 'p2',
      lefthand_valid: true,
      lefthand_box: [20, 10, 20, 30],
      lefthand_track_name: 'lh',
      lefthand_interpolated: true,
    });
    expect(owner?.lefthand_kpts).toEqual(new Array<number>(63).fill(0));
    // The wearer's right hand is an annotation of its own, box only, on frames 4–5.
    const wearer = onFrame(4).find((a) => a.track_uid === 'rh');
    expect(wearer).toMatchObject({
      category_id: 3,
      bbox: [300, 200, 50, 60],
      area: 3000,
      num_keypoints: 0,
      interpolated: false,
    });
    expect(onFrame(5).some((a) => a.track_uid === 'rh')).toBe(true);
    expect(onFrame(6).some((a) => a.track_uid === 'rh')).toBe(false);
  });

  it('numbers annotations across clips and refuses a changed second pass', () => {
    const out = write([clip(), clip({ videoId: 'vid_b' })]);
    expect(out.images).toHaveLength(22);
    expect(out.images[11]).toMatchObject({ video_id: 'vid_b', frame_index: 2 });
    expect(out.annotations[11]).toMatchObject({ id: 12, image_id: out.images[11]?.id });

    let calls = 0;
    const unstable = (): ClipLabels[] => (calls++ === 0 ? [clip()] : [clip({ videoId: 'x' })]);
    expect(() => [
      ...cocoKeypointsChunks({ info: {}, categories: labels, clips: unstable }),
    ]).toThrow(/changed between the two passes/);
  });

  it('gives a frame the same image id whichever clips share the export', () => {
    const sha = 'a3f1c2d4'.padEnd(64, '0');
    const alone = write([clip({ videoId: sha })]);
    const withOthers = write([clip({ videoId: 'vid_b' }), clip({ videoId: sha })]);
    const ids = (out: Parsed) =>
      out.images.filter((i) => i.video_id === sha).map((i) => [i.frame_index, i.id]);
    expect(ids(withOthers)).toEqual(ids(alone));
    // The video's 8 leading hex digits, then the frame in the low 21 bits.
    expect(alone.images[0]?.id).toBe(0xa3f1c2d4 * 2 ** 21 + 2);
    expect(Number.isSafeInteger(cocoImageId('f'.repeat(64), 2 ** 21 - 1))).toBe(true);
    const ids2 = new Set(withOthers.images.map((i) => i.id));
    expect(ids2.size).toBe(withOthers.images.length);
  });

  it('refuses two videos whose ids would share image ids rather than writing duplicates', () => {
    const a = 'deadbeef'.padEnd(64, '1');
    const b = 'deadbeef'.padEnd(64, '2');
    expect(() => write([clip({ videoId: a }), clip({ videoId: b })])).toThrow(
      /would share COCO image ids/,
    );
  });

  it('names tracks as people see them, never by their id', () => {
    const unnamed = { ...person, id: '0b6c1e9e-7a4c-4d43-9d8e-0d6f3c1f2a11', label: ' ' };
    const named = { ...person, id: '6f0d9a1c-1b1e-4b7a-a0a2-5b8f7d1e3c22', label: 'Cook' };
    const out = write([clip({ tracks: [unnamed, named] })]);
    const byUid = new Map(out.annotations.map((a) => [a.track_uid, a.track_name]));
    expect(byUid.get(unnamed.id)).toBe('Person 1');
    expect(byUid.get(named.id)).toBe('Cook');
  });

  it('writes valid JSON for an export without labels', () => {
    const out = write([]);
    expect(out.images).toEqual([]);
    expect(out.annotations).toEqual([]);
  });

  it('refuses a keypoint that is not a finite position rather than writing invalid JSON', () => {
    const broken = track('p4', 'person', 'coco17-body', [
      keyframe(0, 17, (i) => (i === 0 ? point(Number.NaN, 1) : null)),
    ]);
    expect(() => write([clip({ tracks: [broken] })])).toThrow(/not a finite position/);
  });

  it('refuses a label beyond the frame table', () => {
    expect(() => write([clip({ frameTimes: [0, 0.1] })])).toThrow(/frame table has 2 frames/);
  });
});
