import type { LabelsDocument, ProjectSchema } from '../domain/labels';
import { projectTemplates } from '../domain/labels';
import { exportLabelsFor, type ExportLabel } from './clipLabels';
import {
  claimVideoKey,
  cocoAnnotationHead,
  cocoClipTexts,
  CocoKeypointsWriter,
} from './cocoKeypoints';
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
 * The one writer path of the workstation's Export and `framewise-server export`. Each clip's texts
 * in every chosen format depend on that clip alone (`ClipTextWriter`), so they can be made on other
 * threads (`src/node/export/labelTextWorkers.ts`) while this one reads the next clips and writes;
 * what depends on the clips before (COCO's annotation ids, separators, EPIC's class counts) is
 * added here, in clip order. Memory holds a few clips' labels and one block per open file; COCO's
 * annotations, which the file wants after all images, go to a scratch file appended at the end.
 */

export type LabelFileFormat = 'coco' | 'cvat' | 'epic' | 'hands' | 'provenance';

/** A piece of a file: text, or text already encoded as UTF-8 (by a worker thread). */
export type FileText = string | Uint8Array;

/** An open file of the export: pieces go in, in order. */
export type LabelFileHandle = {
  write(pieces: readonly FileText[]): Promise<void>;
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
  /**
   * The labels, or their JSON text as stored (checked against the schema when it was stored), which
   * is parsed where the clip's texts are made: on a worker thread when there is one.
   */
  doc: LabelsDocument | string;
  provenance: ClipProvenance;
};

/** What every clip's texts are made from: the export's settings, the same for all its clips. */
export type LabelFilesPlan = {
  formats: readonly LabelFileFormat[];
  project: ProjectSchema;
  exportedAt: string;
  framewiseVersion: string;
  /** The ffmpeg in use, for provenance; null where none ran (the server copies no video). */
  ffmpegVersion: string | null;
};

/** A clip's texts in one stream, item by item: strings where made, UTF-8 bytes from a worker. */
export type TextList = readonly string[] | PackedTexts;

/** Items encoded one after another in `bytes`; item `i` ends at byte `ends[i]`. */
export type PackedTexts = { readonly bytes: Uint8Array; readonly ends: Uint32Array };

/**
 * One clip's part of every chosen file, depending on no other clip. Lists are null for formats
 * not chosen. Where a file has separators between clips, items carry a leading `,\n` that the
 * file's first item drops.
 */
export type ClipTexts<List extends TextList = TextList> = {
  tracks: number;
  segments: number;
  coco: {
    videoKey: number;
    /** Each image's JSON, after `,\n`. */
    images: List;
    /** Each annotation's JSON after its id (`cocoAnnotationHead` comes first). */
    annotations: List;
  } | null;
  /** The whole CVAT file of the clip. */
  cvat: List | null;
  epic: {
    actions: List;
    videoInfo: List;
    /** `frame_times/<video_id>.csv`, for a clip of variable frame rate only. */
    frameTimes: List | null;
    verbIds: number[];
    nounIds: number[];
  } | null;
  /** The clip's entry of `videos`, after `,\n`. */
  hands: List | null;
  provenance: List | null;
};

/** Makes clips' texts in order; `ClipTextWriter` in this thread unless given workers. */
export type ClipTextsMaker = (
  plan: LabelFilesPlan,
  clips: AsyncIterable<LabelFilesClip>,
) => AsyncIterable<{ clip: LabelFilesClip; texts: ClipTexts }>;

export type LabelFilesInput = LabelFilesPlan & {
  /** The export's id, written as COCO's `info.export_id`. */
  exportId: string;
  clips: Iterable<LabelFilesClip> | AsyncIterable<LabelFilesClip>;
  sink: LabelFileSink;
  /** Called after each clip is written in every format (progress; its track and segment counts). */
  onClip?: (clip: LabelFilesClip, counts: { tracks: number; segments: number }) => void;
  /** Where clips' texts are made (worker threads); this thread when left out. */
  makeTexts?: ClipTextsMaker;
};

/** Each clip's texts in every format of a plan, clip by clip; holds nothing between clips. */
export class ClipTextWriter {
  readonly #plan: LabelFilesPlan;
  readonly #formats: ReadonlySet<LabelFileFormat>;
  readonly #labels: ExportLabel[];
  readonly #epicRows: ReturnType<typeof epicActionRows>;
  readonly #hands: HandObjectWriter;

  constructor(plan: LabelFilesPlan) {
    this.#plan = plan;
    this.#formats = new Set(plan.formats);
    this.#labels = exportLabelsFor(projectTemplates(plan.project));
    this.#epicRows = epicActionRows(plan.project.taxonomy);
    this.#hands = new HandObjectWriter(plan.project.objectClasses);
  }

  /** The clip's texts; `index` is its 1-based place in the export (CVAT task id, provenance line). */
  texts(clip: LabelFilesClip, index: number): ClipTexts<string[]> {
    const formats = this.#formats;
    const { videoId, frameTimes } = clip;
    const exportedAt = this.#plan.exportedAt;
    const doc = typeof clip.doc === 'string' ? (JSON.parse(clip.doc) as LabelsDocument) : clip.doc;
    const texts: ClipTexts<string[]> = {
      tracks: doc.tracks.length,
      segments: doc.segments.length,
      coco: null,
      cvat: null,
      epic: null,
      hands: null,
      provenance: null,
    };
    if (formats.has('coco') || formats.has('cvat')) {
      const keypoints = clipLabelsOf({ ...clip, doc });
      if (formats.has('coco')) {
        const coco = cocoClipTexts(keypoints, this.#labels);
        texts.coco = {
          videoKey: coco.videoKey,
          images: coco.images.map((json) => ',\n' + json),
          annotations: coco.annotations,
        };
      }
      if (formats.has('cvat')) {
        const name = clip.name;
        texts.cvat = [
          ...cvatVideoXmlChunks({
            task: { id: index, name, exportedAt, source: name.split(/[\\/]/).at(-1) ?? name },
            clip: keypoints,
            labels: this.#labels,
          }),
        ];
      }
    }
    if (formats.has('epic')) {
      const segments = doc.segments;
      texts.epic = {
        actions: this.#epicRows({
          videoId,
          participantId: clip.participantId,
          frameTimes,
          segments,
        }),
        videoInfo: [
          videoInfoRow({
            videoId,
            frameTimes,
            lastFrameDurationSeconds: clip.lastFrameDurationSeconds,
            width: clip.width,
            height: clip.height,
          }),
        ],
        frameTimes: isVariableFrameRate(frameTimes) ? [...frameTimesCsvChunks(frameTimes)] : null,
        verbIds: segments.flatMap((s) => (s.verbId === null ? [] : [s.verbId])),
        nounIds: segments.flatMap((s) => (s.nounId === null ? [] : [s.nounId])),
      };
    }
    if (formats.has('hands')) {
      texts.hands = [
        ',\n' +
          this.#hands.videoJson({
            videoId,
            frameTimes,
            tracks: doc.tracks,
            contacts: doc.contacts,
            boxTracks: doc.boxTracks,
          }),
      ];
    }
    if (formats.has('provenance')) {
      texts.provenance = [
        provenanceLine(
          {
            ...clip.provenance,
            schema_version: 1,
            source_sha256: videoId,
            timestamps_source: `container_pts (${clip.frameTableSource})`,
            pre_annotation: preAnnotationOf(doc),
            framewise_version: this.#plan.framewiseVersion,
            ffmpeg_version: this.#plan.ffmpegVersion,
            exported_at: exportedAt,
          },
          index,
        ),
      ];
    }
    return texts;
  }
}

/** Clips' texts made here, one after another. */
export const textsInThisThread: ClipTextsMaker = async function* (plan, clips) {
  const writer = new ClipTextWriter(plan);
  let index = 0;
  for await (const clip of clips) {
    index += 1;
    yield { clip, texts: writer.texts(clip, index) };
  }
};

function itemCount(list: TextList): number {
  return 'ends' in list ? list.ends.length : list.length;
}

function itemAt(list: TextList, i: number): FileText {
  if (!('ends' in list)) return list[i] as string;
  return list.bytes.subarray(i === 0 ? 0 : list.ends[i - 1], list.ends[i]);
}

/** The list as pieces of a file; `dropFirst` leaves out its first character (an ASCII `,`). */
function piecesOf(list: TextList, dropFirst = false): readonly FileText[] {
  if ('ends' in list) return [dropFirst ? list.bytes.subarray(1) : list.bytes];
  if (!dropFirst || list.length === 0) return list;
  return [(list[0] as string).slice(1), ...list.slice(1)];
}

/** Text is handed to the sink in blocks of about this many characters: few writes, bounded memory. */
const BLOCK_CHARS = 1 << 20;

/** Gathers pieces into blocks before they reach the file. */
class BlockFile {
  #pieces: FileText[] = [];
  #size = 0;
  #closed = false;

  constructor(readonly handle: LabelFileHandle) {}

  add(piece: FileText): void {
    this.#pieces.push(piece);
    this.#size += piece.length;
  }

  addAll(pieces: readonly FileText[]): void {
    for (const piece of pieces) this.add(piece);
  }

  /** Writes the gathered pieces once they are a block (`all`: whatever there is). */
  async flush(all = false): Promise<void> {
    if (this.#size === 0 || (!all && this.#size < BLOCK_CHARS)) return;
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#size = 0;
    await this.handle.write(pieces);
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
    this.#pieces = [];
    await this.handle.close();
  }
}

const COCO_FILE = 'coco_keypoints.json';
const COCO_ANNOTATIONS_SCRATCH = '.coco_annotations.part';

/** Writes the chosen formats of every clip; returns the files written (relative paths). */
export async function writeLabelFiles(input: LabelFilesInput): Promise<string[]> {
  const { sink, project, exportedAt } = input;
  const plan: LabelFilesPlan = {
    formats: input.formats,
    project,
    exportedAt,
    framewiseVersion: input.framewiseVersion,
    ffmpegVersion: input.ffmpegVersion,
  };
  const formats = new Set(input.formats);
  const labels = exportLabelsFor(projectTemplates(project));
  const files: string[] = [];
  const open = async (relative: string) => {
    files.push(relative);
    return new BlockFile(await sink.open(relative));
  };
  const written = async (relative: string, pieces: readonly FileText[]) => {
    const file = await open(relative);
    try {
      file.addAll(pieces);
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
        videoKeys: new Map<number, string>(),
        imageCount: 0,
        annotationCount: 0,
      }
    : null;
  coco?.images.add(coco.writer.head);
  const epic = formats.has('epic')
    ? {
        actions: await open('actions.csv'),
        videoInfo: await open('video_info.csv'),
        verbs: new Map<number, number>(),
        nouns: new Map<number, number>(),
      }
    : null;
  epic?.actions.add(EPIC_ACTIONS_HEADER);
  epic?.videoInfo.add(VIDEO_INFO_HEADER);
  const hands = formats.has('hands')
    ? {
        writer: new HandObjectWriter(project.objectClasses),
        file: await open('hand_object.json'),
        first: true,
      }
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
    const makeTexts = input.makeTexts ?? textsInThisThread;
    for await (const { clip, texts } of makeTexts(plan, asyncClips(input.clips))) {
      const { videoId } = clip;
      if (coco && texts.coco) {
        claimVideoKey(coco.videoKeys, texts.coco.videoKey, videoId);
        coco.images.addAll(piecesOf(texts.coco.images, coco.imageCount === 0));
        coco.imageCount += itemCount(texts.coco.images);
        const annotations = texts.coco.annotations;
        for (let i = 0; i < itemCount(annotations); i++) {
          coco.annotationCount += 1;
          coco.annotations.add(cocoAnnotationHead(coco.annotationCount));
          coco.annotations.add(itemAt(annotations, i));
        }
      }
      if (texts.cvat) await written(`cvat/${videoId}.xml`, piecesOf(texts.cvat));
      if (epic && texts.epic) {
        epic.actions.addAll(piecesOf(texts.epic.actions));
        for (const id of texts.epic.verbIds) count(epic.verbs, id);
        for (const id of texts.epic.nounIds) count(epic.nouns, id);
        epic.videoInfo.addAll(piecesOf(texts.epic.videoInfo));
        if (texts.epic.frameTimes) {
          await written(`frame_times/${videoId}.csv`, piecesOf(texts.epic.frameTimes));
        }
      }
      if (hands && texts.hands) {
        hands.file.addAll(piecesOf(texts.hands, hands.first));
        hands.first = false;
      }
      if (provenance && texts.provenance) provenance.addAll(piecesOf(texts.provenance));
      for (const file of everyFile) await file.flush();
      input.onClip?.(clip, { tracks: texts.tracks, segments: texts.segments });
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

async function* asyncClips(
  clips: Iterable<LabelFilesClip> | AsyncIterable<LabelFilesClip>,
): AsyncGenerator<LabelFilesClip> {
  yield* clips;
}

function count(counts: Map<number, number>, id: number): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}
