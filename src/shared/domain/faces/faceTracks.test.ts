import { describe, expect, it } from 'vitest';
import {
  blurRectsAt,
  boxAt,
  endFaceTrack,
  faceBoxTrack,
  faceRecall,
  faceTrackFromBoxTrack,
  iou,
  linkFaceTracks,
  newFaceTrack,
  withFaceBox,
  type FaceBox,
} from './faceTracks';

const box = (x: number, y: number, size = 20, score = 0.9): FaceBox => ({
  x,
  y,
  width: size,
  height: size,
  score,
});

describe('iou', () => {
  it('is 1 for the same box, 0 apart, and the overlap share in between', () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(50, 0))).toBe(0);
    expect(iou(box(0, 0), box(10, 0))).toBeCloseTo(200 / 600);
  });
});

describe('linkFaceTracks', () => {
  it('follows two faces crossing frames without swapping them', () => {
    const frames = [
      [box(0, 0), box(100, 0)],
      [box(104, 2), box(4, 1)],
      [box(8, 2), box(108, 4)],
    ];
    const tracks = linkFaceTracks(frames);
    expect(tracks.map((t) => t.boxes.map((b) => b.x))).toEqual([
      [0, 4, 8],
      [100, 104, 108],
    ]);
    expect(tracks.map((t) => t.id)).toEqual(['face-1', 'face-2']);
  });

  it('bridges a short miss and starts a new track after a long one', () => {
    const frames = new Map<number, FaceBox[]>([
      [0, [box(0, 0)]],
      [3, [box(2, 0)]],
      [20, [box(2, 0)]],
    ]);
    const tracks = linkFaceTracks(frames, { maxGap: 5 });
    expect(tracks.map((t) => t.boxes.map((b) => b.frame))).toEqual([[0, 3], [20]]);
  });
});

describe('blurRectsAt', () => {
  const tracks = linkFaceTracks([[box(10, 10)], [], [box(16, 10)]], { maxGap: 2 });
  const track = tracks[0] ?? { id: 'none', boxes: [] };

  it('interpolates a box on a frame the detector missed inside a track', () => {
    expect(boxAt(track, 1)).toMatchObject({ x: 13, y: 10, width: 20 });
    expect(boxAt(track, 3)).toBeNull();
  });

  it('pads, rounds outward and clips to the frame', () => {
    expect(blurRectsAt([track], 0, { width: 35, height: 100 }, 0.25)).toEqual([
      { x: 5, y: 5, width: 30, height: 30 },
    ]);
    expect(blurRectsAt([track], 5, { width: 35, height: 100 }, 0.25)).toEqual([]);
  });
});

describe('faceRecall', () => {
  it('counts each marked face found by one detection at most', () => {
    const marked = [box(0, 0), box(100, 0), box(200, 0)];
    const detected = [box(2, 2), box(1, 1), box(205, 0), box(400, 0)];
    expect(faceRecall(marked, detected)).toEqual({ found: 2, marked: 3 });
  });
});

describe('face tracks as box tracks', () => {
  const detected = {
    id: 'face-1',
    boxes: [0, 1, 2, 3].map((f) => ({ ...box(10 + f, 10), frame: f })),
  };

  it('leaves the picture the frame after its last box, like a box track ended by absence', () => {
    const boxTrack = faceBoxTrack(detected);
    expect(boxTrack.kind).toBe('face');
    expect(boxTrack.keyframes.at(-1)).toEqual({ frame: 4, absent: true });
    expect(boxAt(detected, 4)).toBeNull();
  });

  it('keys a person’s box on one frame and keeps the detector’s scores elsewhere', () => {
    const edited = withFaceBox(detected, 2, { x: 50, y: 60, w: 30, h: 30 });
    expect(edited.boxes.map((b) => b.score)).toEqual([0.9, 0.9, 1, 0.9]);
    expect(boxAt(edited, 2)).toMatchObject({ x: 50, y: 60, width: 30, height: 30 });
    expect(faceTrackFromBoxTrack(faceBoxTrack(detected), detected)).toEqual(detected);
  });

  it('holds a drawn face’s latest box to its end and interpolates between keyframes', () => {
    const drawn = newFaceTrack('mine', 10, { x: 0, y: 0, w: 10, h: 10 }, 30);
    const moved = withFaceBox(drawn, 20, { x: 20, y: 0, w: 10, h: 10 });
    expect(boxAt(moved, 15)).toMatchObject({ x: 10, width: 10 });
    expect(boxAt(moved, 30)).toMatchObject({ x: 20 });
    const again = withFaceBox(moved, 15, { x: 5, y: 0, w: 10, h: 10 });
    expect(boxAt(again, 15)).toMatchObject({ x: 5 });
    expect(boxAt(again, 30)).toMatchObject({ x: 20 });
    expect(boxAt(moved, 9)).toBeNull();
    const ended = endFaceTrack(moved, 25);
    expect(boxAt(ended, 25)).toMatchObject({ x: 20 });
    expect(boxAt(ended, 26)).toBeNull();
  });
});
