import { boxTrackDisplayName, type BoxTrack } from '../labels/boxTracks';
import type { ContactLabel } from '../labels/contact';
import { boxTracksOf, type LabelsDocument } from '../labels/labelsDocument';
import type { Segment } from '../labels/segments';
import type { Keyframe, Track } from '../labels/tracks';

/** What one record did between two revisions. */
export type Change<T> =
  | { readonly kind: 'added'; readonly after: T }
  | { readonly kind: 'removed'; readonly before: T }
  | { readonly kind: 'changed'; readonly before: T; readonly after: T };

export type KeyframeChange = Change<Keyframe> & {
  readonly trackId: string;
  readonly frame: number;
  /** Template slots whose point differs (for 'changed'); every slot for added/removed. */
  readonly points: readonly number[];
};

/** A box keyframe added, removed or moved (hand, object or face box). */
export type BoxKeyframeChange = {
  readonly kind: Change<unknown>['kind'];
  readonly boxTrackId: string;
  readonly name: string;
  readonly frame: number;
};

export type LabelsDiff = {
  /** A hand linked to someone else shows as its track changed. */
  readonly tracks: readonly Change<Pick<Track, 'id' | 'label' | 'kind' | 'templateId' | 'link'>>[];
  readonly keyframes: readonly KeyframeChange[];
  readonly segments: readonly Change<Segment>[];
  readonly contacts: readonly Change<ContactLabel>[];
  /** Absent from diffs made before box tracks. */
  readonly boxKeyframes?: readonly BoxKeyframeChange[] | undefined;
};

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffById<T extends { id: string }>(
  before: readonly T[],
  after: readonly T[],
): Change<T>[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const changes: Change<T>[] = [];
  for (const record of after) {
    const previous = old.get(record.id);
    if (!previous) changes.push({ kind: 'added', after: record });
    else if (!same(previous, record))
      changes.push({ kind: 'changed', before: previous, after: record });
    old.delete(record.id);
  }
  for (const record of old.values()) changes.push({ kind: 'removed', before: record });
  return changes;
}

function keyframeChanges(before: Track | undefined, after: Track | undefined): KeyframeChange[] {
  const trackId = (after ?? before)?.id ?? '';
  const old = new Map((before?.keyframes ?? []).map((k) => [k.frame, k]));
  const changes: KeyframeChange[] = [];
  const allSlots = (k: Keyframe) => k.points.map((_, i) => i);
  for (const keyframe of after?.keyframes ?? []) {
    const previous = old.get(keyframe.frame);
    old.delete(keyframe.frame);
    if (!previous) {
      changes.push({
        kind: 'added',
        after: keyframe,
        trackId,
        frame: keyframe.frame,
        points: allSlots(keyframe),
      });
      continue;
    }
    const count = Math.max(previous.points.length, keyframe.points.length);
    const points: number[] = [];
    for (let i = 0; i < count; i++) {
      if (!same(previous.points[i] ?? null, keyframe.points[i] ?? null)) points.push(i);
    }
    if (points.length > 0) {
      changes.push({
        kind: 'changed',
        before: previous,
        after: keyframe,
        trackId,
        frame: keyframe.frame,
        points,
      });
    }
  }
  for (const keyframe of old.values()) {
    changes.push({
      kind: 'removed',
      before: keyframe,
      trackId,
      frame: keyframe.frame,
      points: allSlots(keyframe),
    });
  }
  return changes.sort((a, b) => a.frame - b.frame);
}

/**
 * What changed between the revision a reviewer saw and the one resubmitted: tracks, keyframes
 * (with the points that moved), segments and contact labels, each added, removed or changed.
 */
export function labelsDiff(before: LabelsDocument, after: LabelsDocument): LabelsDiff {
  const summary = (t: Track) => ({
    id: t.id,
    label: t.label,
    kind: t.kind,
    templateId: t.templateId,
    ...(t.link === undefined ? {} : { link: t.link }),
  });
  const oldTracks = new Map(before.tracks.map((t) => [t.id, t]));
  const keyframes: KeyframeChange[] = [];
  for (const track of after.tracks) {
    keyframes.push(...keyframeChanges(oldTracks.get(track.id), track));
    oldTracks.delete(track.id);
  }
  for (const track of oldTracks.values()) keyframes.push(...keyframeChanges(track, undefined));
  return {
    tracks: diffById(before.tracks.map(summary), after.tracks.map(summary)),
    keyframes,
    segments: diffById(before.segments, after.segments),
    contacts: diffById(before.contacts, after.contacts),
    boxKeyframes: boxKeyframeChanges(boxTracksOf(before), boxTracksOf(after)),
  };
}

function boxKeyframeChanges(
  before: readonly BoxTrack[],
  after: readonly BoxTrack[],
): BoxKeyframeChange[] {
  const changes: BoxKeyframeChange[] = [];
  const old = new Map(before.map((t) => [t.id, t]));
  const ids = new Set([...before.map((t) => t.id), ...after.map((t) => t.id)]);
  for (const id of ids) {
    const a = old.get(id);
    const b = after.find((t) => t.id === id);
    const name = boxTrackDisplayName((b ?? a) as BoxTrack);
    const was = new Map((a?.keyframes ?? []).map((k) => [k.frame, k]));
    for (const keyframe of b?.keyframes ?? []) {
      const previous = was.get(keyframe.frame);
      was.delete(keyframe.frame);
      if (!previous) changes.push({ kind: 'added', boxTrackId: id, name, frame: keyframe.frame });
      else if (!same(previous, keyframe)) {
        changes.push({ kind: 'changed', boxTrackId: id, name, frame: keyframe.frame });
      }
    }
    for (const frame of was.keys()) changes.push({ kind: 'removed', boxTrackId: id, name, frame });
  }
  return changes.sort((x, y) => x.frame - y.frame);
}

export function isEmptyDiff(diff: LabelsDiff): boolean {
  return (
    diff.tracks.length === 0 &&
    diff.keyframes.length === 0 &&
    diff.segments.length === 0 &&
    diff.contacts.length === 0 &&
    (diff.boxKeyframes ?? []).length === 0
  );
}
