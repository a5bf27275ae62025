import { describe, expect, it } from 'vitest';
import { applyCommand, CommandSchema, type Command } from './commands';
import { boxAt, boxPresentRuns, type BoxTrack } from './boxTracks';
import { objectBoxAt } from './contactSpans';
import {
  deleteBoxKeyframeAt,
  endContactAt,
  markBoxAbsent,
  moveStaticObjectBox,
  removeContactAt,
  setContactFrom,
  setHandBox,
  startObjectContact,
} from './labelingActions';
import { EMPTY_LABELS, LabelsDocument, type EditContext } from './labelsDocument';
import type { SkeletonTemplate } from './projectSchema';
import type { Track } from './tracks';

const templates: SkeletonTemplate[] = [
  { id: 'tri', name: 'Triangle', kind: 'body', keypoints: ['a', 'b', 'c'], skeleton: [[1, 2]] },
  { id: 'pair', name: 'Pair', kind: 'hand', keypoints: ['wrist', 'tip'], skeleton: [[1, 2]] },
];
const context: EditContext = {
  frameCount: 100,
  allowSegmentOverlap: false,
  templates,
  objectClassIds: new Set([0, 1]),
};

const person: Track = {
  id: 'p1',
  kind: 'person',
  templateId: 'tri',
  label: 'Cook',
  color: '#00ff00',
  keyframes: [],
};
const hand: Track = {
  id: 'rh',
  kind: 'right_hand',
  templateId: 'pair',
  label: 'Right hand',
  color: '#0000ff',
  keyframes: [],
};

function must(doc: LabelsDocument, command: Command): LabelsDocument {
  const result = applyCommand(doc, command, context);
  if (!result.ok) throw new Error(result.error.message);
  return result.doc;
}

/** Applies a command, then its inverse, and checks the document came back exactly. */
function roundTrip(doc: LabelsDocument, command: Command): LabelsDocument {
  const result = applyCommand(doc, command, context);
  if (!result.ok) throw new Error(result.error.message);
  const undone = applyCommand(result.doc, result.inverse, context);
  if (!undone.ok) throw new Error(undone.error.message);
  expect(undone.doc).toEqual(doc);
  return result.doc;
}

function act(result: { ok: true; command: Command } | { ok: false; message: string }): Command {
  if (!result.ok) throw new Error(result.message);
  return result.command;
}

const base = must(must(EMPTY_LABELS, { type: 'addTrack', track: person }), {
  type: 'addTrack',
  track: hand,
});

const moving: BoxTrack = {
  id: 'b',
  kind: 'face',
  label: 'Face 1',
  color: '#ff0000',
  subjectId: null,
  keyframes: [
    { frame: 10, box: { x: 0, y: 0, w: 10, h: 10 } },
    { frame: 20, box: { x: 100, y: 50, w: 30, h: 10 } },
    { frame: 30, absent: true },
    { frame: 40, box: { x: 5, y: 5, w: 5, h: 5 } },
  ],
};

describe('boxAt', () => {
  it('interpolates the corners between keyframes and keeps keyframes as stored', () => {
    expect(boxAt(moving, 10)).toEqual({ box: { x: 0, y: 0, w: 10, h: 10 }, isKeyframe: true });
    // Halfway: top-left (50, 25), bottom-right (10→130, 10→60) halfway = (70, 35).
    expect(boxAt(moving, 15)).toEqual({ box: { x: 50, y: 25, w: 20, h: 10 }, isKeyframe: false });
  });

  it('holds before an absent keyframe and after the last one; nothing before, or while absent', () => {
    expect(boxAt(moving, 9)).toBeUndefined();
    expect(boxAt(moving, 29)?.box).toEqual({ x: 100, y: 50, w: 30, h: 10 });
    expect(boxAt(moving, 30)).toBeUndefined();
    expect(boxAt(moving, 39)).toBeUndefined();
    expect(boxAt(moving, 99)).toEqual({ box: { x: 5, y: 5, w: 5, h: 5 }, isKeyframe: false });
    expect(boxPresentRuns(moving, 100)).toEqual([
      { first: 10, last: 29 },
      { first: 40, last: 99 },
    ]);
  });
});

describe('box track commands', () => {
  it('adds a box track, keys, deletes keys and removes it, each undone exactly', () => {
    let doc = roundTrip(base, { type: 'addBoxTrack', track: { ...moving, keyframes: [] } });
    doc = roundTrip(doc, {
      type: 'setBoxKeyframe',
      trackId: 'b',
      keyframe: { frame: 3, box: { x: 1, y: 2, w: 3, h: 4 } },
    });
    doc = roundTrip(doc, {
      type: 'setBoxKeyframe',
      trackId: 'b',
      keyframe: { frame: 3, box: { x: 9, y: 2, w: 3, h: 4 } },
    });
    doc = roundTrip(doc, act(markBoxAbsent(doc, 'b', 8)));
    expect(boxAt(doc.boxTracks?.[0] as BoxTrack, 8)).toBeUndefined();
    doc = roundTrip(doc, act(deleteBoxKeyframeAt(doc, 'b', 8)));
    roundTrip(doc, { type: 'removeBoxTrack', trackId: 'b' });
  });

  it('refuses a keyframe outside the clip, a hand box on a person, and an unknown track', () => {
    const doc = must(base, { type: 'addBoxTrack', track: { ...moving, keyframes: [] } });
    const outside = applyCommand(
      doc,
      { type: 'setBoxKeyframe', trackId: 'b', keyframe: { frame: 100, absent: true } },
      context,
    );
    expect(outside).toMatchObject({ ok: false, error: { code: 'out_of_range' } });
    const onPerson = applyCommand(
      base,
      { type: 'addBoxTrack', track: { ...moving, id: 'h', kind: 'hand', subjectId: 'p1' } },
      context,
    );
    expect(onPerson).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(
      applyCommand(base, { type: 'deleteBoxKeyframe', trackId: 'nope', frame: 1 }, context),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it("makes a hand's box track on its first box, then keys it", () => {
    let doc = roundTrip(
      base,
      act(setHandBox(base, 'rh', 5, { x: 1, y: 1, w: 10, h: 10 }, { boxTrackId: 'hb' })),
    );
    expect(doc.boxTracks?.[0]).toMatchObject({ id: 'hb', kind: 'hand', subjectId: 'rh' });
    doc = roundTrip(
      doc,
      act(setHandBox(doc, 'rh', 15, { x: 21, y: 1, w: 10, h: 10 }, { boxTrackId: 'other' })),
    );
    expect(doc.boxTracks).toHaveLength(1);
    expect(boxAt(doc.boxTracks?.[0] as BoxTrack, 10)?.box).toEqual({ x: 11, y: 1, w: 10, h: 10 });
  });

  it('removing a hand takes its box with it and undo brings both back', () => {
    const doc = must(
      base,
      act(setHandBox(base, 'rh', 5, { x: 1, y: 1, w: 10, h: 10 }, { boxTrackId: 'hb' })),
    );
    const removed = roundTrip(doc, { type: 'removeTrack', trackId: 'rh' });
    expect(removed.boxTracks).toBeUndefined();
  });
});

describe('hand links', () => {
  it('links a hand to a person or the camera wearer, and unlinks it, each undoable', () => {
    let doc = roundTrip(base, {
      type: 'linkHand',
      trackId: 'rh',
      link: { kind: 'person', trackId: 'p1' },
    });
    expect(doc.tracks[1]?.link).toEqual({ kind: 'person', trackId: 'p1' });
    doc = roundTrip(doc, { type: 'linkHand', trackId: 'rh', link: { kind: 'camera_wearer' } });
    doc = roundTrip(doc, { type: 'linkHand', trackId: 'rh', link: null });
    expect('link' in (doc.tracks[1] as Track)).toBe(false);
  });

  it('refuses a person linked to anyone, and a hand linked to a hand', () => {
    expect(
      applyCommand(
        base,
        { type: 'linkHand', trackId: 'p1', link: { kind: 'camera_wearer' } },
        context,
      ),
    ).toMatchObject({ ok: false });
    expect(
      applyCommand(
        base,
        { type: 'linkHand', trackId: 'rh', link: { kind: 'person', trackId: 'rh' } },
        context,
      ),
    ).toMatchObject({ ok: false });
  });

  it('removing the person unlinks its hands, and undo links them again', () => {
    const doc = must(base, {
      type: 'linkHand',
      trackId: 'rh',
      link: { kind: 'person', trackId: 'p1' },
    });
    const removed = roundTrip(doc, { type: 'removeTrack', trackId: 'p1' });
    expect(removed.tracks[0]?.link).toBeUndefined();
  });
});

describe('contact spans with an explicit end and a keyframed object', () => {
  const ids = { contactId: 'c1', boxTrackId: 'o1', color: '#123456' };

  it('a 3 with a drawn box starts a contact whose object is a new box track', () => {
    const doc = roundTrip(
      base,
      act(
        startObjectContact(
          base,
          'rh',
          10,
          3,
          { classId: 1, box: { x: 0, y: 0, w: 4, h: 4 } },
          context,
          ids,
        ),
      ),
    );
    expect(doc.contacts[0]).toMatchObject({
      startFrame: 10,
      endFrame: 99,
      state: 3,
      object: { classId: 1, boxTrackId: 'o1' },
    });
    expect(doc.boxTracks?.[0]).toMatchObject({ id: 'o1', kind: 'object', label: 'Object 1' });
    // The object's box is keyed per frame and interpolated, inside the contact only.
    const keyed = must(doc, {
      type: 'setBoxKeyframe',
      trackId: 'o1',
      keyframe: { frame: 20, box: { x: 10, y: 0, w: 4, h: 4 } },
    });
    const contact = keyed.contacts[0];
    if (!contact) throw new Error('no contact');
    expect(objectBoxAt(keyed, contact, 15)?.box).toEqual({ x: 5, y: 0, w: 4, h: 4 });
    expect(objectBoxAt(keyed, contact, 9)).toBeUndefined();
  });

  it('an end mark ends the contact on its frame; a later one moves the end', () => {
    let doc = must(base, act(setContactFrom(base, 'rh', 10, 1, null, context, 'c1')));
    doc = roundTrip(doc, act(endContactAt(doc, 'rh', 40)));
    expect(doc.contacts[0]).toMatchObject({ startFrame: 10, endFrame: 40 });
    // After the end, no state; the next state runs from its frame to the clip's end.
    doc = must(doc, act(setContactFrom(doc, 'rh', 60, 0, null, context, 'c2')));
    expect(doc.contacts.map((c) => [c.startFrame, c.endFrame])).toEqual([
      [10, 40],
      [60, 99],
    ]);
    // An end mark in the gap moves the previous contact's end there.
    doc = roundTrip(doc, act(endContactAt(doc, 'rh', 45)));
    expect(doc.contacts[0]).toMatchObject({ endFrame: 45 });
    // A new state inside a contact ends the contact the frame before.
    doc = must(doc, act(setContactFrom(doc, 'rh', 30, 2, null, context, 'c3')));
    expect(doc.contacts.map((c) => [c.startFrame, c.endFrame, c.state])).toEqual([
      [10, 29, 1],
      [30, 45, 2],
      [60, 99, 0],
    ]);
  });

  it('refuses an end mark with nothing to end', () => {
    expect(endContactAt(base, 'rh', 5)).toMatchObject({ ok: false });
    expect(endContactAt(base, 'p1', 5)).toMatchObject({ ok: false });
  });

  it("deleting a contact takes its object's box track with it, and undo brings both back", () => {
    const doc = must(
      base,
      act(
        startObjectContact(
          base,
          'rh',
          10,
          3,
          { classId: 1, box: { x: 0, y: 0, w: 4, h: 4 } },
          context,
          ids,
        ),
      ),
    );
    const removed = roundTrip(doc, act(removeContactAt(doc, 'rh', 50)));
    expect(removed.contacts).toEqual([]);
    expect(removed.boxTracks).toBeUndefined();
    expect(removeContactAt(removed, 'rh', 50)).toMatchObject({ ok: false });
  });

  it('an object box track named by a contact cannot be removed', () => {
    const doc = must(
      base,
      act(
        startObjectContact(
          base,
          'rh',
          10,
          4,
          { classId: 0, box: { x: 0, y: 0, w: 4, h: 4 } },
          context,
          ids,
        ),
      ),
    );
    const result = applyCommand(doc, { type: 'removeBoxTrack', trackId: 'o1' }, context);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    if (!result.ok) expect(result.error.message).toContain('frames 10–99');
  });
});

describe('documents and command logs from before box tracks (version 1)', () => {
  /** As version 1 stored it: no boxTracks, no links, a contact with one static object box. */
  const v1Json = JSON.stringify({
    tracks: [{ ...hand, keyframes: [{ frame: 0, points: [null, null] }] }],
    segments: [],
    contacts: [
      {
        id: 'c-old',
        trackId: 'rh',
        startFrame: 5,
        endFrame: 9,
        state: 3,
        object: { box: { x: 10, y: 20, w: 30, h: 40 }, classId: 1 },
        segmentId: null,
      },
    ],
  });

  it('parses to itself: no field is added, so its checksum and diffs stay the same', () => {
    const parsed = LabelsDocument.parse(JSON.parse(v1Json));
    expect(JSON.stringify(parsed)).toBe(v1Json);
    const contact = parsed.contacts[0];
    if (!contact) throw new Error('no contact');
    expect(objectBoxAt(parsed, contact, 7)?.box).toEqual({ x: 10, y: 20, w: 30, h: 40 });
  });

  it('replays a version 1 setContact command, and moving its box makes the object a track', () => {
    const oldCommand = CommandSchema.parse(
      JSON.parse(
        '{"type":"setContact","contact":{"id":"c2","trackId":"rh","startFrame":20,"endFrame":30,"state":4,"object":{"box":{"x":1,"y":1,"w":5,"h":5},"classId":0},"segmentId":null}}',
      ),
    );
    const doc = must(LabelsDocument.parse(JSON.parse(v1Json)), oldCommand);
    const moved = roundTrip(
      doc,
      act(
        moveStaticObjectBox(
          doc,
          'c-old',
          8,
          { x: 50, y: 20, w: 30, h: 40 },
          {
            boxTrackId: 'o-new',
            color: '#ff00ff',
          },
        ),
      ),
    );
    const contact = moved.contacts.find((c) => c.id === 'c-old');
    if (!contact) throw new Error('no contact');
    expect(contact.object).toEqual({ classId: 1, boxTrackId: 'o-new' });
    expect(objectBoxAt(moved, contact, 5)?.box).toEqual({ x: 10, y: 20, w: 30, h: 40 });
    expect(objectBoxAt(moved, contact, 8)?.box).toEqual({ x: 50, y: 20, w: 30, h: 40 });
    expect(LabelsDocument.safeParse(moved).success).toBe(true);
  });

  it('an older build refuses a version 2 document instead of dropping its boxes', () => {
    const v1Schema = LabelsDocument.omit({ boxTracks: true }).strict();
    const v2 = { ...(JSON.parse(v1Json) as object), boxTracks: [] };
    expect(v1Schema.safeParse(v2).success).toBe(false);
  });
});
