import { describe, expect, it } from 'vitest';
import { applyCommand, CommandSchema, invertCommand, type Command } from './commands';
import type { ContactLabel, ContactState } from './contact';
import { EMPTY_LABELS, LabelsDocument, type EditContext } from './labelsDocument';
import type { SkeletonTemplate } from './projectSchema';
import type { Segment } from './segments';
import type { Keyframe, Keypoint, Track, TrackKind, Visibility } from './tracks';

const templates: SkeletonTemplate[] = [
  {
    id: 'tri',
    name: 'Triangle',
    kind: 'body',
    keypoints: ['a', 'b', 'c'],
    skeleton: [
      [1, 2],
      [2, 3],
    ],
  },
  { id: 'pair', name: 'Pair', kind: 'hand', keypoints: ['wrist', 'tip'], skeleton: [[1, 2]] },
];
const context: EditContext = {
  frameCount: 60,
  allowSegmentOverlap: false,
  templates,
  objectClassIds: new Set([0, 1, 2]),
};

function must(doc: LabelsDocument, command: Command, ctx: EditContext = context): LabelsDocument {
  const result = applyCommand(doc, command, ctx);
  if (!result.ok) throw new Error(result.error.message);
  return result.doc;
}

const person: Track = {
  id: 'p1',
  kind: 'person',
  templateId: 'tri',
  label: 'Person 1',
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
const point = (x: number, y: number): Keypoint => ({
  x,
  y,
  visibility: 'visible',
  source: 'manual',
});

describe('applyCommand', () => {
  const doc = must(must(EMPTY_LABELS, { type: 'addTrack', track: person }), {
    type: 'addTrack',
    track: hand,
  });

  it('refuses a keyframe whose point count differs from the template, leaving the document alone', () => {
    const result = applyCommand(
      doc,
      { type: 'setKeyframe', trackId: 'p1', keyframe: { frame: 3, points: [null] } },
      context,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(!result.ok && result.error.message).toMatch(/must have 3 points/);
  });

  it('refuses setting a point where there is no keyframe', () => {
    const result = applyCommand(
      doc,
      { type: 'setPoint', trackId: 'p1', frame: 3, index: 0, point: point(1, 1) },
      context,
    );
    expect(!result.ok && result.error.message).toMatch(/no keyframe at frame 3; make one first/);
  });

  it('makes a model proposal manual when its visibility is changed', () => {
    const proposal: Keypoint = {
      x: 5,
      y: 6,
      visibility: 'visible',
      source: 'model',
      model: 'blazepose',
      score: 0.9,
    };
    const withKeyframe = must(doc, {
      type: 'setKeyframe',
      trackId: 'p1',
      keyframe: { frame: 3, points: [proposal, null, null] },
    });
    const changed = must(withKeyframe, {
      type: 'setPointVisibility',
      trackId: 'p1',
      frame: 3,
      index: 0,
      visibility: 'occluded',
    });
    expect(changed.tracks[0]?.keyframes[0]?.points[0]).toEqual({
      x: 5,
      y: 6,
      visibility: 'occluded',
      source: 'manual',
    });
    const unplaced = applyCommand(
      withKeyframe,
      { type: 'setPointVisibility', trackId: 'p1', frame: 3, index: 1, visibility: 'visible' },
      context,
    );
    expect(unplaced.ok).toBe(false);
    const explicit = must(withKeyframe, {
      type: 'setPointVisibility',
      trackId: 'p1',
      frame: 3,
      index: 1,
      visibility: 'unlabeled',
    });
    expect(explicit.tracks[0]?.keyframes[0]?.points[1]?.visibility).toBe('unlabeled');
  });

  it('removing a hand track removes its contacts, and undo brings both back', () => {
    const contact: ContactLabel = {
      id: 'c1',
      trackId: 'rh',
      startFrame: 0,
      endFrame: 5,
      state: 1,
      object: null,
      segmentId: null,
    };
    const withContact = must(doc, { type: 'setContact', contact });
    const result = applyCommand(withContact, { type: 'removeTrack', trackId: 'rh' }, context);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.doc.contacts).toEqual([]);
    expect(must(result.doc, result.inverse)).toEqual(withContact);
  });

  it('removing a segment unlinks its contacts; merging relinks them to the kept segment', () => {
    const s1: Segment = {
      id: 's1',
      startFrame: 0,
      endFrame: 9,
      verbId: 0,
      nounId: 0,
      actor: 'p1',
      note: '',
    };
    const s2: Segment = { ...s1, id: 's2', startFrame: 10, endFrame: 19 };
    const contact: ContactLabel = {
      id: 'c1',
      trackId: 'rh',
      startFrame: 10,
      endFrame: 12,
      state: 0,
      object: null,
      segmentId: 's2',
    };
    let labeled = must(doc, {
      type: 'batch',
      commands: [
        { type: 'addSegment', segment: s1 },
        { type: 'addSegment', segment: s2 },
      ],
    });
    labeled = must(labeled, { type: 'setContact', contact });
    expect(
      must(labeled, { type: 'removeSegment', segmentId: 's2' }).contacts[0]?.segmentId,
    ).toBeNull();
    const merged = must(labeled, { type: 'mergeSegments', firstId: 's2', secondId: 's1' });
    expect(merged.segments).toEqual([{ ...s1, endFrame: 19 }]);
    expect(merged.contacts[0]?.segmentId).toBe('s1');
  });

  it('refuses a point that is not a finite number, a hand track on a body template, and unknown verbs', () => {
    const keyframe = { frame: 1, points: [{ ...point(1, 1), x: Number.NaN }, null, null] };
    expect(
      applyCommand(doc, { type: 'setKeyframe', trackId: 'p1', keyframe }, context),
    ).toMatchObject({
      ok: false,
      error: { message: 'Point x: must be a finite number.' },
    });
    const wrongKind = applyCommand(
      doc,
      { type: 'addTrack', track: { ...person, id: 'lh', kind: 'left_hand' } },
      context,
    );
    expect(!wrongKind.ok && wrongKind.error.message).toMatch(
      /is a hand but template "Triangle" is not a hand template/,
    );
    const strict = { ...context, verbIds: new Set([0]), nounIds: new Set([0]) };
    const segment: Segment = {
      id: 's',
      startFrame: 0,
      endFrame: 3,
      verbId: 5,
      nounId: 0,
      actor: 'p1',
      note: '',
    };
    expect(applyCommand(doc, { type: 'addSegment', segment }, strict)).toMatchObject({
      error: { message: "Verb class 5 is not in the project's taxonomy." },
    });
    const labeled = must(doc, { type: 'addSegment', segment: { ...segment, verbId: 0 } }, strict);
    expect(
      applyCommand(labeled, { type: 'updateSegment', segmentId: 's', patch: { nounId: 9 } }, strict)
        .ok,
    ).toBe(false);
  });

  it('a batch is all or nothing', () => {
    const result = applyCommand(
      doc,
      {
        type: 'batch',
        commands: [
          { type: 'removeTrack', trackId: 'p1' },
          { type: 'removeTrack', trackId: 'nope' },
        ],
      },
      context,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('invertCommand gives the inverse without the caller keeping the new document', () => {
    const inverse = invertCommand(doc, { type: 'removeTrack', trackId: 'p1' }, context);
    expect(inverse).toEqual({ ok: true, inverse: { type: 'addTrack', track: person, index: 0 } });
  });
});

/** mulberry32: small, fast and seedable, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCommands(random: () => number) {
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T | undefined => items[int(items.length)];
  let counter = 0;
  const fresh = (prefix: string): string => `${prefix}${++counter}`;
  const visibility = (): Visibility =>
    pick(['visible', 'occluded', 'unlabeled'] as const) ?? 'visible';
  const keypoint = (): Keypoint =>
    random() < 0.2
      ? {
          x: int(1920),
          y: int(1080),
          visibility: visibility(),
          source: 'model',
          model: 'blazepose',
          score: random(),
        }
      : { x: int(1920) + 0.5, y: int(1080), visibility: visibility(), source: 'manual' };
  const keyframe = (count: number): Keyframe => ({
    frame: int(60),
    points: Array.from({ length: count }, () => (random() < 0.2 ? null : keypoint())),
  });
  const countOf = (track: Track): number => (track.templateId === 'tri' ? 3 : 2);

  function command(doc: LabelsDocument, depth = 0): Command {
    const track = pick(doc.tracks);
    const segment = pick(doc.segments);
    const frameOf = (t: Track): number => pick(t.keyframes)?.frame ?? int(60);
    const roll = int(depth > 0 ? 14 : 15);
    switch (roll) {
      case 0:
      case 1: {
        const kind =
          pick(['person', 'left_hand', 'right_hand'] as const satisfies readonly TrackKind[]) ??
          'person';
        const templateId = kind === 'person' ? 'tri' : 'pair';
        const keyframes = [
          ...new Map(
            Array.from({ length: int(3) }, () => keyframe(templateId === 'tri' ? 3 : 2)).map(
              (k) => [k.frame, k],
            ),
          ).values(),
        ].sort((a, b) => a.frame - b.frame);
        return {
          type: 'addTrack',
          track: {
            id: fresh('t'),
            kind,
            templateId,
            label: `Track ${counter}`,
            color: '#123456',
            keyframes,
          },
          ...(random() < 0.5 ? { index: int(doc.tracks.length + 1) } : {}),
        };
      }
      case 2:
        return { type: 'removeTrack', trackId: track?.id ?? 'none' };
      case 3:
        return track
          ? { type: 'setKeyframe', trackId: track.id, keyframe: keyframe(countOf(track)) }
          : { type: 'removeTrack', trackId: 'none' };
      case 4:
        return {
          type: 'deleteKeyframe',
          trackId: track?.id ?? 'none',
          frame: track ? frameOf(track) : 0,
        };
      case 5:
      case 6:
        return track
          ? {
              type: 'setPoint',
              trackId: track.id,
              frame: frameOf(track),
              index: int(countOf(track)),
              point: random() < 0.1 ? null : keypoint(),
              ...(random() < 0.3 ? { gesture: 'g' } : {}),
            }
          : { type: 'removeTrack', trackId: 'none' };
      case 7:
        return {
          type: 'setPointVisibility',
          trackId: track?.id ?? 'none',
          frame: track ? frameOf(track) : 0,
          index: int(3),
          visibility: visibility(),
        };
      case 8: {
        const start = int(60);
        return {
          type: 'addSegment',
          segment: {
            id: fresh('s'),
            startFrame: start,
            endFrame: Math.min(59, start + int(8)),
            verbId: random() < 0.2 ? null : int(5),
            nounId: random() < 0.2 ? null : int(5),
            actor: pick(['wearer', 'helper']) ?? 'wearer',
            note: random() < 0.5 ? '' : 'note',
          },
        };
      }
      case 9:
        return {
          type: 'updateSegment',
          segmentId: segment?.id ?? 'none',
          patch:
            random() < 0.5
              ? { verbId: int(5), note: 'changed' }
              : { startFrame: int(60), endFrame: int(60) },
        };
      case 10:
        return random() < 0.5
          ? { type: 'removeSegment', segmentId: segment?.id ?? 'none' }
          : {
              type: 'mergeSegments',
              firstId: segment?.id ?? 'none',
              // Usually the next segment of the same row, so merges succeed often enough to test.
              secondId:
                (random() < 0.8
                  ? doc.segments.find(
                      (s) =>
                        segment && s.actor === segment.actor && s.startFrame > segment.endFrame,
                    )
                  : pick(doc.segments)
                )?.id ?? 'none',
            };
      case 11:
        return {
          type: 'splitSegment',
          segmentId: segment?.id ?? 'none',
          frame: segment ? segment.startFrame + int(segment.endFrame - segment.startFrame + 1) : 0,
          newSegmentId: fresh('s'),
        };
      case 12: {
        const hands = doc.tracks.filter((t) => t.kind !== 'person');
        const state = int(5) as ContactState;
        const start = int(60);
        const existing = pick(doc.contacts);
        return {
          type: 'setContact',
          contact: {
            id: existing && random() < 0.3 ? existing.id : fresh('c'),
            trackId: pick(hands)?.id ?? 'none',
            startFrame: start,
            endFrame: Math.min(59, start + int(10)),
            state,
            object:
              state >= 3
                ? {
                    box: { x: int(100), y: int(100), w: 1 + int(50), h: 1 + int(50) },
                    classId: int(3),
                  }
                : null,
            segmentId: random() < 0.5 ? (segment?.id ?? null) : null,
          },
        };
      }
      case 13:
        return { type: 'removeContact', contactId: pick(doc.contacts)?.id ?? 'none' };
      default:
        return { type: 'batch', commands: [command(doc, depth + 1), command(doc, depth + 1)] };
    }
  }
  return command;
}

describe('every command is undone exactly by its inverse', () => {
  for (const [seed, overlap] of [
    [1, false],
    [2, false],
    [3, true],
    [4, false],
  ] as const) {
    it(`over 400 random commands (seed ${seed}${overlap ? ', overlap allowed' : ''})`, () => {
      const ctx = { ...context, allowSegmentOverlap: overlap };
      const next = randomCommands(prng(seed));
      let doc: LabelsDocument = EMPTY_LABELS;
      const history: { before: LabelsDocument; inverse: Command }[] = [];
      for (let step = 0; step < 400; step++) {
        const command = next(doc);
        expect(CommandSchema.parse(JSON.parse(JSON.stringify(command)))).toEqual(command);
        const result = applyCommand(doc, command, ctx);
        if (!result.ok) continue;
        const undone = applyCommand(result.doc, result.inverse, ctx);
        if (!undone.ok) throw new Error(`seed ${seed} step ${step}: ${undone.error.message}`);
        expect(undone.doc).toEqual(doc);
        expect(LabelsDocument.safeParse(result.doc).success).toBe(true);
        expect(CommandSchema.safeParse(JSON.parse(JSON.stringify(result.inverse))).success).toBe(
          true,
        );
        history.push({ before: doc, inverse: result.inverse });
        doc = result.doc;
      }
      expect(history.length).toBeGreaterThan(150);
      expect(doc.tracks.length + doc.segments.length).toBeGreaterThan(0);
      for (const { before, inverse } of history.reverse()) {
        doc = (applyCommand(doc, inverse, ctx) as { doc: LabelsDocument }).doc;
        expect(doc).toEqual(before);
      }
      expect(doc).toEqual(EMPTY_LABELS);
    });
  }
});
