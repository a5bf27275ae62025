import type { ActionClass, Segment } from '../domain/labels';
import { csvRow } from './csv';
import { formatClockTime, roundSeconds } from './exportNumbers';

/** `actions.csv` columns, in EPIC-KITCHENS-100's order (FORMATS.md). */
export const EPIC_ACTION_COLUMNS = [
  'narration_id',
  'participant_id',
  'video_id',
  'narration_timestamp',
  'start_timestamp',
  'stop_timestamp',
  'start_frame',
  'stop_frame',
  'narration',
  'verb',
  'verb_class',
  'noun',
  'noun_class',
  'all_nouns',
  'all_noun_classes',
] as const;

export type ClipSegments = {
  readonly videoId: string;
  /** The contributor's pseudonym, never a real name. */
  readonly participantId: string;
  /** Presentation time of every frame, seconds, from the clip's frame table. */
  readonly frameTimes: readonly number[];
  readonly segments: readonly Segment[];
};

export type Taxonomy = {
  readonly verbs: readonly ActionClass[];
  readonly nouns: readonly ActionClass[];
};

/**
 * `actions.csv`, one row per segment, clips in the order given and segments in canonical order.
 *
 * - `narration_id` is `<video_id>_<n>` (n from 0 per video), as EPIC-KITCHENS numbers them.
 * - Frames are Framewise's 0-based presentation-order indices, and `stop_frame` is inclusive.
 *   EPIC-KITCHENS counts its extracted RGB frames from 1; a pipeline that indexes those frame files
 *   adds 1.
 * - Timestamps are the frames' presentation times from the frame table (`stop_timestamp` is the
 *   start of the stop frame), never frame ÷ fps. We have no separate narration moment, so
 *   `narration_timestamp` is the start time.
 * - `narration` is the segment's note, or "<verb> <noun>" when the note is empty.
 * - `all_nouns`/`all_noun_classes` are Python list literals as in EPIC-KITCHENS (`['tap']`,
 *   `[10]`); a segment has one noun.
 * - A segment whose verb or noun is not labeled yet gets empty class fields (exports of accepted
 *   clips have none).
 */
export function* epicActionsCsvChunks(
  clips: Iterable<ClipSegments>,
  taxonomy: Taxonomy,
): Generator<string> {
  const rows = epicActionRows(taxonomy);
  yield EPIC_ACTIONS_HEADER;
  for (const clip of clips) yield* rows(clip);
}

/** The header line of `actions.csv`. */
export const EPIC_ACTIONS_HEADER = csvRow(EPIC_ACTION_COLUMNS);

/** `actions.csv`'s rows of one clip (see `epicActionsCsvChunks`), for a writer going clip by clip. */
export function epicActionRows(taxonomy: Taxonomy): (clip: ClipSegments) => string[] {
  const verbs = new Map(taxonomy.verbs.map((c) => [c.id, c]));
  const nouns = new Map(taxonomy.nouns.map((c) => [c.id, c]));
  return (clip) =>
    clip.segments.map((segment, n) => {
      const verb = segment.verbId === null ? undefined : classOf(verbs, segment.verbId, 'verb');
      const noun = segment.nounId === null ? undefined : classOf(nouns, segment.nounId, 'noun');
      const start = formatClockTime(frameTime(clip, segment.startFrame));
      const stop = formatClockTime(frameTime(clip, segment.endFrame));
      const note = segment.note.trim();
      return csvRow([
        `${clip.videoId}_${n}`,
        clip.participantId,
        clip.videoId,
        start,
        start,
        stop,
        segment.startFrame,
        segment.endFrame,
        note !== '' ? note : [verb?.key, noun?.key].filter((k) => k !== undefined).join(' '),
        verb?.key,
        verb?.id,
        noun?.key,
        noun?.id,
        noun ? `[${pythonString(noun.key)}]` : '[]',
        noun ? `[${noun.id}]` : '[]',
      ]);
    });
}

function classOf(classes: Map<number, ActionClass>, id: number, what: string): ActionClass {
  const found = classes.get(id);
  if (!found)
    throw new RangeError(`A segment names ${what} class ${id}, which the taxonomy lacks.`);
  return found;
}

function frameTime(clip: ClipSegments, frame: number): number {
  const time = clip.frameTimes[frame];
  if (time === undefined) {
    throw new RangeError(
      `Video "${clip.videoId}" has a segment at frame ${frame}, but its frame table has ${clip.frameTimes.length} frames.`,
    );
  }
  return time;
}

/** A Python str literal in single quotes, as `repr` writes one. */
function pythonString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** How many segments name each verb and noun class, for the class files' `instances` column. */
export function countClassInstances(segments: Iterable<Segment>): {
  verbs: Map<number, number>;
  nouns: Map<number, number>;
} {
  const verbs = new Map<number, number>();
  const nouns = new Map<number, number>();
  for (const segment of segments) {
    if (segment.verbId !== null) verbs.set(segment.verbId, (verbs.get(segment.verbId) ?? 0) + 1);
    if (segment.nounId !== null) nouns.set(segment.nounId, (nouns.get(segment.nounId) ?? 0) + 1);
  }
  return { verbs, nouns };
}

/** `verb_classes.csv` or `noun_classes.csv`: `id,key,instances,category`, by id. */
export function actionClassesCsv(
  classes: readonly ActionClass[],
  instances: ReadonlyMap<number, number>,
): string {
  const rows = [...classes]
    .sort((a, b) => a.id - b.id)
    .map((c) => csvRow([c.id, c.key, instances.get(c.id) ?? 0, c.category]));
  return csvRow(['id', 'key', 'instances', 'category']) + rows.join('');
}

export type VideoInfo = {
  readonly videoId: string;
  readonly frameTimes: readonly number[];
  /** How long the last frame is shown (frame table), seconds. */
  readonly lastFrameDurationSeconds: number;
  readonly width: number;
  readonly height: number;
};

/**
 * A clip is variable-frame-rate when some frame interval differs from the median interval by more
 * than 1 % (phone cameras drop and stretch frames in low light; a constant-rate file's intervals
 * differ only by timescale rounding, far below 1 %).
 */
export function isVariableFrameRate(frameTimes: readonly number[]): boolean {
  const intervals: number[] = [];
  for (let i = 1; i < frameTimes.length; i++) {
    intervals.push((frameTimes[i] as number) - (frameTimes[i - 1] as number));
  }
  if (intervals.length < 2) return false;
  const sorted = [...intervals].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] as number;
  return intervals.some((d) => Math.abs(d - median) > median * 0.01);
}

/**
 * `video_info.csv`: `video_id,duration,fps,resolution`. Duration runs from time 0 to the end of
 * the last frame (3 decimals); fps is frames ÷ duration to 2 decimals, an average that is exact
 * only for constant-rate clips — VFR clips (`isVariableFrameRate`) also get
 * `frame_times/<video_id>.csv` (`frameTimesCsv`), and frame-exact users should read that.
 */
export function* videoInfoCsvChunks(videos: Iterable<VideoInfo>): Generator<string> {
  yield VIDEO_INFO_HEADER;
  for (const video of videos) yield videoInfoRow(video);
}

export const VIDEO_INFO_HEADER = csvRow(['video_id', 'duration', 'fps', 'resolution']);

/** One clip's line of `video_info.csv`. */
export function videoInfoRow(video: VideoInfo): string {
  const last = video.frameTimes[video.frameTimes.length - 1];
  const duration = last === undefined ? 0 : last + video.lastFrameDurationSeconds;
  const fps = duration > 0 ? Math.round((video.frameTimes.length / duration) * 100) / 100 : 0;
  return csvRow([
    video.videoId,
    Math.round(duration * 1000) / 1000,
    fps,
    `${video.width}x${video.height}`,
  ]);
}

/** `frame_times/<video_id>.csv`: `frame_index,timestamp` (seconds, 6 decimals), every frame. */
export function* frameTimesCsvChunks(frameTimes: readonly number[]): Generator<string> {
  yield csvRow(['frame_index', 'timestamp']);
  for (let i = 0; i < frameTimes.length; i++) {
    yield csvRow([i, roundSeconds(frameTimes[i] as number)]);
  }
}
