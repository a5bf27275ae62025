import { z } from 'zod';
import { AnnotationStatus } from '../domain/labels/annotationSet';
import {
  LabelsDocument,
  type LabelsDocument as LabelsDocumentData,
} from '../domain/labels/labelsDocument';
import { ProjectSchemaV1 } from '../domain/labels/projectSchema';
import { ClipConsent } from '../domain/consentState';
import { FlaggedMetadata } from '../domain/flaggedMetadata';
import { Rotation } from '../domain/rotation';

export const CodecFamily = z.enum(['h264', 'hevc', 'vp8', 'vp9', 'av1']);
export type CodecFamily = z.infer<typeof CodecFamily>;

export const ImportErrorCode = z.enum([
  'FOLDER_NOT_FOUND',
  'NOT_A_FOLDER',
  'MANIFEST_INVALID',
  'PATH_OUTSIDE_FOLDER',
  'EMPTY_FILE',
  'TRUNCATED',
  'NOT_A_VIDEO',
  'NO_VIDEO_TRACK',
  'UNSUPPORTED_CODEC',
  'UNREADABLE',
  'CHECKSUM_MISMATCH',
  'FILE_MISSING',
  'CHANGED_SINCE_IMPORT',
]);
export type ImportErrorCode = z.infer<typeof ImportErrorCode>;

export const ApiErrorBody = z.object({ code: z.string(), message: z.string() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** What probing one file yields, without decoding a single frame. */
export const ProbeSummary = z.object({
  container: z.string(),
  /** Codec string as a browser's `canPlayType`/WebCodecs expects it where known (e.g. "avc1.64001f"). */
  codec: z.string(),
  codecFamily: CodecFamily,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  rotation: Rotation,
  durationSeconds: z.number().nonnegative(),
  frameCount: z.number().int().positive(),
  frameTableSource: z.enum(['mp4box', 'ffprobe']),
  flagged: FlaggedMetadata,
});
export type ProbeSummary = z.infer<typeof ProbeSummary>;

export const ProbeResult = ProbeSummary.extend({
  /** Presentation timestamp of every frame, seconds, presentation order, first frame at its own pts. */
  frameTimes: z.array(z.number()),
  /** Duration of the last frame, needed to seek inside its presentation interval. */
  lastFrameDurationSeconds: z.number().nonnegative(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const ChecksumState = z.enum(['pending', 'done', 'mismatch', 'error']);
export type ChecksumState = z.infer<typeof ChecksumState>;

export const Batch = z.object({
  id: z.string(),
  name: z.string(),
  folder: z.string(),
  manifestBatchId: z.string().nullable(),
  contributor: z.string().nullable(),
  region: z.string().nullable(),
  importedAt: z.string(),
  clipCount: z.number().int().nonnegative(),
  errorCount: z.number().int().nonnegative(),
});
export type Batch = z.infer<typeof Batch>;

export const Clip = ProbeSummary.extend({
  id: z.string(),
  batchId: z.string(),
  fileName: z.string(),
  relativePath: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  checksumState: ChecksumState,
  importedAt: z.string(),
  /** Valid, missing, not yet valid, expired or withdrawn, with why (consentStateOf). */
  consent: ClipConsent,
});
export type Clip = z.infer<typeof Clip>;

export const FileError = z.object({
  relativePath: z.string(),
  code: ImportErrorCode,
  message: z.string(),
});
export type FileError = z.infer<typeof FileError>;

export const ImportFileOutcome = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    relativePath: z.string(),
    clipId: z.string(),
    /** True when these bytes were already imported: nothing was written. */
    alreadyImported: z.boolean(),
    summary: ProbeSummary,
  }),
  z.object({
    status: z.literal('error'),
    relativePath: z.string(),
    code: ImportErrorCode,
    message: z.string(),
  }),
]);
export type ImportFileOutcome = z.infer<typeof ImportFileOutcome>;

export const ImportReport = z.object({
  batch: Batch,
  files: z.array(ImportFileOutcome),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const FrameTable = z.object({
  clipId: z.string(),
  frameTimes: z.array(z.number()),
  lastFrameDurationSeconds: z.number().nonnegative(),
});
export type FrameTable = z.infer<typeof FrameTable>;

export const ImportProgress = z.object({
  batchId: z.string().nullable(),
  phase: z.enum(['probe', 'checksum']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  relativePath: z.string().nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const ChecksumUpdate = z.object({
  clipId: z.string(),
  batchId: z.string(),
  checksumState: ChecksumState,
  sha256: z.string().nullable(),
  message: z.string().nullable(),
});
export type ChecksumUpdate = z.infer<typeof ChecksumUpdate>;

export const MediaVariant = z.enum(['original', 'proxy']);
export type MediaVariant = z.infer<typeof MediaVariant>;

/**
 * A clip's compressed samples in decode order, as columns (a 30-minute clip has 100k+ samples),
 * so the renderer can fetch byte ranges and decode exact frames with WebCodecs.
 */
export const SampleTable = z.object({
  clipId: z.string(),
  variant: MediaVariant,
  /** WebCodecs codec string, e.g. "avc1.64001f". */
  codec: z.string(),
  codedWidth: z.number().int().positive(),
  codedHeight: z.number().int().positive(),
  /** The decoder configuration record (avcC, hvcC, vpcC, av1C payload), base64; null if none. */
  description: z.string().nullable(),
  timescale: z.number().int().positive(),
  /** Clockwise rotation the picture needs; WebCodecs output is not rotated. */
  rotation: Rotation,
  offsets: z.array(z.number().int().nonnegative()),
  sizes: z.array(z.number().int().nonnegative()),
  /** Composition time in timescale ticks, before the edit list. */
  cts: z.array(z.number().int()),
  dts: z.array(z.number().int()),
  isSync: z.array(z.boolean()),
  /** Presentation index (0-based frame n) of each decode-order sample; -1 where an edit hides it. */
  frameIndex: z.array(z.number().int()),
});
export type SampleTable = z.infer<typeof SampleTable>;

export const ProxyState = z.enum(['none', 'queued', 'running', 'ready', 'failed']);
export type ProxyState = z.infer<typeof ProxyState>;

export const ProxyStatus = z.object({
  clipId: z.string(),
  state: ProxyState,
  /** 0..1 while running. */
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
});
export type ProxyStatus = z.infer<typeof ProxyStatus>;

/** A labeling project: its schema (templates, taxonomy, contact states, object classes). */
export const ProjectInfo = z.object({
  id: z.string().min(1),
  name: z.string(),
  version: z.number().int().positive(),
  schema: ProjectSchemaV1,
});
export type ProjectInfo = z.infer<typeof ProjectInfo>;

/**
 * One annotator's set on one clip. `revision` counts status changes (the sync's conflict check);
 * `seq` counts saved edits: the seq of the last command in the set's log, 0 before the first.
 */
export const AnnotationSetInfo = z.object({
  id: z.string().min(1),
  clipId: z.string().min(1),
  annotator: z.string().min(1),
  projectId: z.string().min(1),
  status: AnnotationStatus,
  revision: z.number().int().min(0),
  seq: z.number().int().min(0),
  updatedAt: z.string(),
});
export type AnnotationSetInfo = z.infer<typeof AnnotationSetInfo>;

// Typed as the domain's document, whose arrays are readonly: it is never mutated in place.
const ImmutableLabelsDocument: z.ZodType<LabelsDocumentData> = LabelsDocument;

/** A set's labels as of edit `seq`. */
export const LabelsAtSeq = z.object({
  setId: z.string().min(1),
  seq: z.number().int().min(0),
  doc: ImmutableLabelsDocument,
});
export type LabelsAtSeq = z.infer<typeof LabelsAtSeq>;

/** Counts, so a client can check its copy without the whole document coming back. */
export const LabelsSummary = z.object({
  tracks: z.number().int().min(0),
  keyframes: z.number().int().min(0),
  segments: z.number().int().min(0),
  contacts: z.number().int().min(0),
});
export type LabelsSummary = z.infer<typeof LabelsSummary>;

/** An edit committed to disk: the set's log now ends at `seq`. */
export const LabelEditSaved = z.object({
  setId: z.string().min(1),
  seq: z.number().int().positive(),
  summary: LabelsSummary,
});
export type LabelEditSaved = z.infer<typeof LabelEditSaved>;

export const LabelsSaved = z.object({
  setId: z.string().min(1),
  seq: z.number().int().positive(),
});
export type LabelsSaved = z.infer<typeof LabelsSaved>;

/** Where an annotator left off, so the app reopens there: clip, frame, zoom and selected track. */
export const Workspace = z
  .object({
    batchId: z.string().min(1),
    clipId: z.string().min(1),
    frame: z.number().int().min(0),
    zoom: z.number().positive(),
    panX: z.number(),
    panY: z.number(),
    selectedTrackId: z.string().min(1).nullable(),
  })
  .strict();
export type Workspace = z.infer<typeof Workspace>;

/** Submitting checks the labels first: either submitted, or what is missing, with its frames. */
export const SubmitResult = z.discriminatedUnion('submitted', [
  z.object({ submitted: z.literal(true), set: AnnotationSetInfo }),
  z.object({
    submitted: z.literal(false),
    problems: z.array(
      z.object({
        kind: z.enum([
          'undecided_points',
          'wrong_point_count',
          'unknown_template',
          'unlabeled_segment',
          'invalid_contact',
          'unaccepted_proposals',
        ]),
        frames: z.array(z.number().int().min(0)),
        recordId: z.string(),
        message: z.string(),
      }),
    ),
  }),
]);
export type SubmitResult = z.infer<typeof SubmitResult>;
