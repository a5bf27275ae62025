import type { BoxTrack, SkeletonTemplate, Track } from '../domain/labels';

/** Colours given to tracks a reader creates (files carry none). */
const TRACK_COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#46f0f0'];

export function trackColor(index: number): string {
  return TRACK_COLORS[index % TRACK_COLORS.length] as string;
}

/**
 * One clip's labels as the export service reads them from the store: the tracks of its annotation
 * set and its frame table. Writers take clips one at a time, so memory holds one clip's keyframes,
 * never the whole export.
 */
export type ClipLabels = {
  /** Written as `video_id`; unique within one export. */
  readonly videoId: string;
  /** The displayed (upright) picture size, the space keypoints are stored in. */
  readonly width: number;
  readonly height: number;
  /** Presentation time of every frame, seconds, from the clip's frame table. */
  readonly frameTimes: readonly number[];
  readonly tracks: readonly Track[];
  /**
   * Hand track id → the person track id it belongs to (`clipLabelsOf` derives it from the hands'
   * links); hands without an owner are written on their own.
   */
  readonly handOwners?: Readonly<Record<string, string>>;
  /** Hand boxes among them give the hands' boxes; absent for documents from before box tracks. */
  readonly boxTracks?: readonly BoxTrack[] | undefined;
};

/** A label of an export: its name in the file and the template that gives its keypoints. */
export type ExportLabel = {
  readonly id: number;
  readonly name: string;
  readonly supercategory: string;
  readonly template: SkeletonTemplate;
};

/**
 * Export labels for templates: COCO-17 becomes category 1 `person` (what COCO tools expect), the
 * rest are numbered on in the given order and named by template id.
 */
export function exportLabelsFor(templates: readonly SkeletonTemplate[]): ExportLabel[] {
  const body = templates.find((t) => t.id === 'coco17-body');
  const rest = templates.filter((t) => t !== body);
  const labels: ExportLabel[] = [];
  if (body) labels.push({ id: 1, name: 'person', supercategory: 'person', template: body });
  for (const template of rest) {
    labels.push({
      id: labels.length + 1,
      name: template.id,
      supercategory: template.kind === 'hand' ? 'hand' : 'person',
      template,
    });
  }
  return labels;
}

/** The label for each track's template; a track whose template is not exported is an error. */
export function labelsByTrack(
  tracks: readonly Track[],
  labels: readonly ExportLabel[],
  videoId: string,
): Map<string, ExportLabel> {
  const byTemplate = new Map(labels.map((label) => [label.template.id, label]));
  const result = new Map<string, ExportLabel>();
  for (const track of tracks) {
    const label = byTemplate.get(track.templateId);
    if (!label) {
      throw new RangeError(
        `Track "${track.id}" of video "${videoId}" uses template "${track.templateId}", which is not among the exported labels.`,
      );
    }
    result.set(track.id, label);
  }
  return result;
}

const KIND_NAMES: Record<Track['kind'], string> = {
  person: 'Person',
  left_hand: 'Left hand',
  right_hand: 'Right hand',
};

/**
 * The name each track is written under where a format has a name (COCO `track_name`): the label
 * the annotator sees ("Person 1"), else its kind and number among the clip's tracks of that kind,
 * never the track's id (a UUID means nothing to a person reading the file). Names repeated in
 * one clip get " (2)", " (3)" so each still names one track.
 */
export function trackDisplayNames(tracks: readonly Track[]): Map<string, string> {
  const perKind = new Map<Track['kind'], number>();
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const track of tracks) {
    const number = (perKind.get(track.kind) ?? 0) + 1;
    perKind.set(track.kind, number);
    const base = track.label.trim() || `${KIND_NAMES[track.kind]} ${number}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
    used.add(name);
    names.set(track.id, name);
  }
  return names;
}

/** For readers: the kind of track a template's tracks are (hand side from the template id). */
export function trackKindOf(template: SkeletonTemplate): Track['kind'] {
  if (template.kind !== 'hand') return 'person';
  return /right/i.test(template.id) ? 'right_hand' : 'left_hand';
}
