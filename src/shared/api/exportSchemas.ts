import { z } from 'zod';

/** What an export can write; each is one or more files (FORMATS.md, src/shared/formats/README.md). */
export const ExportFormat = z.enum(['coco', 'cvat', 'epic', 'hands', 'provenance']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/**
 * Which review states count as exportable: `accepted` only (the default, what training wants), or
 * `submitted` and later (submitted, in review, accepted). Changes-requested labels are never
 * exported: a reviewer has said they are wrong.
 */
export const ExportStatusFilter = z.enum(['accepted', 'submitted']);
export type ExportStatusFilter = z.infer<typeof ExportStatusFilter>;

export const ExportRequest = z
  .object({
    /** Batches to export; with neither batchIds nor clipIds, every batch. */
    batchIds: z.array(z.string().min(1)).optional(),
    clipIds: z.array(z.string().min(1)).optional(),
    status: ExportStatusFilter.default('accepted'),
    formats: z.array(ExportFormat).min(1, 'Choose at least one format.'),
    /** Absolute path of a folder that does not exist yet (or is empty); created at the end. */
    destination: z.string().min(1, 'Choose a destination folder.'),
    includeVideos: z.boolean().default(false),
    /**
     * 'faces': each video copy is re-encoded with the clip's face regions blurred (the project's
     * `blur` settings), every frame and frame time kept; a clip without a finished face scan is
     * left out (`faces_not_scanned`). Needs `includeVideos`.
     */
    blur: z.enum(['faces']).optional(),
    /**
     * Data residency: only clips whose contributor region (ISO 3166, from the manifest) is one of
     * these; "US" also admits "US-CA". Clips outside, or with no region, are excluded with
     * `region_excluded`. Absent or empty: every region.
     */
    regions: z
      .array(
        z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as "PT"'),
      )
      .optional(),
  })
  .strict();
export type ExportRequest = z.output<typeof ExportRequest>;
export type ExportRequestInput = z.input<typeof ExportRequest>;

/** Why a clip in the selection was left out; consent reasons win over every filter. */
export const ExclusionReason = z.enum([
  'consent_missing',
  'consent_withdrawn',
  'consent_expired',
  'consent_not_yet_valid',
  /** The contributor's region is not among the export's `regions` (or is unknown). */
  'region_excluded',
  'no_labels_in_status',
  'checksum_not_verified',
  /** The clean video copy failed its check (frame table or metadata); its labels are left out too. */
  'video_copy_failed',
  /** The project requires reviewed face regions (`blurPolicy`) and this clip's are not reviewed. */
  'blur_not_reviewed',
  /** Faces are to be blurred and the clip has no finished face scan. */
  'faces_not_scanned',
]);
export type ExclusionReason = z.infer<typeof ExclusionReason>;

export const ExportedClip = z.object({
  clipId: z.string(),
  batchId: z.string(),
  /** `video_id` in every file of the export. */
  videoId: z.string(),
  relativePath: z.string(),
  setId: z.string(),
  annotator: z.string(),
  status: z.string(),
  frames: z.number().int().min(0),
  tracks: z.number().int().min(0),
  segments: z.number().int().min(0),
  /** Path of the stripped copy inside the export, when videos were included. */
  video: z.string().nullable(),
});
export type ExportedClip = z.infer<typeof ExportedClip>;

export const ExcludedClip = z.object({
  clipId: z.string(),
  batchId: z.string(),
  relativePath: z.string(),
  reason: ExclusionReason,
  message: z.string(),
});
export type ExcludedClip = z.infer<typeof ExcludedClip>;

/** `export_report.json`, also the answer of a finished export. */
export const ExportReport = z.object({
  exportId: z.string(),
  destination: z.string(),
  exportedAt: z.string(),
  framewiseVersion: z.string(),
  status: ExportStatusFilter,
  formats: z.array(ExportFormat),
  includeVideos: z.boolean(),
  /** 'faces' when the video copies have faces blurred. */
  blur: z.enum(['faces']).nullable().default(null),
  exported: z.array(ExportedClip),
  excluded: z.array(ExcludedClip),
  /** Every file of the export except `checksums.sha256` itself, relative paths. */
  files: z.array(z.string()),
  durationMs: z.number().min(0),
});
export type ExportReport = z.infer<typeof ExportReport>;

export const ExportPhase = z.enum([
  'selecting',
  'writing',
  'videos',
  'checksums',
  'done',
  'failed',
  'cancelled',
]);
export type ExportPhase = z.infer<typeof ExportPhase>;

/** Pushed while an export runs (at most a few times a second) and once when it ends. */
export const ExportProgress = z.object({
  exportId: z.string(),
  phase: ExportPhase,
  /** Work units done and in all: one per clip per pass of each format, plus one per video copy. */
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  clipsExported: z.number().int().min(0),
  clipsExcluded: z.number().int().min(0),
  /** Seconds left at the pace so far; null until there is a pace. */
  etaSeconds: z.number().min(0).nullable(),
  /** What is being written, e.g. "coco_keypoints.json". */
  current: z.string().nullable(),
  /** The report once `done`, the error once `failed`. */
  report: ExportReport.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

export const ExportStarted = z.object({ exportId: z.string() });
export type ExportStarted = z.infer<typeof ExportStarted>;
