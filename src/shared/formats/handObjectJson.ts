import {
  boxAt,
  CONTACT_STATES,
  handBoxTrackOf,
  objectBoxAt,
  poseAt,
  type Box,
  type BoxTrack,
  type ContactLabel,
  type LabelsDocument,
  type ObjectClass,
  type Track,
} from '../domain/labels';
import { trackDisplayNames } from './clipLabels';
import { roundCoordinate, roundSeconds } from './exportNumbers';
import { keypointBox, type XywhBox } from './keypointBox';

export type ClipHandObjects = {
  readonly videoId: string;
  /** Presentation time of every frame, seconds, from the clip's frame table. */
  readonly frameTimes: readonly number[];
  /** The clip's tracks; contacts name hand tracks among them. */
  readonly tracks: readonly Track[];
  readonly contacts: readonly ContactLabel[];
  /** Hand and object boxes (absent for documents from before box tracks). */
  readonly boxTracks?: readonly BoxTrack[] | undefined;
};

export type HandObjectInput = {
  readonly objectClasses: readonly ObjectClass[];
  readonly clips: Iterable<ClipHandObjects>;
};

/**
 * `hand_object.json` (version 2) as a stream of chunks (one per video). Per hand track, one entry
 * per contact label with the 100 Days of Hands codes: `handside` 0 left / 1 right,
 * `contactstate` 0–4.
 *
 * - Frame ranges are **inclusive** at both ends (`end_frame` is the last frame in contact); Ego4D's
 *   are end-exclusive, so a converter to Ego4D adds 1. `start_sec`/`end_sec` are the presentation
 *   times of those two frames, from the frame table.
 * - A hand's box on a frame is its hand box track's (keyframed, interpolated), else the tight box
 *   `[x, y, w, h]` of its placed keypoints there, else null. `hand_box` is that box at
 *   `start_frame`; `object.bbox` the object's box there.
 * - `frames` lists every frame of the contact with `hand_box` and `object_bbox` on it (null where
 *   there is none), so a moving hand and object are exported frame by frame.
 * - `offset` is 100DOH's hand → object vector at `start_frame`, box centre to box centre: a unit
 *   direction and a magnitude in pixels (100DOH's models rescale the magnitude; we do not).
 * - `link` says whose hand it is: `{kind: "person", track_uid, track_name}`,
 *   `{kind: "camera_wearer"}` (first-person footage), or null when nobody linked it.
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
      version: 2,
      frame_ranges: 'inclusive',
      contact_states: CONTACT_STATES,
      object_classes: objectClasses.map((c) => ({ id: c.id, name: c.name })),
    };
    this.head = `${JSON.stringify(header).slice(0, -1)},"videos":[`;
  }

  clip(clip: ClipHandObjects): string {
    const text = (this.#first ? '\n' : ',\n') + this.videoJson(clip);
    this.#first = false;
    return text;
  }

  /** One clip's entry of `videos` without its separator: it depends on no other clip. */
  videoJson(clip: ClipHandObjects): string {
    return JSON.stringify(videoOf(clip, this.#classNames));
  }
}

function videoOf(clip: ClipHandObjects, classNames: ReadonlyMap<number, string>): object {
  const tracks = new Map(clip.tracks.map((t) => [t.id, t]));
  const names = trackDisplayNames(clip.tracks);
  const boxTracks = clip.boxTracks ?? [];
  const doc: LabelsDocument = {
    tracks: clip.tracks,
    segments: [],
    contacts: clip.contacts,
    boxTracks,
  };
  const hands = new Map<string, object[]>();
  for (const track of clip.tracks) {
    if (track.kind === 'person') continue;
    // A hand with a box or an owner is written even before it has a contact label.
    if (track.link !== undefined || handBoxTrackOf(boxTracks, track.id)) hands.set(track.id, []);
  }
  for (const contact of clip.contacts) {
    const track = tracks.get(contact.trackId);
    if (!track || track.kind === 'person') {
      throw new RangeError(
        `Contact "${contact.id}" of video "${clip.videoId}" is on "${contact.trackId}", which is not a hand track of that video.`,
      );
    }
    const list = hands.get(track.id) ?? [];
    list.push(contactOf(clip, doc, track, contact, classNames));
    hands.set(track.id, list);
  }
  return {
    video_id: clip.videoId,
    hands: [...hands].map(([trackId, contacts]) => {
      const track = tracks.get(trackId) as Track;
      return {
        track_id: trackId,
        track_name: names.get(trackId) ?? trackId,
        handside: track.kind === 'left_hand' ? 0 : 1,
        link: linkOf(track, tracks, names),
        contacts,
      };
    }),
  };
}

function linkOf(
  track: Track,
  tracks: ReadonlyMap<string, Track>,
  names: ReadonlyMap<string, string>,
): object | null {
  const link = track.link;
  if (link === undefined) return null;
  if (link.kind === 'camera_wearer') return { kind: 'camera_wearer' };
  if (!tracks.has(link.trackId)) return null;
  return {
    kind: 'person',
    track_uid: link.trackId,
    track_name: names.get(link.trackId) ?? link.trackId,
  };
}

/** A hand's box on `frame`: its box track's, else the box of its placed keypoints. */
export function handBoxAt(
  track: Track,
  boxTracks: readonly BoxTrack[],
  frame: number,
): XywhBox | undefined {
  const boxTrack = handBoxTrackOf(boxTracks, track.id);
  const boxed = boxTrack ? boxAt(boxTrack, frame) : undefined;
  if (boxed) return xywh(boxed.box);
  const pose = poseAt(track, frame);
  return pose ? keypointBox(pose.points) : undefined;
}

function contactOf(
  clip: ClipHandObjects,
  doc: LabelsDocument,
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
  const boxTracks = doc.boxTracks ?? [];
  const handBox = handBoxAt(track, boxTracks, contact.startFrame);
  const object = contact.object;
  const objectBox = objectBoxAt(doc, contact, contact.startFrame)?.box;
  let className: string | undefined;
  if (object) {
    className = classNames.get(object.classId);
    if (className === undefined) {
      throw new RangeError(
        `Contact "${contact.id}" names object class ${object.classId}, which the project lacks.`,
      );
    }
  }
  const frames: object[] = [];
  for (let frame = contact.startFrame; frame <= contact.endFrame; frame++) {
    const objectAt = objectBoxAt(doc, contact, frame)?.box;
    frames.push({
      frame,
      sec: time(frame),
      hand_box: handBoxAt(track, boxTracks, frame) ?? null,
      object_bbox: objectAt ? xywh(objectAt) : null,
    });
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
      ? {
          bbox: objectBox ? xywh(objectBox) : null,
          class_id: object.classId,
          class_name: className,
          box_track_uid: 'boxTrackId' in object ? object.boxTrackId : null,
        }
      : null,
    offset: handBox && objectBox ? offsetOf(handBox, objectBox) : null,
    segment_id: contact.segmentId,
    frames,
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
