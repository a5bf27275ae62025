import { describe, expect, it } from 'vitest';
import {
  actionAgreement,
  CocoKeypointFile,
  keypointAgreement,
  type ActionRow,
} from './fileAgreement';

/** A COCO file of one person track on frames 0–2 of video "v1", body points on a diagonal. */
function cocoFile(shiftX = 0, frames: readonly number[] = [0, 1, 2]): CocoKeypointFile {
  return CocoKeypointFile.parse({
    images: frames.map((frame) => ({ id: 100 + frame, video_id: 'v1', frame_index: frame })),
    annotations: frames.map((frame) => ({
      id: frame,
      image_id: 100 + frame,
      track_id: 't1',
      area: 10_000,
      keypoints: Array.from({ length: 17 }, (_, i) => [10 + i * 5 + shiftX, 20 + i * 5, 2]).flat(),
    })),
  });
}

describe('keypoint agreement between two COCO files', () => {
  it('is perfect for identical files', () => {
    const result = keypointAgreement(cocoFile(), cocoFile());
    expect(result.meanOks).toBe(1);
    expect(result.pck).toBe(1);
    expect(result.frames).toHaveLength(3);
    expect(result.onlyInFirst).toBe(0);
  });

  it('matches a hand-computed OKS for every point moved 3 px (area 10,000)', () => {
    // mean over the 17 COCO sigmas of exp(−9 / (2σ)² / 10000 / 2), computed outside the code.
    const result = keypointAgreement(cocoFile(), cocoFile(3));
    expect(result.meanOks).toBeCloseTo(0.9487131043541209, 12);
    for (const frame of result.frames) expect(frame.oks).toBeCloseTo(0.9487131043541209, 12);
    // 3 px is well under 0.2 × the 80 px box side, so every point is "correct".
    expect(result.pck).toBe(1);
  });

  it('compares only the poses both files hold, and counts the rest', () => {
    const result = keypointAgreement(cocoFile(0, [0, 1, 2]), cocoFile(0, [1, 2, 3, 4]));
    expect(result.frames.map((f) => f.frameIndex)).toEqual([1, 2]);
    expect(result.onlyInFirst).toBe(1);
    expect(result.onlyInSecond).toBe(2);
  });

  it('scores no frame where the reference labels no point', () => {
    const empty = CocoKeypointFile.parse({
      images: [{ id: 1, video_id: 'v1', frame_index: 0 }],
      annotations: [
        { image_id: 1, track_id: 't1', keypoints: Array.from({ length: 51 }, () => 0) },
      ],
    });
    const result = keypointAgreement(empty, cocoFile());
    expect(result.frames[0]?.oks).toBeNull();
    expect(result.meanOks).toBeNull();
  });

  it('refuses a file without the keys that match frames', () => {
    expect(CocoKeypointFile.safeParse({ images: [{ id: 1 }], annotations: [] }).success).toBe(
      false,
    );
  });
});

describe('action agreement between two EPIC-style CSVs', () => {
  const rows: ActionRow[] = [
    { video_id: 'v1', start_frame: 0, stop_frame: 9, verb_class: 1, noun_class: 2 },
    { video_id: 'v1', start_frame: 20, stop_frame: 29, verb_class: 3, noun_class: 4 },
  ];

  it('is perfect for the same segments', () => {
    const result = actionAgreement(rows, rows);
    expect(result.pooled.edit).toBe(100);
    expect(result.pooled.f1.map((f) => f.f1)).toEqual([100, 100, 100]);
    expect(result.pooled.accuracy).toBe(100);
  });

  it('loses the 0.5 threshold when a segment overlaps by a third, and edit when one is missed', () => {
    const other: ActionRow[] = [
      { video_id: 'v1', start_frame: 5, stop_frame: 14, verb_class: 1, noun_class: 2 },
    ];
    const result = actionAgreement(rows, other);
    // IoU of [0,10) and [5,15) is 5 / 15 = 1/3: a hit at 0.1 and 0.25, a miss at 0.5.
    const [at10, at25, at50] = result.pooled.f1;
    expect(at10).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(at25).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(at50).toMatchObject({ tp: 0, fp: 1, fn: 2 });
    // Label sequences [1:2, 3:4] against [1:2]: one deletion in two, edit = 50.
    expect(result.pooled.edit).toBe(50);
  });
});
