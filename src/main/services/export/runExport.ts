import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type {
  ExcludedClip,
  ExportedClip,
  ExportFormat,
  ExportPhase,
  ExportProgress,
  ExportReport,
  ExportRequest,
} from '../../../shared/api/exportSchemas';
import type { AnnotationStatus } from '../../../shared/domain/labels';
import {
  checksumsFile,
  EXPORT_STATUSES,
  writeLabelFiles,
  type ClipProvenance,
  type LabelFilesClip,
  type ProvenanceRecord,
} from '../../../shared/formats';
import { consentVerdict } from '../../../shared/domain/consentVerdict';
import { sha256File } from '../../../node/media/sha256File';
import { copyWithoutMetadata, StripMetadataError } from '../../../node/media/stripMetadata';
import { BlurCopyError, copyWithBlurredFaces } from '../faces/blurCopy';
import { blurTimescaleOf } from '../faces/blurTimescale';
import { DEFAULT_BLUR, type BlurSettings } from '../../../shared/domain/faces/blurFrame';
import type { FaceTrack } from '../../../shared/domain/faces/faceTracks';
import {
  wearerHandsAt,
  WEARER_HANDS_RULE,
  type ExclusionRun,
} from '../../../shared/domain/faces/wearerHands';
import type { ExportClipRow, ExportQueries, ExportSetRow } from '../export/exportQueries';
import { ExportError } from './exportError';
import { folderSink } from '../../../node/export/folderSink';
import { labelTextMaker } from '../../../node/export/labelTextWorkers';

/** Review states each filter admits, best first (the set exported when a clip has several). */
const STATUSES: Record<ExportRequest['status'], readonly AnnotationStatus[]> = EXPORT_STATUSES;

/** Progress events at most this often; phase changes and the end are always sent. */
const PROGRESS_INTERVAL_MS = 200;

export const REPORT_FILE = 'export_report.json';
export const CHECKSUMS_FILE = 'checksums.sha256';
const BLUR_REGIONS_FILE = 'blur_regions.json';

export type RunExportOptions = {
  exportId: string;
  queries: ExportQueries;
  framewiseVersion: string;
  /** The ffmpeg in use (`ffmpegInUse`), recorded in provenance; null where there is none. */
  ffmpegVersion: string | null;
  signal: AbortSignal;
  onProgress: (progress: ExportProgress) => void;
  now?: () => Date;
};

type Item = {
  clip: ExportClipRow;
  set: ExportSetRow;
  consent: { id: string; scope: ProvenanceRecord['consent']['scope'] };
  contributor: string;
  videoId: string;
  video: string | null;
  /** Set when the video copy has faces blurred: what provenance and blur_regions.json record. */
  blur: BlurredCopy | null;
};

type BlurredCopy = {
  settings: BlurSettings;
  model: string;
  reviewStatus: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  tracks: { id: string; source: string; boxes: FaceTrack['boxes'] }[];
  regions: number;
  wearerExclusions: readonly ExclusionRun[];
};

/**
 * One export, start to finish: select the clips (consent first, then status and checksum),
 * copy clean videos, stream every chosen format from the database into a temporary folder next
 * to the destination, write the report and `checksums.sha256`, and only then rename the folder
 * to its destination, so a folder under the destination's name is always a complete export. Any
 * failure or a cancel removes the temporary folder.
 *
 * Memory holds the selection (a few fields per clip) and one clip's labels at a time: each pass
 * over the clips reads them again from the export's read snapshot.
 */
export async function runExport(
  request: ExportRequest,
  options: RunExportOptions,
): Promise<ExportReport> {
  const { queries, signal, exportId } = options;
  const started = Date.now();
  const now = (options.now ?? (() => new Date()))();
  const exportedAt = now.toISOString();
  const destination = request.destination;
  const progress = new ProgressReporter(exportId, options.onProgress);
  const temp = await prepareTemp(destination, exportId);
  try {
    queries.beginSnapshot();
    progress.phase('selecting', null);
    const { items, excluded } = select(request, queries, exportedAt.slice(0, 10));
    progress.counts(items.length, excluded.length);

    const formats = new Set<ExportFormat>(request.formats);
    const n = items.length;
    // Every format of a clip is written from one read of its labels: one step per clip.
    progress.setTotal((request.includeVideos ? n : 0) + (formats.size > 0 ? n : 0));

    const files: string[] = [];
    if (request.includeVideos) {
      progress.phase('videos', 'videos/');
      await mkdir(join(temp, 'videos'));
      for (const item of [...items]) {
        signal.throwIfAborted();
        const failure = await copyVideo(item, temp, queries, signal, request.blur === 'faces');
        if (failure === null) {
          files.push(item.video as string);
        } else {
          items.splice(items.indexOf(item), 1);
          excluded.push(failure);
          progress.counts(items.length, excluded.length);
        }
        progress.tick();
      }
    }
    if (items.length === 0) throw nothingToExport(excluded);

    const projectIds = new Set(items.map((item) => item.set.projectId));
    if (projectIds.size > 1) {
      throw new ExportError(
        'MIXED_PROJECTS',
        `The selected clips are labeled in ${projectIds.size} different projects; export one project at a time.`,
      );
    }
    const project = queries.project(items[0]?.set.projectId ?? '');
    // Each written clip's counts, in the order of `items` (clips are written in that order).
    const counts: { tracks: number; segments: number }[] = [];
    const sink = folderSink(temp, signal);
    progress.phase('writing', null);
    const labelFiles = await writeLabelFiles({
      formats: request.formats,
      project,
      exportId,
      exportedAt,
      framewiseVersion: options.framewiseVersion,
      ffmpegVersion: options.ffmpegVersion,
      sink,
      clips: (function* (): Generator<LabelFilesClip> {
        for (const item of items) {
          signal.throwIfAborted();
          // Team sets come as their stored JSON text, parsed on the thread that writes them.
          const doc = queries.labelsOrText(item.set, item.clip.frameCount);
          const table = queries.frameTable(item.clip.clipId);
          yield {
            videoId: item.videoId,
            name: item.clip.relativePath,
            participantId: item.contributor,
            width: item.clip.width,
            height: item.clip.height,
            frameTimes: table.frameTimes,
            lastFrameDurationSeconds: table.lastFrameDurationSeconds,
            frameTableSource: item.clip.frameTableSource,
            doc,
            provenance: provenanceOf(item, queries),
          };
        }
      })(),
      onClip: (_clip, clipCounts) => {
        counts.push(clipCounts);
        progress.tick();
      },
      makeTexts: labelTextMaker(items.length),
    });
    files.push(...labelFiles);
    if (request.includeVideos && request.blur === 'faces') {
      const regions = await sink.open(BLUR_REGIONS_FILE);
      for (const chunk of blurRegionsJsonChunks(items)) await regions.write([chunk]);
      await regions.close();
      files.push(BLUR_REGIONS_FILE);
    }

    const exported: ExportedClip[] = items.map((item, i) => ({
      clipId: item.clip.clipId,
      batchId: item.clip.batchId,
      videoId: item.videoId,
      relativePath: item.clip.relativePath,
      setId: item.set.setId,
      annotator: item.set.annotator,
      status: item.set.status,
      frames: item.clip.frameCount,
      tracks: counts[i]?.tracks ?? 0,
      segments: counts[i]?.segments ?? 0,
      video: item.video,
    }));
    files.push(REPORT_FILE);
    const report: ExportReport = {
      exportId,
      destination,
      exportedAt,
      framewiseVersion: options.framewiseVersion,
      status: request.status,
      formats: request.formats,
      includeVideos: request.includeVideos,
      blur: request.includeVideos && request.blur === 'faces' ? 'faces' : null,
      exported,
      excluded,
      files: [...files].sort(),
      durationMs: Date.now() - started,
    };
    await writeFile(join(temp, REPORT_FILE), JSON.stringify(report, null, 2) + '\n', {
      flag: 'wx',
    });

    progress.phase('checksums', CHECKSUMS_FILE);
    const entries = [];
    for (const file of report.files) {
      // Label files were hashed as they were written; videos and the report are read here.
      const sha256 = sink.sha256Of(file) ?? (await sha256File(join(temp, file), undefined, signal));
      entries.push({ path: file, sha256 });
    }
    await writeFile(join(temp, CHECKSUMS_FILE), checksumsFile(entries), { flag: 'wx' });

    signal.throwIfAborted();
    queries.endSnapshot();
    await moveIntoPlace(temp, destination);
    progress.finish('done', report, null);
    return report;
  } catch (error) {
    queries.endSnapshot();
    await rm(temp, { recursive: true, force: true });
    if (signal.aborted) {
      const cancelled = new ExportError(
        'CANCELLED',
        'The export was cancelled; nothing was written.',
      );
      progress.finish('cancelled', null, cancelled);
      throw cancelled;
    }
    progress.finish('failed', null, error);
    throw error;
  }
}

/** Decides, clip by clip, what is exported and why the rest is not. Consent is checked first. */
function select(
  request: ExportRequest,
  queries: ExportQueries,
  exportDate: string,
): { items: Item[]; excluded: ExcludedClip[] } {
  let clips: ExportClipRow[];
  if (request.clipIds !== undefined && request.clipIds.length > 0) {
    clips = request.clipIds.map((id) => {
      const clip = queries.clip(id);
      if (clip === undefined) {
        throw new ExportError('CLIP_NOT_FOUND', `No clip ${id} in this workstation's database.`);
      }
      return clip;
    });
  } else if (request.batchIds !== undefined && request.batchIds.length > 0) {
    for (const id of request.batchIds) {
      if (!queries.batchExists(id)) {
        throw new ExportError('BATCH_NOT_FOUND', `No batch ${id} in this workstation's database.`);
      }
    }
    clips = queries.clipsOfBatches(request.batchIds);
  } else {
    clips = queries.clipsOfBatches(null);
  }
  const admitted = STATUSES[request.status];
  const items: Item[] = [];
  const excluded: ExcludedClip[] = [];
  const seen = new Set<string>();
  for (const clip of clips) {
    if (seen.has(clip.clipId)) continue;
    seen.add(clip.clipId);
    const exclude = (reason: ExcludedClip['reason'], message: string) =>
      excluded.push({
        clipId: clip.clipId,
        batchId: clip.batchId,
        relativePath: clip.relativePath,
        reason,
        message,
      });
    const verdict = consentVerdict(clip.consent, exportDate, clip.withdrawal);
    if (!verdict.ok) {
      exclude(verdict.reason, verdict.message);
      continue;
    }
    if (clip.contributor === null) {
      exclude('consent_missing', 'The batch names no contributor pseudonym for its consent.');
      continue;
    }
    if (request.regions !== undefined && request.regions.length > 0) {
      const region = clip.region;
      if (
        region === null ||
        !request.regions.some((r) => region === r || region.startsWith(`${r}-`))
      ) {
        exclude(
          'region_excluded',
          region === null
            ? `The batch records no contributor region; this export is limited to ${request.regions.join(', ')}.`
            : `The contributor's region ${region} is outside this export's regions (${request.regions.join(', ')}).`,
        );
        continue;
      }
    }
    // This workstation's sets, then the team's pulled from the server (a lead's workstation).
    const sets = [
      ...queries.setsOfClip(clip.clipId),
      ...(clip.sha256 === null ? [] : queries.teamSetsOfClip(clip.sha256)),
    ].filter((s) => admitted.includes(s.status));
    // Best status first; among equals the most recently changed.
    sets.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    sets.sort((a, b) => admitted.indexOf(a.status) - admitted.indexOf(b.status));
    const set = sets[0];
    if (set === undefined) {
      exclude(
        'no_labels_in_status',
        request.status === 'accepted'
          ? 'No annotation set of this clip is accepted yet.'
          : 'No annotation set of this clip is submitted, in review or accepted.',
      );
      continue;
    }
    if (clip.checksumState !== 'done' || clip.sha256 === null) {
      exclude(
        'checksum_not_verified',
        clip.checksumState === 'mismatch'
          ? "The file's sha256 does not match the manifest's: it is not the recorded clip."
          : clip.checksumState === 'pending'
            ? "The file's sha256 is still being computed; export again in a moment."
            : "The file's sha256 could not be computed; check that the file is still there.",
      );
      continue;
    }
    if (request.includeVideos) {
      const scan = queries.faceScan(clip.clipId);
      if (request.blur === 'faces' && scan?.status !== 'scanned') {
        exclude(
          'faces_not_scanned',
          scan === undefined
            ? "The clip's faces have not been scanned; scan it, review the regions, then export."
            : `The clip's face scan is ${scan.status}, not finished; finish it, then export.`,
        );
        continue;
      }
      if (
        queries.project(set.projectId).blurPolicy === 'require-reviewed' &&
        scan?.reviewStatus !== 'reviewed'
      ) {
        exclude(
          'blur_not_reviewed',
          "The project requires a person to review a clip's face regions before its video is exported; nobody has reviewed this clip's.",
        );
        continue;
      }
    }
    items.push({
      clip,
      set,
      consent: { id: verdict.consent.id, scope: verdict.consent.scope },
      contributor: clip.contributor,
      // The file's sha256 names the clip on every machine, so exports of one clip made on two
      // workstations (or by the server) join; the local clip id is this database's alone.
      videoId: clip.sha256,
      video: null,
      blur: null,
    });
  }
  return { items, excluded };
}

async function copyVideo(
  item: Item,
  temp: string,
  queries: ExportQueries,
  signal: AbortSignal,
  blurFaces: boolean,
): Promise<ExcludedClip | null> {
  const extension = blurFaces ? '.mp4' : extname(item.clip.relativePath).toLowerCase() || '.mp4';
  const relative = `videos/${item.videoId}${extension}`;
  try {
    const { frameTimes } = queries.frameTable(item.clip.clipId);
    if (blurFaces) {
      const scan = queries.faceScan(item.clip.clipId);
      if (scan === undefined) throw new Error(`Clip ${item.clip.clipId} has no face scan`);
      const settings = { ...DEFAULT_BLUR, ...queries.project(item.set.projectId).blur };
      const tracks = queries.faceTracks(item.clip.clipId);
      const size = { width: item.clip.width, height: item.clip.height };
      // The exported set's labels say where the camera wearer's hands are: never blurred.
      const labels = queries.labels(item.set, item.clip.frameCount);
      const result = await copyWithBlurredFaces(item.clip.filePath, join(temp, relative), {
        frameTimes,
        ...size,
        tracks,
        settings,
        wearerHandsAt: (frame) => wearerHandsAt(labels, frame, size),
        timescale: await blurTimescaleOf(item.clip.filePath, item.clip.container),
        signal,
      });
      item.blur = {
        settings,
        model: scan.model,
        reviewStatus: scan.reviewStatus,
        reviewedBy: scan.reviewedBy,
        reviewedAt: scan.reviewedAt,
        tracks,
        regions: result.regions,
        wearerExclusions: result.wearerExclusions,
      };
    } else {
      await copyWithoutMetadata(item.clip.filePath, join(temp, relative), {
        container: item.clip.container,
        frameTimes,
        signal,
      });
    }
    item.video = relative;
    return null;
  } catch (error) {
    if (signal.aborted) throw error;
    // A copy that fails its check takes its labels out of the export too, and says why; any
    // other failure (disk full, file gone) fails the whole export.
    if (!(error instanceof StripMetadataError) && !(error instanceof BlurCopyError)) throw error;
    return {
      clipId: item.clip.clipId,
      batchId: item.clip.batchId,
      relativePath: item.clip.relativePath,
      reason: 'video_copy_failed',
      message: error.message,
    };
  }
}

/** What provenance says of the clip and its set; the writer adds the export's own fields. */
function provenanceOf(item: Item, queries: ExportQueries): ClipProvenance {
  return {
    file_name: item.video ?? item.clip.relativePath,
    frame_count: item.clip.frameCount,
    contributor_pseudonym: item.contributor,
    contributor_region: item.clip.region,
    consent: item.consent,
    annotators: [item.set.annotator],
    reviewers: item.set.reviewers
      ? [...item.set.reviewers]
      : queries.reviewersOf(item.set.setId, item.set.annotator),
    revision: item.set.revision,
    review_status: item.set.status,
    ...(item.blur === null ? {} : { video_blur: videoBlurOf(item.blur) }),
  };
}

function videoBlurOf(blur: BlurredCopy): NonNullable<ProvenanceRecord['video_blur']> {
  // Stored as "name (package@version)" (faceModelId).
  const match = /^(.*) \((.*)\)$/u.exec(blur.model);
  return {
    blurred: true,
    regions: 'faces',
    method: blur.settings.method,
    strength: blur.settings.strength,
    padding: blur.settings.padding,
    model: match?.[1] ?? blur.model,
    model_version: match?.[2] ?? 'unknown',
    review_status: blur.reviewStatus === 'reviewed' ? 'reviewed' : 'unreviewed',
    reviewed_by: blur.reviewedBy,
    reviewed_at: blur.reviewedAt,
    regions_blurred: blur.regions,
    regions_file: BLUR_REGIONS_FILE,
  };
}

/**
 * `blur_regions.json`: per blurred video, the face tracks it was blurred with (boxes per frame in
 * the copy's pixels, before padding), how, and the stretches where a region was dropped or cut
 * for the camera wearer's own hand: so a recipient can check or redo the blurring.
 */
function* blurRegionsJsonChunks(items: readonly Item[]): Generator<string> {
  yield '{"schema_version":1,"videos":[';
  let first = true;
  for (const item of items) {
    if (item.blur === null) continue;
    yield (
      (first ? '' : ',') +
      JSON.stringify({
        video_id: item.videoId,
        file_name: item.video,
        width: item.clip.width,
        height: item.clip.height,
        method: item.blur.settings.method,
        strength: item.blur.settings.strength,
        padding: item.blur.settings.padding,
        model: item.blur.model,
        review_status: item.blur.reviewStatus,
        tracks: item.blur.tracks,
        wearer_hands: {
          rule: WEARER_HANDS_RULE,
          exclusions: item.blur.wearerExclusions.map((e) => ({
            track_id: e.trackId,
            hand_track_id: e.handTrackId,
            action: e.action,
            first_frame: e.firstFrame,
            last_frame: e.lastFrame,
          })),
        },
      })
    );
    first = false;
  }
  yield ']}\n';
}

function nothingToExport(excluded: readonly ExcludedClip[]): ExportError {
  const reasons = new Map<string, number>();
  for (const clip of excluded) reasons.set(clip.reason, (reasons.get(clip.reason) ?? 0) + 1);
  const summary = [...reasons].map(([reason, count]) => `${reason} ×${count}`).join(', ');
  return new ExportError(
    'NOTHING_TO_EXPORT',
    excluded.length === 0
      ? 'The selection holds no clips.'
      : `None of the ${excluded.length} selected clips can be exported (${summary}).`,
  );
}

/**
 * Checks the destination and makes the temporary folder beside it (same parent, so the final
 * rename is atomic on one file system). The destination may not exist yet, or be an empty folder.
 */
async function prepareTemp(destination: string, exportId: string): Promise<string> {
  if (
    !isAbsolute(destination) ||
    destination.includes('\0') ||
    dirname(destination) === destination
  ) {
    throw new ExportError(
      'DESTINATION_INVALID',
      `"${destination}" cannot be an export folder: give the absolute path of a new folder.`,
    );
  }
  const existing = await stat(destination).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null && (!existing.isDirectory() || (await readdir(destination)).length > 0)) {
    throw new ExportError(
      'DESTINATION_EXISTS',
      `${destination} already exists and is not an empty folder; choose a new folder so no earlier export is mixed in.`,
    );
  }
  await mkdir(dirname(destination), { recursive: true });
  const temp = join(dirname(destination), `.${basename(destination)}.partial-${exportId}`);
  await mkdir(temp);
  return temp;
}

async function moveIntoPlace(temp: string, destination: string): Promise<void> {
  // An empty destination folder (made by a folder picker) is replaced; rmdir refuses one that
  // filled up meanwhile, so nothing is ever overwritten.
  await rmdir(destination).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  await rename(temp, destination);
}

class ProgressReporter {
  #phase: ExportPhase = 'selecting';
  #current: string | null = null;
  #done = 0;
  #total = 0;
  #exported = 0;
  #excluded = 0;
  #lastSent = 0;
  readonly #started = Date.now();

  constructor(
    readonly exportId: string,
    readonly send: (progress: ExportProgress) => void,
  ) {}

  phase(phase: ExportPhase, current: string | null): void {
    this.#phase = phase;
    this.#current = current;
    this.#emit(true);
  }

  setTotal(total: number): void {
    this.#total = total;
  }

  counts(exported: number, excluded: number): void {
    this.#exported = exported;
    this.#excluded = excluded;
  }

  tick(): void {
    this.#done += 1;
    this.#emit(false);
  }

  finish(phase: 'done' | 'failed' | 'cancelled', report: ExportReport | null, error: unknown) {
    this.#phase = phase;
    this.#current = null;
    if (phase === 'done') this.#done = this.#total;
    const body =
      error === null
        ? null
        : {
            code:
              typeof error === 'object' && 'code' in error && typeof error.code === 'string'
                ? error.code
                : 'EXPORT_FAILED',
            message: error instanceof Error ? error.message : JSON.stringify(error),
          };
    this.send(this.#snapshot(report, body));
  }

  #emit(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.#lastSent < PROGRESS_INTERVAL_MS) return;
    this.#lastSent = now;
    this.send(this.#snapshot(null, null));
  }

  #snapshot(report: ExportReport | null, error: ExportProgress['error']): ExportProgress {
    const elapsed = (Date.now() - this.#started) / 1000;
    const eta =
      this.#done > 0 && this.#total > this.#done
        ? (elapsed / this.#done) * (this.#total - this.#done)
        : this.#done >= this.#total && this.#total > 0
          ? 0
          : null;
    return {
      exportId: this.exportId,
      phase: this.#phase,
      done: Math.min(this.#done, this.#total),
      total: this.#total,
      clipsExported: this.#exported,
      clipsExcluded: this.#excluded,
      etaSeconds: eta,
      current: this.#current,
      report,
      error,
    };
  }
}
