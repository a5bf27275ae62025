import { describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES, type Keyframe, type Keypoint, type Track } from '../domain/labels';
import { exportLabelsFor, type ClipLabels } from './clipLabels';
import { cocoKeypointsChunks } from './cocoKeypoints';
import { readCocoKeypoints } from './cocoKeypointsReader';

const labels = exportLabelsFor(BUILT_IN_TEMPLATES);

function point(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function keyframe(frame: number, count: number, at: (i: number) => Keypoint): Keyframe {
  return { frame, points: Array.from({ length: count }, (_, i) => at(i)) };
}

function track(id: string, kind: Track['kind'], templateId: string, keyframes: Keyframe[]): Track {
  return { id, kind, templateId, label: id, color: '#ff0000', keyframes };
}

// Every slot decided, with 2-decimal coordinates, so the round trip is exact.
const person = track('p1', 'person', 'coco17-body', [
  keyframe(0, 17, (i) => (i % 5 === 4 ? point(0, 0, 'unlabeled') : point(10 + i, 20.5 + i))),
  keyframe(10, 17, (i) =>
    i % 5 === 4 ? point(0, 0, 'unlabeled') : point(30 + i, 40.25, i === 0 ? 'occluded' : 'visible'),
  ),
  keyframe(13, 17, (i) => point(1.5 * i, 2 * i)),
]);
const leftHand = track('lh', 'left_hand', 'mediapipe21-left-hand', [
  keyframe(2, 21, (i) => point(200 + i, 300)),
  keyframe(6, 21, (i) => point(210 + i, 310)),
]);
const rightHand = track('rh', 'right_hand', 'mediapipe21-right-hand', [
  keyframe(3, 21, (i) => point(i, i)),
]);

function clip(videoId: string, tracks: Track[], handOwners?: Record<string, string>): ClipLabels {
  return {
    videoId,
    width: 640,
    height: 480,
    frameTimes: Array.from({ length: 30 }, (_, i) => i / 30),
    tracks,
    ...(handOwners ? { handOwners } : {}),
  };
}

function write(clips: ClipLabels[]): string {
  return [...cocoKeypointsChunks({ info: {}, categories: labels, clips: () => clips })].join('');
}

describe('readCocoKeypoints', () => {
  it('round-trips keyframes of body and hand tracks, owned or not, across videos', () => {
    const text = write([
      clip('a', [person, leftHand, rightHand], { lh: 'p1' }),
      clip('b', [rightHand]),
    ]);
    const videos = readCocoKeypoints(text, labels, { keyframesOnly: true });
    expect(videos.map((v) => v.videoId)).toEqual(['a', 'b']);
    const [a, b] = videos;
    expect(a).toMatchObject({ width: 640, height: 480 });
    const byId = new Map(a?.tracks.map((t) => [t.id, t]));
    expect(byId.get('p1')).toMatchObject({ kind: 'person', templateId: 'coco17-body' });
    expect(byId.get('p1')?.keyframes).toEqual(person.keyframes);
    expect(byId.get('lh')).toMatchObject({
      kind: 'left_hand',
      templateId: 'mediapipe21-left-hand',
    });
    expect(byId.get('lh')?.keyframes).toEqual(leftHand.keyframes);
    expect(byId.get('rh')?.keyframes).toEqual(rightHand.keyframes);
    expect(b?.tracks[0]?.keyframes).toEqual(rightHand.keyframes);
  });

  it('reads no keyframes from hands written with a box and no point (box tracks only)', () => {
    const boxOnly = track('bh', 'right_hand', 'mediapipe21-right-hand', []);
    const ownedBoxOnly = track('bl', 'left_hand', 'mediapipe21-left-hand', []);
    const box = (id: string, subjectId: string) => ({
      id,
      kind: 'hand' as const,
      label: id,
      color: '#ff0000',
      subjectId,
      keyframes: [{ frame: 1, box: { x: 5, y: 5, w: 10, h: 10 } }],
    });
    const text = write([
      {
        ...clip('a', [person, ownedBoxOnly, boxOnly], { bl: 'p1' }),
        boxTracks: [box('b1', 'bl'), box('b2', 'bh')],
      },
    ]);
    // Both hands are in the file (their boxes), yet neither becomes a track of undecided points.
    expect(text).toContain('"lefthand_valid":true');
    expect(text).toContain('"track_uid":"bh"');
    const [video] = readCocoKeypoints(text, labels, { keyframesOnly: true });
    expect(video?.tracks.map((t) => t.id)).toEqual(['p1']);
  });

  it('gives read tracks the id they were written with and the name people gave them', () => {
    const uuid = '2d7f4b8e-5c1a-4e2b-9f3d-7a6c5b4e3d21';
    const handUuid = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const named = { ...person, id: uuid, label: 'Cook' };
    const hand = { ...leftHand, id: handUuid, label: 'Left hand 1' };
    const [video] = readCocoKeypoints(
      write([clip('a', [named, hand], { [handUuid]: uuid })]),
      labels,
      {
        keyframesOnly: true,
      },
    );
    expect(video?.tracks.map((t) => [t.id, t.label])).toEqual([
      [uuid, 'Cook'],
      [handUuid, 'Left hand 1'],
    ]);
  });

  it('makes every written frame a keyframe without keyframesOnly, with the interpolated points', () => {
    const [video] = readCocoKeypoints(write([clip('a', [person])]), labels);
    const keyframes = video?.tracks[0]?.keyframes ?? [];
    expect(keyframes.map((k) => k.frame)).toEqual([...Array(14).keys()]);
    // Halfway between (10, 20.5) and (30, 40.25), occluded at one end; y rounds to 2 decimals.
    expect(keyframes[5]?.points[0]).toEqual(point(20, 30.38, 'occluded'));
  });

  it('places keypoints by name when the file lists them in another order', () => {
    const names = BUILT_IN_TEMPLATES[0]?.keypoints ?? [];
    const reversed = [...names].reverse();
    const file = {
      categories: [{ id: 1, name: 'person', keypoints: reversed, skeleton: [] }],
      images: [{ id: 1, width: 10, height: 10, video_id: 'v', frame_index: 4 }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          track_id: 7,
          // Last in the file is "nose", first in the template.
          keypoints: [...Array.from({ length: 48 }, () => 0), 5, 6, 2],
        },
      ],
    };
    const [video] = readCocoKeypoints(JSON.stringify(file), labels);
    const keyframe0 = video?.tracks[0]?.keyframes[0];
    expect(video?.tracks[0]?.id).toBe('7');
    expect(keyframe0?.frame).toBe(4);
    expect(keyframe0?.points[0]).toEqual(point(5, 6));
    expect(keyframe0?.points[16]).toEqual(point(0, 0, 'unlabeled'));
  });

  it('explains what is wrong with a file it cannot read', () => {
    expect(() => readCocoKeypoints('{', labels)).toThrow(/not valid JSON/);
    expect(() =>
      readCocoKeypoints(
        '{"categories":[],"images":[{"id":1,"width":1,"height":1}],"annotations":[]}',
        labels,
      ),
    ).toThrow(/frame_index/);
    const base = JSON.parse(write([clip('a', [person])])) as {
      annotations: { keypoints: number[]; track_name?: string }[];
    };
    const short = structuredClone(base);
    (short.annotations[0] as { keypoints: number[] }).keypoints = [1, 2, 2];
    expect(() => readCocoKeypoints(JSON.stringify(short), labels)).toThrow(
      /3 keypoint numbers; its category needs 51/,
    );
    const twice = structuredClone(base);
    twice.annotations.push(twice.annotations[0] as { keypoints: number[] });
    expect(() => readCocoKeypoints(JSON.stringify(twice), labels)).toThrow(
      /two annotations on frame 0/,
    );
    const unknown = {
      categories: [{ id: 1, name: 'car', keypoints: ['wheel'] }],
      images: [],
      annotations: [],
    };
    expect(() => readCocoKeypoints(JSON.stringify(unknown), labels)).toThrow(/matches no template/);
  });
});
