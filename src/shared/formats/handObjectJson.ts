import {
  CONTACT_STATES,
  poseAt,
  type Box,
  type ContactLabel,
  type ObjectClass,
  type Track,
} from '../domain/labels';
import { roundCoordinate, roundSeconds } from './exportNumbers';
import { keypointBox, type XywhBox } from './keypointBox';

export type ClipHandObjects = {
  readonly videoId: string;
  /** Presentation time of every frame, seconds, from the clip's frame table. */
  readonly frameTimes: readonly number[];
  /** The clip's tracks; contacts name hand tracks among them. */
  readonly tracks: readonly Track[];
  readonly contacts: readonly ContactLabel[];
};

export type HandObjectInput = {
  readonly objectClasses: readonly ObjectClass[];
  readonly clips: Iterable<ClipHandObjects>;
};

/**
 * `hand_object.json` as a stream of chunks (one per video). Per hand track, one entry per contact
 * label with the 100 Days of Hands codes: `handside` 0 left / 1 right, `contactstate` 0–4.
 *
 * - Frame ranges are **inclusive** at both ends (`end_frame` is the last frame in contact); Ego4D's
 *   are end-exclusive, so a converter to Ego4D adds 1. `start_sec`/`end_sec` are the presentation
 *   times of those two frames, from the frame table.
 * - `hand_box` is the tight box `[x, y, w, h]` of the hand's placed keypoints at `start_frame`
 *   (interpolated if that is not a keyframe), null when the hand has no placed point there.
 *   `object.bbox` is the object's box at `start_frame`, as the labels model stores it.
 * - `offset` is 100DOH's hand → object vector, box centre to box centre: a unit direction and a
 *   magnitude in pixels (100DOH's models rescale the magnitude; we do not).
 * - `segment_id` links the action segment, or null.
 */
export function* handObjectJsonChunks(input: HandObjectInput): Generator<string> {
  const writer = new HandObjectWriter(input.objectClasses);
  yield writer.head;
  for (const clip of input.clips) yield writer.clip(clip);
  yield writer.tail;
}

/** `hand_object.json` clip by clip: `head`, each clip's text (with its separator), `tail`. */
export class HandObjectWriter {
  readonly head: string;
  readonly tail = '\n]}\n';
  readonly #classNames: ReadonlyMap<number, string>;
  #first = true;

  constructor(objectClasses: readonly ObjectClass[]) {
    this.#classNames = new Map(objectClasses.map((c) => [c.id, c.name]));
    const header = {
      format: 'framewise-hand-object',
      version: 1,
      frame_ranges: 'inclusive',
      contact_states: CONTACT_STATES,
      object_classes: objectClasses.map((c) => ({ id: c.id, name: c.name })),
    };
    this.head = `${JSON.stringify(header).slice(0, -1)},"videos":[`;
  }

  clip(clip: ClipHandObjects): string {
    const text = (this.#first ? '\n' : ',\n') + JSON.stringify(videoOf(clip, this.#classNames));
    this.#first = false;
    return text;
  }
}

function videoOf(clip: ClipHandObjects, classNames: ReadonlyMap<number, string>): object {
  const tracks = new Map(clip.tracks.map((t) => [t.id, t]));
  const hands = new Map<string, object[]>();
  for (const contact of clip.contacts) {
    const track = tracks.get(contact.trackId);
    if (!track || track.kind === 'person') {
      throw new RangeError(
        `Contact "${contact.id}" of video "${clip.videoId}" is on "${contact.trackId}", which is not a hand track of that video.`,
      );
    }
    const list = hands.get(track.id) ?? [];
    list.push(contactOf(clip, track, contact, classNames));
    hands.set(track.id, list);
  }
  return {
    video_id: clip.videoId,
    hands: [...hands].map(([trackId, contacts]) => ({
      track_id: trackId,
      handside: (tracks.get(trackId) as Track).kind === 'left_hand' ? 0 : 1,
      contacts,
    })),
  };
}

function contactOf(
  clip: ClipHandObjects,
  track: Track,
  contact: ContactLabel,
  classNames: ReadonlyMap<number, string>,
): object {
  const time = (frame: number): number => {
    const t = clip.frameTimes[frame];
    if (t === undefined) {
      throw new RangeError(
        `Contact "${contact.id}" of video "${clip.videoId}" reaches frame ${frame}, but its frame table has ${clip.frameTimes.length} frames.`,
      );
    }
    return roundSeconds(t);
  };
  const pose = poseAt(track, contact.startFrame);
  const handBox = pose ? keypointBox(pose.points) : undefined;
  const object = contact.object;
  let className: string | undefined;
  if (object) {
    className = classNames.get(object.classId);
    if (className === undefined) {
      throw new RangeError(
        `Contact "${contact.id}" names object class ${object.classId}, which the project lacks.`,
      );
    }
  }
  return {
    id: contact.id,
    start_frame: contact.startFrame,
    end_frame: contact.endFrame,
    start_sec: time(contact.startFrame),
    end_sec: time(contact.endFrame),
    contactstate: contact.state,
    hand_box: handBox ?? null,
    object: object
      ? { bbox: xywh(object.box), class_id: object.classId, class_name: className }
      : null,
    offset: handBox && object ? offsetOf(handBox, object.box) : null,
    segment_id: contact.segmentId,
  };
}

function xywh(box: Box): XywhBox {
  return [
    roundCoordinate(box.x),
    roundCoordinate(box.y),
    roundCoordinate(box.w),
    roundCoordinate(box.h),
  ];
}

function offsetOf(
  hand: XywhBox,
  object: Box,
): { unitdx: number; unitdy: number; magnitude: number } {
  const dx = object.x + object.w / 2 - (hand[0] + hand[2] / 2);
  const dy = object.y + object.h / 2 - (hand[1] + hand[3] / 2);
  const magnitude = Math.hypot(dx, dy);
  if (magnitude === 0) return { unitdx: 0, unitdy: 0, magnitude: 0 };
  return {
    unitdx: Math.round((dx / magnitude) * 1e4) / 1e4,
    unitdy: Math.round((dy / magnitude) * 1e4) / 1e4,
    magnitude: roundCoordinate(magnitude),
  };
}
