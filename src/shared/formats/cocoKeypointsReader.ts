import { z } from 'zod';
import type { Keyframe, Keypoint, Track } from '../domain/labels';
import { trackColor, trackKindOf, type ExportLabel } from './clipLabels';

export type CocoVideoLabels = {
  readonly videoId: string;
  readonly width: number;
  readonly height: number;
  readonly tracks: Track[];
};

export type ReadCocoOptions = {
  /**
   * Skip annotations flagged `interpolated` (files Framewise wrote), so only the keyframes come
   * back and the frames between are interpolated again. Otherwise every frame becomes a keyframe,
   * which is what a file from another tool needs.
   */
  readonly keyframesOnly?: boolean;
};

export class CocoReadError extends Error {
  override readonly name = 'CocoReadError';
}

const Triples = z.array(z.number());

const CocoFile = z.looseObject({
  categories: z.array(
    z.looseObject({
      id: z.number(),
      name: z.string(),
      keypoints: z.array(z.string()),
      template_id: z.string().optional(),
    }),
  ),
  images: z.array(
    z.looseObject({
      id: z.number(),
      width: z.number(),
      height: z.number(),
      video_id: z.union([z.string(), z.number()]).optional(),
      frame_index: z.number().int().min(0),
    }),
  ),
  annotations: z.array(
    z.looseObject({
      id: z.number(),
      image_id: z.number(),
      category_id: z.number(),
      keypoints: Triples,
      track_id: z.union([z.string(), z.number()]).optional(),
      track_name: z.string().optional(),
      track_uid: z.string().min(1).optional(),
      interpolated: z.boolean().optional(),
      lefthand_kpts: Triples.optional(),
      righthand_kpts: Triples.optional(),
      lefthand_valid: z.boolean().optional(),
      righthand_valid: z.boolean().optional(),
      lefthand_track_name: z.string().optional(),
      righthand_track_name: z.string().optional(),
      lefthand_track_uid: z.string().min(1).optional(),
      righthand_track_uid: z.string().min(1).optional(),
      lefthand_interpolated: z.boolean().optional(),
      righthand_interpolated: z.boolean().optional(),
    }),
  ),
});

type TrackDraft = { track: Omit<Track, 'keyframes'>; keyframes: Map<number, Keyframe> };

/**
 * Reads a COCO keypoints file of video frames back into tracks and keyframes, per video.
 *
 * - Images must carry `frame_index` (and `video_id`, else all frames are one video "default").
 * - A category maps to a template by its `template_id`, else to the first template with the same
 *   keypoint names; keypoints are placed **by name**, so a file in another order still lands in
 *   template order (CVAT #5048).
 * - Tracks are grouped by `track_uid` (Framewise's track id, kept as the track's id), else
 *   `track_name`, else `track_id`, and labeled `track_name`; `v` 2 → visible, 1 → occluded, 0 →
 *   an explicit `unlabeled` point at 0, 0 (COCO cannot tell "unlabeled" from "undecided").
 * - COCO-WholeBody hands with `*_valid` true become hand tracks identified by `*_track_uid`, named
 *   by `*_track_name` (else `<person track>/lefthand`) when `labels` has a hand template for that
 *   side.
 * - Two annotations of one track on one frame are an error, not a silent overwrite.
 */
export function readCocoKeypoints(
  text: string,
  labels: readonly ExportLabel[],
  options: ReadCocoOptions = {},
): CocoVideoLabels[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CocoReadError(
      `The COCO file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = CocoFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CocoReadError(
      `The COCO file does not have the expected shape at ${issue?.path.map(String).join('.') ?? '?'}: ${issue?.message ?? ''} (video frames need "frame_index").`,
    );
  }
  const file = parsed.data;
  const categories = new Map(
    file.categories.map((category) => {
      const label =
        labels.find((l) => l.template.id === category.template_id) ??
        labels.find((l) => sameNames(l.template.keypoints, category.keypoints));
      if (!label) {
        throw new CocoReadError(
          `Category ${category.id} ("${category.name}") matches no template by id or keypoint names.`,
        );
      }
      return [
        category.id,
        { label, slots: slotsFor(category.keypoints, label.template.keypoints) },
      ];
    }),
  );
  const handLabel = (kind: Track['kind']): ExportLabel | undefined =>
    labels.find((l) => l.template.kind === 'hand' && trackKindOf(l.template) === kind);
  const images = new Map(file.images.map((image) => [image.id, image]));
  const videos = new Map<
    string,
    { width: number; height: number; tracks: Map<string, TrackDraft> }
  >();

  const addKeyframe = (
    videoId: string,
    trackId: string,
    trackName: string,
    label: ExportLabel,
    frame: number,
    points: (Keypoint | null)[],
  ): void => {
    const video = videos.get(videoId) as { tracks: Map<string, TrackDraft> };
    let draft = video.tracks.get(trackId);
    if (!draft) {
      draft = {
        track: {
          id: trackId,
          kind: trackKindOf(label.template),
          templateId: label.template.id,
          label: trackName,
          color: trackColor(video.tracks.size),
        },
        keyframes: new Map(),
      };
      video.tracks.set(trackId, draft);
    } else if (draft.track.templateId !== label.template.id) {
      throw new CocoReadError(`Track "${trackName}" of video "${videoId}" mixes templates.`);
    }
    if (draft.keyframes.has(frame)) {
      throw new CocoReadError(
        `Track "${trackName}" of video "${videoId}" has two annotations on frame ${frame}.`,
      );
    }
    draft.keyframes.set(frame, { frame, points });
  };

  for (const annotation of file.annotations) {
    const image = images.get(annotation.image_id);
    const category = categories.get(annotation.category_id);
    if (!image || !category) {
      throw new CocoReadError(
        `Annotation ${annotation.id} refers to ${image ? `category ${annotation.category_id}` : `image ${annotation.image_id}`}, which the file does not have.`,
      );
    }
    const videoId = String(image.video_id ?? 'default');
    if (!videos.has(videoId))
      videos.set(videoId, { width: image.width, height: image.height, tracks: new Map() });
    const trackName =
      annotation.track_name ??
      (annotation.track_id === undefined ? undefined : String(annotation.track_id));
    const trackId = annotation.track_uid ?? trackName;
    if (trackName === undefined || trackId === undefined) {
      throw new CocoReadError(
        `Annotation ${annotation.id} has no track_id or track_name; video labels need tracks.`,
      );
    }
    const frame = image.frame_index;
    // A hand written with its box and no point (a box track only) has no keypoints to read.
    if (
      !(options.keyframesOnly && annotation.interpolated === true) &&
      anyLabeled(annotation.keypoints)
    ) {
      addKeyframe(
        videoId,
        trackId,
        trackName,
        category.label,
        frame,
        pointsOf(
          annotation.keypoints,
          category.slots,
          category.label.template.keypoints.length,
          annotation.id,
        ),
      );
    }
    for (const side of ['lefthand', 'righthand'] as const) {
      const label = handLabel(side === 'lefthand' ? 'left_hand' : 'right_hand');
      const kpts = annotation[`${side}_kpts`];
      if (annotation[`${side}_valid`] !== true || !label || !kpts || !anyLabeled(kpts)) continue;
      if (options.keyframesOnly && annotation[`${side}_interpolated`] === true) continue;
      const slots = label.template.keypoints.map((_, i) => i);
      const handName = annotation[`${side}_track_name`] ?? `${trackName}/${side}`;
      addKeyframe(
        videoId,
        annotation[`${side}_track_uid`] ?? handName,
        handName,
        label,
        frame,
        pointsOf(kpts, slots, slots.length, annotation.id),
      );
    }
  }

  return [...videos].map(([videoId, video]) => ({
    videoId,
    width: video.width,
    height: video.height,
    tracks: [...video.tracks.values()].map((draft) => ({
      ...draft.track,
      keyframes: [...draft.keyframes.values()].sort((a, b) => a.frame - b.frame),
    })),
  }));
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
}

/** For each keypoint of the file's category, its slot in the template (-1 when absent). */
function slotsFor(fileNames: readonly string[], templateNames: readonly string[]): number[] {
  return fileNames.map((name) => templateNames.indexOf(name));
}

function anyLabeled(triples: readonly number[]): boolean {
  for (let i = 2; i < triples.length; i += 3) if (triples[i] !== 0) return true;
  return false;
}

function pointsOf(
  triples: readonly number[],
  slots: readonly number[],
  count: number,
  annotationId: number,
): (Keypoint | null)[] {
  if (triples.length !== slots.length * 3) {
    throw new CocoReadError(
      `Annotation ${annotationId} has ${triples.length} keypoint numbers; its category needs ${slots.length * 3}.`,
    );
  }
  const points: (Keypoint | null)[] = new Array<Keypoint | null>(count).fill(null);
  slots.forEach((slot, j) => {
    if (slot < 0) return;
    const x = triples[3 * j] as number;
    const y = triples[3 * j + 1] as number;
    const v = triples[3 * j + 2] as number;
    points[slot] =
      v === 0
        ? { x: 0, y: 0, visibility: 'unlabeled', source: 'manual' }
        : { x, y, visibility: v === 1 ? 'occluded' : 'visible', source: 'manual' };
  });
  return points;
}
