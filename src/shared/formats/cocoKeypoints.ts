import {
  boxAt,
  boxPresentRuns,
  handBoxTrackOf,
  isPlaced,
  poseAt,
  trackSpan,
  type BoxTrack,
  type Pose,
  type PosePoint,
  type Track,
} from '../domain/labels';
import { labelsByTrack, trackDisplayNames, type ClipLabels, type ExportLabel } from './clipLabels';
import { cocoImageId, cocoVideoKey } from './cocoImageId';
import { coordinateText, roundCoordinate, roundSeconds } from './exportNumbers';
import { keypointBox, type XywhBox } from './keypointBox';

/** COCO-WholeBody's hand fields hold exactly 21 points. */
const WHOLEBODY_HAND_POINTS = 21;

export type CocoKeypointsInput = {
  /** Written as COCO's `info` object (description, version, date_created, …). */
  readonly info: Readonly<Record<string, unknown>>;
  readonly categories: readonly ExportLabel[];
  /**
   * Called twice — COCO keeps images and annotations in two arrays, and a streaming writer cannot
   * go back — so the service runs its query twice. Both runs must yield the same clips in the same
   * order (ids are counted, not stored); a different sequence is detected and throws.
   */
  readonly clips: () => Iterable<ClipLabels>;
};

type HandSide = 'lefthand' | 'righthand';

/** A hand on one frame: its pose (no points when only its box is labeled) and its box. */
type HandOnFrame = {
  readonly track: Track;
  readonly trackName: string;
  readonly pose: Pose;
  readonly box: XywhBox | undefined;
};

type Entry = {
  readonly track: Track;
  readonly trackIndex: number;
  readonly trackName: string;
  readonly label: ExportLabel;
  readonly pose: Pose;
  /** The hand box track's box, which wins over the keypoints' box (hand tracks only). */
  readonly box?: XywhBox | undefined;
  hands?: Partial<Record<HandSide, HandOnFrame>>;
};

type FrameEntries = { readonly frame: number; readonly entries: readonly Entry[] };

/**
 * COCO keypoints as a stream of JSON text chunks (one image or annotation per chunk), following
 * FORMATS.md:
 *
 * - one image per frame where some track has a placed point, labeled or interpolated, with
 *   `file_name` `<video_id>/<frame:06d>.jpg`, `video_id`, `frame_index`, `timestamp` (seconds from
 *   the frame table, 6 decimals) and `interpolated` (no annotation on it is a keyframe); its `id`
 *   is `cocoImageId(video_id, frame)`, the same in every export of that frame on every machine
 *   (annotation ids count within one export);
 * - one annotation per track and frame, keypoints in template order, `v` 0/1/2 with x = y = 0 at
 *   v = 0, coordinates to 2 decimals, `bbox` the tight box of the placed points (no margin),
 *   `area` its width × height, `num_keypoints` the count of v > 0. A pose with no placed point is
 *   not written (no empty annotations, CVAT #7021). Interpolated frames carry the interpolated
 *   points (`poseAt`), never the previous keyframe's (CVAT #3879).
 * - `track_id` is the track's position in its clip (an integer, unique per video as PoseTrack
 *   has it), `track_name` the name people gave it ("Person 1"; `trackDisplayNames`) and
 *   `track_uid` the Framewise track id, which a track keeps on every machine and revision;
 * - person annotations carry the COCO-WholeBody hand fields; a hand track with an owner
 *   (`handOwners`) fills them on frames where its owner is written, otherwise the hand is its own
 *   annotation in its hand category, with `track_kind` saying which hand.
 * - a hand's box (`<side>_box`, or `bbox` of its own annotation) is its hand box track's on that
 *   frame, else the box of its keypoints. A hand labeled with a box and no points is written too,
 *   with zero keypoints; `<side>_valid` is true wherever the hand has a box, as COCO-WholeBody
 *   marks a part whose box is annotated.
 */
export function* cocoKeypointsChunks(input: CocoKeypointsInput): Generator<string> {
  // Two writers count alike: one writes the images pass, the other the annotations pass.
  const images = new CocoKeypointsWriter(input.info, input.categories);
  const annotations = new CocoKeypointsWriter(input.info, input.categories);
  yield images.head;
  const seen: { videoId: string; images: number }[] = [];
  for (const clip of input.clips()) {
    const chunks: string[] = [];
    const count = images.clip(clip, (json) => chunks.push(json));
    yield* chunks;
    seen.push({ videoId: clip.videoId, images: count });
  }
  yield images.middle;

  let clipIndex = 0;
  for (const clip of input.clips()) {
    const chunks: string[] = [];
    const count = annotations.clip(clip, undefined, (json) => chunks.push(json));
    yield* chunks;
    const first = seen[clipIndex];
    if (!first || first.videoId !== clip.videoId || first.images !== count) {
      throw new Error(
        `The clips changed between the two passes of the COCO export (at clip ${clipIndex + 1}, "${clip.videoId}"); the export must read one consistent snapshot.`,
      );
    }
    clipIndex += 1;
  }
  if (clipIndex !== seen.length) {
    throw new Error(
      `The clips changed between the two passes of the COCO export (${seen.length} clips, then ${clipIndex}).`,
    );
  }
  yield images.tail;
}

/**
 * The COCO keypoints file clip by clip, for a writer that reads each clip once: `head`, then each
 * clip's images, `middle`, each clip's annotations (kept aside meanwhile), `tail`. Image and
 * annotation texts come with their separators, so the pieces concatenate to the whole file.
 */
export class CocoKeypointsWriter {
  readonly head: string;
  readonly middle = '\n],"annotations":[';
  readonly tail = '\n]}\n';
  readonly #categories: readonly ExportLabel[];
  readonly #videoKeys = new Map<number, string>();
  #images = 0;
  #annotations = 0;

  constructor(info: CocoKeypointsInput['info'], categories: readonly ExportLabel[]) {
    this.#categories = categories;
    const written = categories.map((c) => ({
      id: c.id,
      name: c.name,
      supercategory: c.supercategory,
      keypoints: c.template.keypoints,
      skeleton: c.template.skeleton,
      template_id: c.template.id,
    }));
    this.head = `{"info":${JSON.stringify(info)},"licenses":[],"categories":${JSON.stringify(written)},"images":[`;
  }

  /**
   * Hands one clip's image texts to `image` and its annotation texts to `annotation` (either may
   * be left out; ids are counted all the same) and returns how many images it has.
   */
  clip(
    clip: ClipLabels,
    image?: (json: string) => void,
    annotation?: (json: string) => void,
  ): number {
    const texts = cocoClipTexts(clip, this.#categories);
    claimVideoKey(this.#videoKeys, texts.videoKey, clip.videoId);
    for (const json of texts.images) {
      this.#images += 1;
      image?.((this.#images === 1 ? '\n' : ',\n') + json);
    }
    for (const body of texts.annotations) {
      this.#annotations += 1;
      annotation?.(cocoAnnotationHead(this.#annotations) + body);
    }
    return texts.images.length;
  }
}

/**
 * One clip's COCO texts, which depend on no other clip: its images' JSON (no separators) and its
 * annotations' JSON after their id (`cocoAnnotationHead` gives what comes before), so clips can be
 * written apart (a worker thread each) and numbered in order afterwards.
 */
export type CocoClipTexts = {
  readonly videoKey: number;
  readonly images: string[];
  readonly annotations: string[];
};

export function cocoClipTexts(clip: ClipLabels, categories: readonly ExportLabel[]): CocoClipTexts {
  const images: string[] = [];
  const annotations: string[] = [];
  for (const { frame, entries } of framesOf(clip, categories)) {
    const imageId = cocoImageId(clip.videoId, frame);
    const json = {
      id: imageId,
      width: clip.width,
      height: clip.height,
      file_name: `${clip.videoId}/${String(frame).padStart(6, '0')}.jpg`,
      video_id: clip.videoId,
      frame_index: frame,
      timestamp: roundSeconds(timeOf(clip, frame)),
      interpolated: entries.every(
        (e) =>
          !e.pose.isKeyframe &&
          !(e.hands?.lefthand?.pose.isKeyframe ?? false) &&
          !(e.hands?.righthand?.pose.isKeyframe ?? false),
      ),
    };
    images.push(JSON.stringify(json));
    for (const entry of entries) annotations.push(annotationBody(entry, imageId));
  }
  return { videoKey: cocoVideoKey(clip.videoId), images, annotations };
}

/** The separator and id that open the `id`-th annotation of the file (1-based). */
export function cocoAnnotationHead(id: number): string {
  return `${id === 1 ? '\n' : ',\n'}{"id":${id}`;
}

/** Records which video a COCO id key belongs to; two videos with one key would share image ids. */
export function claimVideoKey(keys: Map<number, string>, key: number, videoId: string): void {
  const other = keys.get(key);
  if (other !== undefined && other !== videoId) {
    throw new RangeError(
      `Videos "${other}" and "${videoId}" would share COCO image ids (their ids start alike); export them separately.`,
    );
  }
  keys.set(key, videoId);
}

function timeOf(clip: ClipLabels, frame: number): number {
  const time = clip.frameTimes[frame];
  if (time === undefined) {
    throw new RangeError(
      `Video "${clip.videoId}" has a label at frame ${frame}, but its frame table has ${clip.frameTimes.length} frames.`,
    );
  }
  return time;
}

function hasPlacedPoint(pose: Pose): boolean {
  return pose.points.some((p) => isPlaced(p));
}

function boxXywh(box: { x: number; y: number; w: number; h: number }): XywhBox {
  return [
    roundCoordinate(box.x),
    roundCoordinate(box.y),
    roundCoordinate(box.w),
    roundCoordinate(box.h),
  ];
}

/**
 * A hand on `frame`: its pose if it has a placed point there, and its box (its box track's, else
 * its points'); undefined when it has neither.
 */
function handOn(
  track: Track,
  boxTrack: BoxTrack | undefined,
  frame: number,
): { pose: Pose; box: XywhBox | undefined } | undefined {
  const shown = poseAt(track, frame);
  const pose = shown && hasPlacedPoint(shown) ? shown : undefined;
  const boxed = boxTrack ? boxAt(boxTrack, frame) : undefined;
  if (boxed) {
    return {
      pose: pose ?? { frame, isKeyframe: boxed.isKeyframe, points: [] },
      box: boxXywh(boxed.box),
    };
  }
  return pose ? { pose, box: keypointBox(pose.points) } : undefined;
}

/** Frames of one clip that get an image, with their annotations, in frame order. */
function* framesOf(clip: ClipLabels, categories: readonly ExportLabel[]): Generator<FrameEntries> {
  const labels = labelsByTrack(clip.tracks, categories, clip.videoId);
  const names = trackDisplayNames(clip.tracks);
  const byId = new Map(clip.tracks.map((t) => [t.id, t]));
  const owned = new Map<string, { owner: string; side: HandSide }>();
  for (const track of clip.tracks) {
    const owner = clip.handOwners?.[track.id];
    const ownerTrack = owner === undefined ? undefined : byId.get(owner);
    const side =
      track.kind === 'left_hand'
        ? 'lefthand'
        : track.kind === 'right_hand'
          ? 'righthand'
          : undefined;
    if (
      ownerTrack?.kind === 'person' &&
      side !== undefined &&
      labels.get(track.id)?.template.keypoints.length === WHOLEBODY_HAND_POINTS
    ) {
      owned.set(track.id, { owner: ownerTrack.id, side });
    }
  }
  const boxTracks = clip.boxTracks ?? [];
  const handBoxes = new Map<string, BoxTrack>();
  for (const track of clip.tracks) {
    const boxTrack = track.kind === 'person' ? undefined : handBoxTrackOf(boxTracks, track.id);
    if (boxTrack) handBoxes.set(track.id, boxTrack);
  }
  let first = Infinity;
  let last = -Infinity;
  for (const track of clip.tracks) {
    const span = trackSpan(track);
    if (!span) continue;
    first = Math.min(first, span.first);
    last = Math.max(last, span.last);
  }
  for (const boxTrack of handBoxes.values()) {
    const runs = boxPresentRuns(boxTrack, clip.frameTimes.length);
    const firstRun = runs[0];
    const lastRun = runs[runs.length - 1];
    if (!firstRun || !lastRun) continue;
    first = Math.min(first, firstRun.first);
    last = Math.max(last, lastRun.last);
  }
  for (let frame = first; frame <= last; frame++) {
    const entries: Entry[] = [];
    const byTrack = new Map<string, Entry>();
    clip.tracks.forEach((track, trackIndex) => {
      if (owned.has(track.id)) return;
      const shown =
        track.kind === 'person'
          ? poseAt(track, frame)
          : handOn(track, handBoxes.get(track.id), frame);
      if (!shown) return;
      const pose = 'pose' in shown ? shown.pose : shown;
      if (track.kind === 'person' && !hasPlacedPoint(pose)) return;
      const entry: Entry = {
        track,
        trackIndex,
        trackName: names.get(track.id) as string,
        label: labels.get(track.id) as ExportLabel,
        pose,
        ...('box' in shown ? { box: shown.box } : {}),
      };
      entries.push(entry);
      byTrack.set(track.id, entry);
    });
    clip.tracks.forEach((track, trackIndex) => {
      const ownership = owned.get(track.id);
      if (!ownership) return;
      const hand = handOn(track, handBoxes.get(track.id), frame);
      if (!hand) return;
      const owner = byTrack.get(ownership.owner);
      const trackName = names.get(track.id) as string;
      if (owner && owner.hands?.[ownership.side] === undefined) {
        owner.hands = { ...owner.hands, [ownership.side]: { track, trackName, ...hand } };
      } else {
        entries.push({
          track,
          trackIndex,
          trackName,
          label: labels.get(track.id) as ExportLabel,
          ...hand,
        });
      }
    });
    if (entries.length > 0) yield { frame, entries };
  }
}

/**
 * The JSON array of x, y, v per template slot (a missing or unplaced point is 0, 0, 0) and how
 * many points are placed; written straight as text, with no array of numbers between.
 */
function keypointsJson(
  points: readonly (PosePoint | null)[],
  count: number,
): { json: string; placed: number } {
  let json = '[';
  let placed = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) json += ',';
    const point = points[i];
    if (isPlaced(point)) {
      if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) {
        throw new RangeError(`A keypoint at (${point.x}, ${point.y}) is not a finite position.`);
      }
      json += `${coordinateText(point.x)},${coordinateText(point.y)},${point.visibility === 'occluded' ? 1 : 2}`;
      placed += 1;
    } else {
      json += '0,0,0';
    }
  }
  return { json: json + ']', placed };
}

/** A JSON array of finite numbers (`String` of a finite number is its JSON text). */
function numberArray(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}

const EMPTY_HAND_FIELDS = (side: HandSide): string =>
  `,"${side}_kpts":${numberArray(new Array<number>(WHOLEBODY_HAND_POINTS * 3).fill(0))},"${side}_box":[0,0,0,0],"${side}_valid":false`;
const EMPTY_LEFT_HAND = EMPTY_HAND_FIELDS('lefthand');
const EMPTY_RIGHT_HAND = EMPTY_HAND_FIELDS('righthand');

/**
 * One annotation's JSON after its id, written by hand rather than through `JSON.stringify` of an
 * object: it is the innermost loop of a million-frame export, and the empty hand fields are a
 * constant string.
 */
function annotationBody(entry: Entry, imageId: number): string {
  const count = entry.label.template.keypoints.length;
  const keypoints = keypointsJson(entry.pose.points, count);
  const bbox: XywhBox = entry.box ?? keypointBox(entry.pose.points) ?? [0, 0, 0, 0];
  let json =
    `,"image_id":${imageId},"category_id":${entry.label.id},` +
    `"bbox":${numberArray(bbox)},"area":${roundCoordinate(bbox[2] * bbox[3])},"iscrowd":0,` +
    `"keypoints":${keypoints.json},"num_keypoints":${keypoints.placed},` +
    `"track_id":${entry.trackIndex},"track_name":${JSON.stringify(entry.trackName)},` +
    `"track_uid":${JSON.stringify(entry.track.id)},` +
    `"track_kind":"${entry.track.kind}","interpolated":${String(!entry.pose.isKeyframe)}`;
  if (entry.track.kind === 'person') {
    for (const side of ['lefthand', 'righthand'] as const) {
      const hand = entry.hands?.[side];
      if (!hand) {
        json += side === 'lefthand' ? EMPTY_LEFT_HAND : EMPTY_RIGHT_HAND;
        continue;
      }
      const kpts = keypointsJson(hand.pose.points, WHOLEBODY_HAND_POINTS).json;
      const box = hand.box ?? [0, 0, 0, 0];
      json +=
        `,"${side}_kpts":${kpts},"${side}_box":${numberArray(box)},"${side}_valid":true,` +
        `"${side}_track_name":${JSON.stringify(hand.trackName)},"${side}_track_uid":${JSON.stringify(hand.track.id)},` +
        `"${side}_interpolated":${String(!hand.pose.isKeyframe)}`;
    }
  }
  return json + '}';
}
