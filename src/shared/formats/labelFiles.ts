import type { LabelsDocument, ProjectSchema } from '../domain/labels';
import { projectTemplates } from '../domain/labels';
import { exportLabelsFor } from './clipLabels';
import { CocoKeypointsWriter } from './cocoKeypoints';
import { cvatVideoXmlChunks } from './cvatVideoXml';
import {
  actionClassesCsv,
  EPIC_ACTIONS_HEADER,
  epicActionRows,
  frameTimesCsvChunks,
  isVariableFrameRate,
  VIDEO_INFO_HEADER,
  videoInfoRow,
} from './epicKitchensCsv';
import { clipLabelsOf, preAnnotationOf } from './exportRecords';
import { HandObjectWriter } from './handObjectJson';
import { provenanceLine, type ProvenanceRecord } from './provenanceJsonl';

/**
 * The one writer path of the workstation's Export and `framewise-server export`: each clip's
 * labels are read and parsed once, and every chosen format takes its part of that clip before the
 * next is read. Memory holds one clip's labels and one block per open file; COCO's annotations,
 * which the file wants after all images, go to a scratch file appended at the end.
 */

export type LabelFileFormat = 'coco' | 'cvat' | 'epic' | 'hands' | 'provenance';

/** An open file of the export: text goes in, in order. */
export type LabelFileHandle = {
  write(text: string): Promise<void>;
  close(): Promise<void>;
};

/** Where the files go: the service's temporary export folder on disk. */
export type LabelFileSink = {
  /** Creates the new file `relative` (its folder too) and opens it; never over an existing one. */
  open(relative: string): Promise<LabelFileHandle>;
  /** Writes the whole of the closed file `from` onto the end of `to`, then deletes `from`. */
  appendFile(to: LabelFileHandle, from: string): Promise<void>;
};

/** What the provenance record of a clip says beyond what the writer fills in. */
export type ClipProvenance = Omit<
  ProvenanceRecord,
  | 'schema_version'
  | 'source_sha256'
  | 'timestamps_source'
  | 'pre_annotation'
  | 'framewise_version'
  | 'ffmpeg_version'
  | 'exported_at'
>;

/** One clip and its chosen set, labels loaded. */
export type LabelFilesClip = {
  /** The clip's sha256: `video_id` everywhere. */
  videoId: string;
  /** The clip's path or file name as people know it (CVAT's task name and `source`). */
  name: string;
  /** The contributor's pseudonym (EPIC's `participant_id`). */
  participantId: string;
  /** Displayed (upright) size. */
  width: number;
  height: number;
  frameTimes: readonly number[];
  lastFrameDurationSeconds: number;
  /** How the frame table was read (`mp4box`, `ffprobe`): provenance's `timestamps_source`. */
  frameTableSource: string;
  doc: LabelsDocument;
  provenance: ClipProvenance;
};

export type LabelFilesInput = {
  formats: readonly LabelFileFormat[];
  project: ProjectSchema;
  /** The export's id, written as COCO's `info.export_id`. */
  exportId: string;
  exportedAt: string;
  framewiseVersion: string;
  /** The ffmpeg in use, for provenance; null where none ran (the server copies no video). */
  ffmpegVersion: string | null;
  clips: Iterable<LabelFilesClip> | AsyncIterable<LabelFilesClip>;
  sink: LabelFileSink;
  /** Called after each clip is written in every format (progress). */
  onClip?: (clip: LabelFilesClip) => void;
};

/** Text is handed to the sink in blocks of about this many characters: few writes, bounded memory. */
const BLOCK_CHARS = 1 << 20;

/** Gathers small texts into blocks before they reach the file. */
class BlockFile {
  #parts: string[] = [];
  #size = 0;
  #closed = false;

  constructor(readonly handle: LabelFileHandle) {}

  add(text: string): void {
    this.#parts.push(text);
    this.#size += text.length;
  }

  /** Writes the gathered text once it is a block (`all`: whatever there is). */
  async flush(all = false): Promise<void> {
    if (this.#size === 0 || (!all && this.#size < BLOCK_CHARS)) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    await this.handle.write(text);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush(true);
    this.#closed = true;
    await this.handle.close();
  }

  /** Closes without writing what is gathered: the export failed and its folder goes. */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#parts = [];
    await this.handle.close();
  }
}

const COCO_FILE = 'coco_keypoints.json';
const COCO_ANNOTATIONS_SCRATCH = '.coco_annotations.part';

/** Writes the chosen formats of every clip; returns the files written (relative paths). */
export async function writeLabelFiles(input: LabelFilesInput): Promise<string[]> {
  const { sink, project, exportedAt } = input;
  const formats = new Set(input.formats);
  const labels = exportLabelsFor(projectTemplates(project));
  const files: string[] = [];
  const open = async (relative: string) => {
    files.push(relative);
    return new BlockFile(await sink.open(relative));
  };
  const written = async (relative: string, chunks: Iterable<string>) => {
    const file = await open(relative);
    try {
      for (const chunk of chunks) {
        file.add(chunk);
        await file.flush();
      }
      await file.close();
    } finally {
      await file.abandon();
    }
  };

  const coco = formats.has('coco')
    ? {
        writer: new CocoKeypointsWriter(
          {
            description: 'Framewise keypoints export',
            version: input.framewiseVersion,
            date_created: exportedAt,
            export_id: input.exportId,
          },
          labels,
        ),
        images: await open(COCO_FILE),
        annotations: new BlockFile(await sink.open(COCO_ANNOTATIONS_SCRATCH)),
      }
    : null;
  coco?.images.add(coco.writer.head);
  const epic = formats.has('epic')
    ? {
        rows: epicActionRows(project.taxonomy),
        actions: await open('actions.csv'),
        videoInfo: await open('video_info.csv'),
        verbs: new Map<number, number>(),
        nouns: new Map<number, number>(),
      }
    : null;
  epic?.actions.add(EPIC_ACTIONS_HEADER);
  epic?.videoInfo.add(VIDEO_INFO_HEADER);
  const hands = formats.has('hands')
    ? { writer: new HandObjectWriter(project.objectClasses), file: await open('hand_object.json') }
    : null;
  hands?.file.add(hands.writer.head);
  const provenance = formats.has('provenance') ? await open('provenance.jsonl') : null;
  const everyFile = [
    coco?.images,
    coco?.annotations,
    epic?.actions,
    epic?.videoInfo,
    hands?.file,
    provenance,
  ].filter((file) => file !== undefined && file !== null);

  try {
    let index = 0;
    for await (const clip of input.clips) {
      index += 1;
      const { doc, videoId, frameTimes } = clip;
      if (coco || formats.has('cvat')) {
        const keypoints = clipLabelsOf({ ...clip, doc });
        if (coco) {
          coco.writer.clip(
            keypoints,
            (text) => coco.images.add(text),
            (text) => coco.annotations.add(text),
          );
        }
        if (formats.has('cvat')) {
          const name = clip.name;
          await written(
            `cvat/${videoId}.xml`,
            cvatVideoXmlChunks({
              task: { id: index, name, exportedAt, source: name.split(/[\\/]/).at(-1) ?? name },
              clip: keypoints,
              labels,
            }),
          );
        }
      }
      if (epic) {
        for (const row of epic.rows({
          videoId,
          participantId: clip.participantId,
          frameTimes,
          segments: doc.segments,
        })) {
          epic.actions.add(row);
        }
        for (const segment of doc.segments) {
          if (segment.verbId !== null) count(epic.verbs, segment.verbId);
          if (segment.nounId !== null) count(epic.nouns, segment.nounId);
        }
        epic.videoInfo.add(
          videoInfoRow({
            videoId,
            frameTimes,
            lastFrameDurationSeconds: clip.lastFrameDurationSeconds,
            width: clip.width,
            height: clip.height,
          }),
        );
        if (isVariableFrameRate(frameTimes)) {
          await written(`frame_times/${videoId}.csv`, frameTimesCsvChunks(frameTimes));
        }
      }
      if (hands) {
        hands.file.add(
          hands.writer.clip({
            videoId,
            frameTimes,
            tracks: doc.tracks,
            contacts: doc.contacts,
            boxTracks: doc.boxTracks,
          }),
        );
      }
      provenance?.add(
        provenanceLine(
          {
            ...clip.provenance,
            schema_version: 1,
            source_sha256: videoId,
            timestamps_source: `container_pts (${clip.frameTableSource})`,
            pre_annotation: preAnnotationOf(doc),
            framewise_version: input.framewiseVersion,
            ffmpeg_version: input.ffmpegVersion,
            exported_at: exportedAt,
          },
          index,
        ),
      );
      for (const file of everyFile) await file.flush();
      input.onClip?.(clip);
    }

    if (coco) {
      coco.images.add(coco.writer.middle);
      await coco.images.flush(true);
      await coco.annotations.close();
      await sink.appendFile(coco.images.handle, COCO_ANNOTATIONS_SCRATCH);
      coco.images.add(coco.writer.tail);
    }
    if (hands) hands.file.add(hands.writer.tail);
    if (epic) {
      await written('verb_classes.csv', [actionClassesCsv(project.taxonomy.verbs, epic.verbs)]);
      await written('noun_classes.csv', [actionClassesCsv(project.taxonomy.nouns, epic.nouns)]);
    }
    for (const file of everyFile) await file.close();
  } finally {
    // After a failure the caller removes the whole folder: only the handles need closing.
    for (const file of everyFile) await file.abandon();
  }
  return files;
}

function count(counts: Map<number, number>, id: number): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}
