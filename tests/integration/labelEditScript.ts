import {
  COCO_BODY_TEMPLATE_ID,
  LEFT_HAND_TEMPLATE_ID,
  RIGHT_HAND_TEMPLATE_ID,
  type Command,
  type Keypoint,
  type LabelsDocument,
  type Track,
  type TrackKind,
} from '../../src/shared/domain/labels';

/** mulberry32: a small seeded PRNG, so a failing session replays exactly from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tracks a realistic set grows to: five people (COCO-17) and a pair of hands (21 each). */
const TRACK_PLAN: readonly { kind: TrackKind; templateId: string; points: number }[] = [
  ...Array.from({ length: 5 }, () => ({
    kind: 'person' as const,
    templateId: COCO_BODY_TEMPLATE_ID,
    points: 17,
  })),
  { kind: 'left_hand', templateId: LEFT_HAND_TEMPLATE_ID, points: 21 },
  { kind: 'right_hand', templateId: RIGHT_HAND_TEMPLATE_ID, points: 21 },
];

function point(random: () => number): Keypoint {
  return {
    x: Math.round(random() * 192000) / 100,
    y: Math.round(random() * 108000) / 100,
    visibility: random() < 0.85 ? 'visible' : 'occluded',
    source: 'manual',
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function newTrack(index: number): Track {
  const plan = TRACK_PLAN[index];
  if (!plan) throw new Error(`No track planned at ${index}`);
  return {
    id: `track-${index}`,
    kind: plan.kind,
    templateId: plan.templateId,
    label: plan.kind === 'person' ? `Person ${index + 1}` : plan.kind.replace('_', ' '),
    color: `#${(0x305070 + index * 0x1f2f3f).toString(16).slice(-6)}`,
    keyframes: [],
  };
}

export type EditScript = {
  /**
   * The next edit an annotator might make on `doc`: mostly dragged points and new keyframes,
   * some visibility changes, deleted keyframes and undos (`lastInverse`, as the undo stack
   * sends it). Always valid for `doc`.
   */
  next(doc: LabelsDocument, lastInverse: Command | null): Command;
};

export function editScript(seed: number, frameCount: number): EditScript {
  const random = seededRandom(seed);
  const keyframeOf = (track: Track) => {
    const frame = Math.floor(random() * frameCount);
    const count = TRACK_PLAN.find((p) => p.templateId === track.templateId)?.points ?? 17;
    return {
      frame,
      points: Array.from({ length: count }, () => (random() < 0.9 ? point(random) : null)),
    };
  };
  return {
    next(doc, lastInverse) {
      if (doc.tracks.length < TRACK_PLAN.length && (doc.tracks.length === 0 || random() < 0.05)) {
        return { type: 'addTrack', track: newTrack(doc.tracks.length) };
      }
      const roll = random();
      if (lastInverse && roll < 0.04) return lastInverse;
      const track = pick(random, doc.tracks);
      if (track.keyframes.length === 0 || roll < 0.25) {
        return { type: 'setKeyframe', trackId: track.id, keyframe: keyframeOf(track) };
      }
      const keyframe = pick(random, track.keyframes);
      if (roll < 0.28) return { type: 'deleteKeyframe', trackId: track.id, frame: keyframe.frame };
      const index = Math.floor(random() * keyframe.points.length);
      if (roll < 0.36 && keyframe.points[index]) {
        return {
          type: 'setPointVisibility',
          trackId: track.id,
          frame: keyframe.frame,
          index,
          visibility: pick(random, ['visible', 'occluded', 'unlabeled'] as const),
        };
      }
      return {
        type: 'setPoint',
        trackId: track.id,
        frame: keyframe.frame,
        index,
        point: random() < 0.97 ? point(random) : null,
      };
    },
  };
}

/** JSON with object keys sorted, so two documents compare by content, not key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}
