import type { Track, TrackKind } from './tracks';

/**
 * The names people see for tracks and timeline rows, in the UI and in exports: never an id (a
 * UUID in a message means nothing to the person reading it). One rule, used everywhere.
 */

/** The timeline row of the person wearing the camera (first-person footage). */
export const CAMERA_WEARER_ACTOR = 'camera_wearer';

const KIND_NAMES: Readonly<Record<TrackKind, string>> = {
  person: 'Person',
  left_hand: 'Left hand',
  right_hand: 'Right hand',
};

export function kindName(kind: TrackKind): string {
  return KIND_NAMES[kind];
}

/** "Person 3" for a new person track: the lowest number no track of that kind is called by. */
export function newTrackLabel(kind: TrackKind, tracks: readonly Pick<Track, 'label'>[]): string {
  const taken = new Set(tracks.map((t) => t.label.trim()));
  let n = 1;
  while (taken.has(`${KIND_NAMES[kind]} ${n}`)) n++;
  return `${KIND_NAMES[kind]} ${n}`;
}

/**
 * A track's name: the label the annotator gave it, else its kind and its number among the
 * document's tracks of that kind ("Left hand 2").
 */
export function trackDisplayName(
  track: Pick<Track, 'id' | 'kind' | 'label'>,
  tracks: readonly Pick<Track, 'id' | 'kind'>[] = [track],
): string {
  const label = track.label.trim();
  if (label !== '') return label;
  const sameKind = tracks.filter((t) => t.kind === track.kind);
  const number = sameKind.findIndex((t) => t.id === track.id) + 1;
  return `${KIND_NAMES[track.kind]} ${number > 0 ? number : sameKind.length + 1}`;
}

/** A timeline row's name: the camera wearer, a person track's name, or a removed track. */
export function rowDisplayName(
  actor: string,
  tracks: readonly Pick<Track, 'id' | 'kind' | 'label'>[],
): string {
  if (actor === CAMERA_WEARER_ACTOR) return 'Camera wearer';
  const track = tracks.find((t) => t.id === actor);
  return track ? trackDisplayName(track, tracks) : 'Removed track';
}
