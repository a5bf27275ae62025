import type { AnnotationStatus, LabelsDocument } from '../domain/labels';
import type { ClipLabels } from './clipLabels';
import type { ProvenanceRecord } from './provenanceJsonl';

/**
 * What the workstation's export and `framewise-server export` both derive from a set and its clip,
 * in one place, so the two write the same files from the same labels.
 */

/** Review states each export filter admits, best first (the set exported when a clip has several). */
export const EXPORT_STATUSES = {
  accepted: ['accepted'],
  submitted: ['accepted', 'in_review', 'submitted'],
} as const satisfies Record<'accepted' | 'submitted', readonly AnnotationStatus[]>;

/** The displayed (upright) size, the space keypoints are stored in, from the coded size. */
export function displayedSize(
  width: number,
  height: number,
  rotation: number,
): { width: number; height: number } {
  const turned = rotation === 90 || rotation === 270;
  return turned ? { width: height, height: width } : { width, height };
}

/**
 * One clip's labels as the keypoint writers take them. A hand linked to a person is that
 * person's (COCO-WholeBody fields); a hand linked to the camera wearer is nobody's in the picture
 * and is written on its own. An unlinked hand, in a clip with one person, is that person's (what
 * documents from before links meant), otherwise it is written on its own.
 */
export function clipLabelsOf(input: {
  videoId: string;
  width: number;
  height: number;
  frameTimes: readonly number[];
  doc: LabelsDocument;
}): ClipLabels {
  const people = input.doc.tracks.filter((t) => t.kind === 'person');
  const person = people.length === 1 ? people[0] : undefined;
  const handOwners: Record<string, string> = {};
  for (const track of input.doc.tracks) {
    if (track.kind === 'person') continue;
    if (track.link?.kind === 'person') handOwners[track.id] = track.link.trackId;
    else if (track.link === undefined && person) handOwners[track.id] = person.id;
  }
  return {
    videoId: input.videoId,
    width: input.width,
    height: input.height,
    frameTimes: input.frameTimes,
    tracks: input.doc.tracks,
    handOwners,
    boxTracks: input.doc.boxTracks ?? [],
  };
}

/** The pre-annotation model of the first model-made point, as "name@version" splits. */
export function preAnnotationOf(doc: LabelsDocument): ProvenanceRecord['pre_annotation'] {
  for (const track of doc.tracks) {
    for (const keyframe of track.keyframes) {
      const point = keyframe.points.find((p) => p?.source === 'model');
      if (point?.source === 'model') {
        // Recorded as "name@version" by the pre-annotation; a bare name has no version.
        const [model = '', version] = point.model.split('@');
        return { model, version: version ?? 'unrecorded' };
      }
    }
  }
  return null;
}
