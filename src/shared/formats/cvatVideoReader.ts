import {
  absentKeyframe,
  newTrackLabel,
  withoutRedundantAbsence,
  type Keyframe,
  type Keypoint,
  type Track,
} from '../domain/labels';
import { trackColor, trackKindOf, type ExportLabel } from './clipLabels';
import { childNamed, parseXml, type XmlElement } from './xmlParser';

export type CvatVideoLabels = {
  readonly size: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly tracks: Track[];
};

export class CvatReadError extends Error {
  override readonly name = 'CvatReadError';
}

/**
 * Reads skeleton tracks from CVAT for video 1.1 XML. Keyframes are the `<skeleton>` elements with
 * `keyframe="1"`; CVAT interpolates the frames between, as we do, so the in-between frames are not
 * needed. A keyframe `outside="1"` becomes an absent keyframe, with CVAT's meaning: the shape
 * before it holds up to the frame before it, and the track is out of the picture from it until its
 * next keyframe (a person who walks out at 41 and back in at 60 is on no frame of 41–59). Points are matched to template keypoints **by sublabel name**,
 * so a file listing them in another order still lands in template order (CVAT #5048). A point
 * `outside="1"` on a keyframe becomes an explicit `unlabeled` point (0, 0); a keypoint the file
 * does not mention stays undecided (null). Labels map to templates through `labels` (by name);
 * tracks of other labels and non-skeleton shapes are refused, not dropped silently. Track ids
 * are `cvat-<id>`.
 */
export function readCvatVideo(xml: string, labels: readonly ExportLabel[]): CvatVideoLabels {
  const root = parseXml(xml);
  if (root.name !== 'annotations') {
    throw new CvatReadError(`Expected <annotations> as the root element, found <${root.name}>.`);
  }
  const task = childNamed(childNamed(root, 'meta') ?? root, 'task');
  const original = task && childNamed(task, 'original_size');
  const number = (element: XmlElement | undefined): number | undefined =>
    element === undefined ? undefined : Number(element.text.trim());
  const byName = new Map(labels.map((label) => [label.name, label]));
  const tracks: Track[] = [];
  for (const element of root.children) {
    if (element.name !== 'track') continue;
    const labelName = element.attributes.label ?? '';
    const label = byName.get(labelName);
    const cvatId = element.attributes.id ?? String(tracks.length);
    if (!label) {
      throw new CvatReadError(
        `Track ${cvatId} has label "${labelName}", which matches no template (known: ${[...byName.keys()].join(', ')}).`,
      );
    }
    const keyframes: Keyframe[] = [];
    for (const shape of element.children) {
      if (shape.name !== 'skeleton') {
        throw new CvatReadError(
          `Track ${cvatId} holds <${shape.name}> shapes; only skeleton tracks can be imported.`,
        );
      }
      if (shape.attributes.keyframe !== '1') continue;
      keyframes.push(
        shape.attributes.outside === '1'
          ? absentKeyframe(frameOf(shape, cvatId))
          : { frame: frameOf(shape, cvatId), points: pointsOf(shape, label, cvatId) },
      );
    }
    keyframes.sort((a, b) => a.frame - b.frame);
    tracks.push({
      id: `cvat-${cvatId}`,
      kind: trackKindOf(label.template),
      templateId: label.template.id,
      // Named as a track made here is ("Person 2"); CVAT's id stays in `id`.
      label: newTrackLabel(trackKindOf(label.template), tracks),
      color: trackColor(tracks.length),
      keyframes: withoutRedundantAbsence(keyframes),
    });
  }
  return {
    size: number(task && childNamed(task, 'size')),
    width: number(original && childNamed(original, 'width')),
    height: number(original && childNamed(original, 'height')),
    tracks,
  };
}

function frameOf(shape: XmlElement, trackId: string): number {
  const frame = Number(shape.attributes.frame);
  if (!Number.isInteger(frame) || frame < 0) {
    throw new CvatReadError(
      `Track ${trackId} has a shape with frame "${shape.attributes.frame ?? ''}".`,
    );
  }
  return frame;
}

function pointsOf(shape: XmlElement, label: ExportLabel, trackId: string): (Keypoint | null)[] {
  const names = label.template.keypoints;
  const points: (Keypoint | null)[] = names.map(() => null);
  for (const element of shape.children) {
    if (element.name !== 'points') continue;
    const index = names.indexOf(element.attributes.label ?? '');
    if (index < 0) {
      throw new CvatReadError(
        `Track ${trackId}, frame ${shape.attributes.frame ?? '?'}: "${element.attributes.label ?? ''}" is not a keypoint of ${label.template.id}.`,
      );
    }
    if (element.attributes.outside === '1') {
      points[index] = { x: 0, y: 0, visibility: 'unlabeled', source: 'manual' };
      continue;
    }
    const [x, y] = (element.attributes.points ?? '').split(',').map(Number);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new CvatReadError(
        `Track ${trackId}, frame ${shape.attributes.frame ?? '?'}: point "${names[index] ?? ''}" has no valid "x,y".`,
      );
    }
    const visibility = element.attributes.occluded === '1' ? 'occluded' : 'visible';
    points[index] = { x, y, visibility, source: 'manual' };
  }
  return points;
}
