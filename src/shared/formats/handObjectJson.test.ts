import { describe, expect, it } from 'vitest';
import type { BoxTrack, ContactLabel, Keypoint, Track } from '../domain/labels';
import { handObjectJsonChunks, type ClipHandObjects } from './handObjectJson';

function point(x: number, y: number): Keypoint {
  return { x, y, visibility: 'visible', source: 'manual' };
}

/** Left hand: keyframes at 0 and 10; all points (100,100)–(120,140) at 0, moved +10 px in x at 10. */
const left: Track = {
  id: 'lh',
  kind: 'left_hand',
  templateId: 'mediapipe21-left-hand',
  label: 'L',
  color: '#00ff00',
  keyframes: [0, 10].map((frame) => ({
    frame,
    points: Array.from({ length: 21 }, (_, i) =>
      i === 0 ? point(100 + frame, 100) : i === 1 ? point(120 + frame, 140) : null,
    ),
  })),
};

const right: Track = {
  ...left,
  id: 'rh',
  kind: 'right_hand',
  templateId: 'mediapipe21-right-hand',
};

function contact(fields: Partial<ContactLabel>): ContactLabel {
  return {
    id: 'c',
    trackId: 'lh',
    startFrame: 0,
    endFrame: 0,
    state: 0,
    object: null,
    segmentId: null,
    ...fields,
  };
}

const frameTimes = Array.from({ length: 20 }, (_, i) => i / 25);

function write(clips: ClipHandObjects[]): {
  frame_ranges: string;
  videos: { video_id: string; hands: Record<string, unknown>[] }[];
} {
  const text = [...handObjectJsonChunks({ objectClasses: [{ id: 4, name: 'mug' }], clips })].join(
    '',
  );
  return JSON.parse(text) as {
    frame_ranges: string;
    videos: { video_id: string; hands: Record<string, unknown>[] }[];
  };
}

describe('handObjectJsonChunks', () => {
  it('writes 100DOH codes, inclusive frame ranges, hand and object boxes and the offset vector', () => {
    const out = write([
      {
        videoId: 'v1',
        frameTimes,
        tracks: [left, right],
        contacts: [
          contact({
            id: 'c1',
            startFrame: 5,
            endFrame: 9,
            state: 3,
            object: { box: { x: 145, y: 160, w: 20, h: 40 }, classId: 4 },
            segmentId: 's1',
          }),
          contact({ id: 'c2', trackId: 'rh', startFrame: 2, endFrame: 3, state: 1 }),
        ],
      },
    ]);
    expect(out.frame_ranges).toBe('inclusive');
    const [video] = out.videos;
    expect(video?.video_id).toBe('v1');
    expect(video?.hands[0]).toEqual({
      track_id: 'lh',
      track_name: 'L',
      handside: 0,
      link: null,
      contacts: [
        {
          id: 'c1',
          start_frame: 5,
          end_frame: 9,
          start_sec: 0.2,
          end_sec: 0.36,
          contactstate: 3,
          // Frame 5 is interpolated halfway: points at (105,100) and (125,140).
          hand_box: [105, 100, 20, 40],
          object: {
            bbox: [145, 160, 20, 40],
            class_id: 4,
            class_name: 'mug',
            box_track_uid: null,
          },
          // Hand centre (115,120) → object centre (155,180): (40,60), length 72.11.
          offset: { unitdx: 0.5547, unitdy: 0.8321, magnitude: 72.11 },
          segment_id: 's1',
          // A version 1 static box is the object's box on every frame of the contact.
          frames: [5, 6, 7, 8, 9].map((frame) => ({
            frame,
            sec: frame / 25,
            hand_box: [100 + frame, 100, 20, 40],
            object_bbox: [145, 160, 20, 40],
          })),
        },
      ],
    });
    expect(video?.hands[1]).toMatchObject({
      track_id: 'rh',
      handside: 1,
      contacts: [{ contactstate: 1, object: null, offset: null, hand_box: [102, 100, 20, 40] }],
    });
  });

  it('writes per-frame hand and object boxes from keyframed box tracks, and whose hand it is', () => {
    const person: Track = {
      ...left,
      id: 'p1',
      kind: 'person',
      templateId: 'coco17-body',
      label: 'Cook',
      keyframes: [],
    };
    // A hand labeled with boxes only (no keypoints), linked to the person.
    const boxedHand: Track = { ...left, keyframes: [], link: { kind: 'person', trackId: 'p1' } };
    const wearerHand: Track = { ...right, keyframes: [], link: { kind: 'camera_wearer' } };
    const boxTracks: BoxTrack[] = [
      {
        id: 'hb',
        kind: 'hand',
        label: 'L box',
        color: '#00ff00',
        subjectId: 'lh',
        keyframes: [
          { frame: 2, box: { x: 10, y: 10, w: 20, h: 20 } },
          { frame: 6, box: { x: 50, y: 10, w: 40, h: 20 } },
        ],
      },
      {
        id: 'ob',
        kind: 'object',
        label: 'Object 1',
        color: '#ff0000',
        subjectId: null,
        keyframes: [
          { frame: 2, box: { x: 100, y: 100, w: 10, h: 10 } },
          { frame: 4, box: { x: 120, y: 100, w: 10, h: 10 } },
          { frame: 5, absent: true },
        ],
      },
    ];
    const out = write([
      {
        videoId: 'v',
        frameTimes,
        tracks: [person, boxedHand, wearerHand],
        contacts: [
          contact({
            id: 'c1',
            startFrame: 2,
            endFrame: 5,
            state: 3,
            object: { classId: 4, boxTrackId: 'ob' },
          }),
        ],
        boxTracks,
      },
    ]);
    const [hand, wearer] = out.videos[0]?.hands ?? [];
    expect(hand).toMatchObject({
      track_id: 'lh',
      link: { kind: 'person', track_uid: 'p1', track_name: 'Cook' },
      contacts: [
        {
          hand_box: [10, 10, 20, 20],
          object: { bbox: [100, 100, 10, 10], class_name: 'mug', box_track_uid: 'ob' },
          frames: [
            { frame: 2, hand_box: [10, 10, 20, 20], object_bbox: [100, 100, 10, 10] },
            // Halfway between the hand's keyframes at 2 and 6: corners move linearly.
            { frame: 3, hand_box: [20, 10, 25, 20], object_bbox: [110, 100, 10, 10] },
            { frame: 4, hand_box: [30, 10, 30, 20], object_bbox: [120, 100, 10, 10] },
            // The object is out of the picture from frame 5.
            { frame: 5, hand_box: [40, 10, 35, 20], object_bbox: null },
          ],
        },
      ],
    });
    // A hand with a link and no contact is still written, so its owner is not lost.
    expect(wearer).toMatchObject({ track_id: 'rh', link: { kind: 'camera_wearer' }, contacts: [] });
  });

  it('writes a null hand box outside the hand track span', () => {
    const out = write([
      {
        videoId: 'v',
        frameTimes,
        tracks: [left],
        contacts: [contact({ startFrame: 15, endFrame: 16 })],
      },
    ]);
    expect(out.videos[0]?.hands[0]).toMatchObject({ contacts: [{ hand_box: null }] });
  });

  it('refuses contacts on non-hand tracks and unknown object classes', () => {
    const person: Track = { ...left, id: 'p', kind: 'person', templateId: 'coco17-body' };
    expect(() =>
      write([
        { videoId: 'v', frameTimes, tracks: [person], contacts: [contact({ trackId: 'p' })] },
      ]),
    ).toThrow(/not a hand track/);
    expect(() =>
      write([
        {
          videoId: 'v',
          frameTimes,
          tracks: [left],
          contacts: [
            contact({ state: 4, object: { box: { x: 0, y: 0, w: 1, h: 1 }, classId: 9 } }),
          ],
        },
      ]),
    ).toThrow(/object class 9/);
  });

  it('is valid JSON with no videos', () => {
    expect(write([]).videos).toEqual([]);
  });
});
