import { describe, expect, it } from 'vitest';
import { applyCommand, type Command } from './commands';
import type { ContactLabel } from './contact';
import { poseAt } from './interpolateKeypoints';
import { editContextFor, EMPTY_LABELS, type LabelsDocument } from './labelsDocument';
import {
  clearPoint,
  copyPose,
  cycleVisibility,
  makeKeyframe,
  nudgePoint,
  mergeWithNext,
  pastePose,
  segmentFromMarks,
  setContactFrom,
  splitAtPlayhead,
  type ActionResult,
} from './labelingActions';
import { COCO_BODY_TEMPLATE_ID, LEFT_HAND_TEMPLATE_ID, parseProjectSchema } from './projectSchema';
import type { Keypoint, Track } from './tracks';
import sampleProject from '../../../../resources/project.sample.json';

const parsed = parseProjectSchema(JSON.stringify(sampleProject));
if (!parsed.ok) throw new Error(parsed.message);
const context = editContextFor(parsed.project, 100);

function point(x: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y: x, visibility, source: 'manual' };
}

const person: Track = {
  id: 'p1',
  kind: 'person',
  templateId: COCO_BODY_TEMPLATE_ID,
  label: 'Person 1',
  color: '#3366cc',
  keyframes: [
    { frame: 10, points: Array.from({ length: 17 }, (_, i) => (i === 16 ? null : point(10))) },
    { frame: 20, points: Array.from({ length: 17 }, (_, i) => (i === 16 ? null : point(20))) },
  ],
};
const hand: Track = {
  id: 'h1',
  kind: 'left_hand',
  templateId: LEFT_HAND_TEMPLATE_ID,
  label: 'Left hand',
  color: '#cc6633',
  keyframes: [],
};
const doc: LabelsDocument = { ...EMPTY_LABELS, tracks: [person, hand] };

/** Applies an action's command; the test fails with the refusal's message otherwise. */
function apply(result: ActionResult, to: LabelsDocument = doc): LabelsDocument {
  if (!result.ok) throw new Error(result.message);
  const applied = applyCommand(to, result.command, context);
  if (!applied.ok) throw new Error(applied.error.message);
  return applied.doc;
}

function trackIn(labels: LabelsDocument, id: string): Track {
  const track = labels.tracks.find((t) => t.id === id);
  if (!track) throw new Error(`no track ${id}`);
  return track;
}

describe('keypoint actions', () => {
  it('Ctrl+arrows move the selected point by whole video pixels, on an interpolated frame too', () => {
    let labels = apply(nudgePoint(doc, 'p1', 10, 0, { dx: 1, dy: 0 }, context));
    labels = apply(nudgePoint(labels, 'p1', 10, 0, { dx: 0, dy: -10 }, context), labels);
    expect(poseAt(trackIn(labels, 'p1'), 10)?.points[0]).toMatchObject({ x: 11, y: 0 });
    // Between keyframes the shown pose becomes a keyframe with the one point moved.
    labels = apply(nudgePoint(doc, 'p1', 15, 2, { dx: 10, dy: 0 }, context));
    expect(poseAt(trackIn(labels, 'p1'), 15)).toMatchObject({ isKeyframe: true });
    expect(poseAt(trackIn(labels, 'p1'), 15)?.points[2]).toMatchObject({ x: 25, y: 15 });
    expect(nudgePoint(doc, 'p1', 10, 16, { dx: 1, dy: 0 }, context).ok).toBe(false);
  });

  it('V cycles visible → occluded → not labeled → visible on a keyframe', () => {
    let labels = apply(cycleVisibility(doc, 'p1', 10, 0, context));
    expect(poseAt(trackIn(labels, 'p1'), 10)?.points[0]?.visibility).toBe('occluded');
    labels = apply(cycleVisibility(labels, 'p1', 10, 0, context), labels);
    expect(poseAt(trackIn(labels, 'p1'), 10)?.points[0]?.visibility).toBe('unlabeled');
    labels = apply(cycleVisibility(labels, 'p1', 10, 0, context), labels);
    expect(poseAt(trackIn(labels, 'p1'), 10)?.points[0]).toEqual(point(10));
  });

  it('V on an undecided slot marks it not labeled, and refuses to make it visible at 0, 0', () => {
    const labels = apply(cycleVisibility(doc, 'p1', 10, 16, context));
    expect(poseAt(trackIn(labels, 'p1'), 10)?.points[16]).toMatchObject({
      visibility: 'unlabeled',
    });
    expect(cycleVisibility(labels, 'p1', 10, 16, context)).toMatchObject({ ok: false });
  });

  it('V between keyframes makes the shown pose a keyframe first, in one undoable command', () => {
    const result = cycleVisibility(doc, 'p1', 15, 3, context);
    expect(result).toMatchObject({ ok: true, command: { type: 'batch' } });
    const labels = apply(result);
    const pose = poseAt(trackIn(labels, 'p1'), 15);
    expect(pose?.isKeyframe).toBe(true);
    expect(pose?.points[3]).toEqual({ x: 15, y: 15, visibility: 'occluded', source: 'manual' });
    expect(pose?.points[4]).toEqual(point(15));
  });

  it('Del clears a point to undecided, and refuses where there is none', () => {
    const labels = apply(clearPoint(doc, 'p1', 20, 2, context));
    expect(poseAt(trackIn(labels, 'p1'), 20)?.points[2]).toBeNull();
    expect(clearPoint(doc, 'p1', 20, 16, context)).toMatchObject({ ok: false });
    expect(clearPoint(doc, 'p1', 50, 0, context)).toMatchObject({ ok: false });
  });

  it('K keeps the interpolated pose as a keyframe; on a frame with no pose it starts an empty one', () => {
    const labels = apply(makeKeyframe(doc, 'p1', 12, context));
    expect(poseAt(trackIn(labels, 'p1'), 12)?.points[0]).toEqual(point(12));
    const empty = apply(makeKeyframe(doc, 'p1', 40, context));
    expect(poseAt(trackIn(empty, 'p1'), 40)?.points).toEqual(
      Array.from({ length: 17 }, () => null),
    );
    expect(makeKeyframe(doc, 'p1', 10, context)).toMatchObject({ ok: false });
  });

  it('Ctrl+C / Ctrl+V copies a pose to another frame and refuses another template', () => {
    const copied = copyPose(doc, 'p1', 15, context);
    if (!copied.ok) throw new Error(copied.message);
    const labels = apply(pastePose(doc, 'p1', 60, copied.pose));
    expect(poseAt(trackIn(labels, 'p1'), 60)?.points[0]).toEqual(point(15));
    expect(pastePose(doc, 'h1', 60, copied.pose)).toMatchObject({ ok: false });
    expect(copyPose(doc, 'p1', 5, context)).toMatchObject({ ok: false });
  });
});

describe('segment actions', () => {
  const withSegments = apply(segmentFromMarks(30, 10, 'p1', 's1'));

  it('[ and ] make an unlabeled segment over the marked frames in either order', () => {
    expect(withSegments.segments).toEqual([
      { id: 's1', startFrame: 10, endFrame: 30, verbId: null, nounId: null, actor: 'p1', note: '' },
    ]);
  });

  it('S splits the segment under the playhead; M merges it back', () => {
    const split = apply(splitAtPlayhead(withSegments, 18, 'p1', null, 's2'), withSegments);
    expect(split.segments.map((s) => [s.id, s.startFrame, s.endFrame])).toEqual([
      ['s1', 10, 17],
      ['s2', 18, 30],
    ]);
    expect(splitAtPlayhead(withSegments, 10, 'p1', null, 's2')).toMatchObject({ ok: false });
    expect(splitAtPlayhead(withSegments, 40, 'p1', null, 's2')).toMatchObject({ ok: false });
    const merged = apply(mergeWithNext(split, 's1'), split);
    expect(merged.segments).toEqual(withSegments.segments);
    expect(mergeWithNext(split, 's2')).toMatchObject({ ok: false });
  });
});

describe('contact actions', () => {
  const box = {
    box: { x: 1, y: 2, w: 30, h: 40 },
    classId: parsed.project.objectClasses[0]?.id ?? 0,
  };

  function contactsOf(labels: LabelsDocument): [number, number, number][] {
    return labels.contacts.map((c: ContactLabel) => [c.startFrame, c.endFrame, c.state]);
  }

  it('a state key sets the hand state from this frame to the end, then cuts it at a later change', () => {
    const first = apply(setContactFrom(doc, 'h1', 5, 0, null, context, 'c1'));
    expect(contactsOf(first)).toEqual([[5, 99, 0]]);
    const second = apply(setContactFrom(first, 'h1', 40, 3, box, context, 'c2'), first);
    expect(contactsOf(second)).toEqual([
      [5, 39, 0],
      [40, 99, 3],
    ]);
    // Before the first label, the new state runs up to it.
    const third = apply(setContactFrom(second, 'h1', 2, 1, null, context, 'c3'), second);
    expect(contactsOf(third)).toEqual([
      [2, 4, 1],
      [5, 39, 0],
      [40, 99, 3],
    ]);
    // On a label's first frame, the label's state changes; its object goes when no longer needed.
    const fourth = apply(setContactFrom(third, 'h1', 40, 2, null, context, 'c4'), third);
    expect(fourth.contacts.find((c) => c.id === 'c2')).toMatchObject({ state: 2, object: null });
  });

  it('refuses object contact without a box, and contact on a person track', () => {
    expect(setContactFrom(doc, 'h1', 5, 4, null, context, 'c1')).toMatchObject({ ok: false });
    expect(setContactFrom(doc, 'p1', 5, 0, null, context, 'c1')).toMatchObject({ ok: false });
  });

  it('every action command is undone by its inverse', () => {
    const command: Command | undefined = (() => {
      const r = setContactFrom(doc, 'h1', 5, 3, box, context, 'c1');
      return r.ok ? r.command : undefined;
    })();
    if (!command) throw new Error('refused');
    const done = applyCommand(doc, command, context);
    if (!done.ok) throw new Error(done.error.message);
    const undone = applyCommand(done.doc, done.inverse, context);
    expect(undone.ok && undone.doc).toEqual(doc);
  });
});
