import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ApiError } from '../../../shared/api/apiError';
import type { Command, Track } from '../../../shared/domain/labels';
import { projectTemplates } from '../../../shared/domain/labels';
import {
  CocoReadError,
  CvatReadError,
  exportLabelsFor,
  readCocoKeypoints,
  readCvatVideo,
  XmlParseError,
} from '../../../shared/formats';
import type { Store } from '../store/Store';

export type ImportLabelsErrorCode =
  | 'CLIP_NOT_FOUND'
  | 'PROJECT_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'FILE_TOO_LARGE'
  | 'MALFORMED_FILE'
  | 'FRAME_COUNT_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'VIDEO_NOT_IN_FILE'
  | 'NO_TRACKS'
  | 'LABELS_CONFLICT';

export class ImportLabelsError extends ApiError<ImportLabelsErrorCode> {
  override name = 'ImportLabelsError';
}

/** A label file bigger than this is not a label file for one clip (or would exhaust memory). */
export const MAX_LABEL_FILE_BYTES = 512 * 1024 * 1024;

export type ImportLabelsResult = {
  setId: string;
  format: 'coco' | 'cvat';
  tracks: number;
  keyframes: number;
  seq: number;
};

/**
 * Reads COCO keypoints or CVAT for video 1.1 (told apart by content, not by extension) into
 * `actor`'s annotation set on `clipId`, as one command through the store's `applyLabelEdit`, the
 * only path that changes labels: the import is one undoable, audited edit. CVAT keyframes become
 * keyframes (CVAT interpolates between them as we do); COCO frames become keyframes, except frames
 * a Framewise export flagged `interpolated`, which are recomputed from the keyframes around them.
 */
export async function importLabels(
  deps: { store: Store; actor: string; projectId: string },
  clipId: string,
  filePath: string,
): Promise<ImportLabelsResult> {
  const { store, actor } = deps;
  const clip = store.media.getClip(clipId);
  if (!clip) {
    throw new ImportLabelsError(
      'CLIP_NOT_FOUND',
      `No clip ${clipId} in this workstation's database.`,
    );
  }
  const project = store.labels.getProject(deps.projectId);
  if (!project) {
    throw new ImportLabelsError(
      'PROJECT_NOT_FOUND',
      `No project ${deps.projectId}; import it first.`,
    );
  }
  const text = await readLabelFile(filePath);
  const name = basename(filePath);
  const labels = exportLabelsFor(projectTemplates(project.schema));
  // Keypoints live in the displayed (upright) picture; a file for another size is another video.
  const turned = clip.rotation === 90 || clip.rotation === 270;
  const width = turned ? clip.height : clip.width;
  const height = turned ? clip.width : clip.height;
  const head = text.trimStart().slice(0, 1);
  let tracks: Track[];
  let format: ImportLabelsResult['format'];
  try {
    if (head === '<') {
      format = 'cvat';
      const read = readCvatVideo(text, labels);
      if (read.size !== undefined && read.size !== clip.frameCount) {
        throw new ImportLabelsError(
          'FRAME_COUNT_MISMATCH',
          `"${name}" describes a video of ${read.size} frames; this clip has ${clip.frameCount}. Is it the labels of another clip?`,
        );
      }
      checkSize(name, read.width, read.height, width, height);
      tracks = read.tracks;
    } else if (head === '{') {
      format = 'coco';
      const videos = readCocoKeypoints(text, labels, { keyframesOnly: true });
      const video =
        videos.find((v) => v.videoId === clip.sha256) ??
        // Exports before video_id was the sha256 named the clip by its local id.
        videos.find((v) => v.videoId === clipId) ??
        (videos.length === 1 ? videos[0] : undefined);
      if (!video) {
        throw new ImportLabelsError(
          'VIDEO_NOT_IN_FILE',
          `"${name}" holds ${videos.length} videos (${videos.map((v) => v.videoId).join(', ')}) and none has video_id ${clip.sha256 ?? clipId}.`,
        );
      }
      checkSize(name, video.width, video.height, width, height);
      tracks = video.tracks;
    } else {
      throw new ImportLabelsError(
        'MALFORMED_FILE',
        `"${name}" is neither COCO keypoints JSON nor CVAT for video XML.`,
      );
    }
  } catch (error) {
    if (
      error instanceof CvatReadError ||
      error instanceof CocoReadError ||
      error instanceof XmlParseError
    ) {
      throw new ImportLabelsError('MALFORMED_FILE', `"${name}": ${error.message}`);
    }
    throw error;
  }
  tracks = tracks.filter((t) => t.keyframes.length > 0);
  if (tracks.length === 0) {
    throw new ImportLabelsError('NO_TRACKS', `"${name}" holds no keyframes to import.`);
  }
  const last = Math.max(...tracks.map((t) => t.keyframes.at(-1)?.frame ?? 0));
  if (last >= clip.frameCount) {
    throw new ImportLabelsError(
      'FRAME_COUNT_MISMATCH',
      `"${name}" labels frame ${last}; this clip has frames 0 to ${clip.frameCount - 1}.`,
    );
  }

  const set = store.labels.openAnnotationSet(clipId, actor, deps.projectId);
  const { doc, seq } = store.labels.loadLabels(set.id);
  const taken = new Set(doc.tracks.map((t) => t.id));
  const clash = tracks.find((t) => taken.has(t.id));
  if (clash) {
    throw new ImportLabelsError(
      'LABELS_CONFLICT',
      `This clip's labels already have a track "${clash.id}"; remove it before importing "${name}" again.`,
    );
  }
  const command: Command = {
    type: 'batch',
    commands: tracks.map((track): Command => ({ type: 'addTrack', track })),
  };
  const saved = store.labels.applyLabelEdit(set.id, command, seq, actor);
  return {
    setId: set.id,
    format,
    tracks: tracks.length,
    keyframes: tracks.reduce((sum, t) => sum + t.keyframes.length, 0),
    seq: saved.seq,
  };
}

function checkSize(
  name: string,
  fileWidth: number | undefined,
  fileHeight: number | undefined,
  width: number,
  height: number,
): void {
  if (fileWidth === undefined || fileHeight === undefined) return;
  if (fileWidth !== width || fileHeight !== height) {
    throw new ImportLabelsError(
      'SIZE_MISMATCH',
      `"${name}" is for a ${fileWidth}×${fileHeight} picture; this clip shows ${width}×${height}.`,
    );
  }
}

/**
 * Reads the file as UTF-8 after checking, on the opened descriptor (so a swapped path cannot slip
 * in between), that it is a regular file of sensible size: a folder, a device such as /dev/zero
 * or a FIFO is refused rather than read forever.
 */
async function readLabelFile(filePath: string): Promise<string> {
  const name = basename(filePath);
  if (filePath.includes('\0')) {
    throw new ImportLabelsError('NOT_A_FILE', 'The label file path contains a NUL character.');
  }
  let file;
  try {
    // O_NONBLOCK: opening a FIFO must not hang waiting for a writer.
    file = await open(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImportLabelsError('FILE_NOT_FOUND', `There is no file at ${filePath}.`);
    }
    if (code === 'EISDIR') {
      throw new ImportLabelsError('NOT_A_FILE', `${filePath} is a folder, not a label file.`);
    }
    throw error;
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) {
      throw new ImportLabelsError('NOT_A_FILE', `"${name}" is not a regular file.`);
    }
    if (stats.size > MAX_LABEL_FILE_BYTES) {
      throw new ImportLabelsError(
        'FILE_TOO_LARGE',
        `"${name}" is ${Math.round(stats.size / 2 ** 20)} MiB; label files of one clip are far smaller.`,
      );
    }
    return await file.readFile({ encoding: 'utf8' });
  } finally {
    await file.close();
  }
}
