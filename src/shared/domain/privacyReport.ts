import { z } from 'zod';
import { ConsentState } from './consentState';
import { FlaggedMetadata } from './flaggedMetadata';

/** The privacy-sensitive metadata import flags: FlaggedMetadata's keys. */
export const PrivacyField = FlaggedMetadata.keyof();
export type PrivacyField = z.infer<typeof PrivacyField>;

/** One clip's line of the privacy report. */
export const PrivacyReportClip = z.object({
  clipId: z.string(),
  relativePath: z.string(),
  container: z.string(),
  consent: ConsentState,
  /** What import found, as recorded (null: not present). */
  found: FlaggedMetadata,
  /** Fields an export with videos removes from its copy of this clip. */
  strippedOnExport: z.array(PrivacyField),
  /** How: MP4/MOV metadata boxes neutralised in place, or an ffmpeg stream copy without metadata. */
  method: z.enum(['mp4_boxes_neutralised', 'ffmpeg_stream_copy']),
  /** Whether an export would include this clip at all (consent valid today). */
  exportable: z.boolean(),
});
export type PrivacyReportClip = z.infer<typeof PrivacyReportClip>;

export const PrivacyReport = z.object({
  batchId: z.string(),
  batchName: z.string(),
  /** Pseudonym only: manifests with real names are refused on import. */
  contributor: z.string().nullable(),
  region: z.string().nullable(),
  generatedAt: z.string(),
  clips: z.array(PrivacyReportClip),
  totals: z.object({
    clips: z.number().int().min(0),
    withLocation: z.number().int().min(0),
    withDevice: z.number().int().min(0),
    withCreationTime: z.number().int().min(0),
    exportable: z.number().int().min(0),
  }),
  /** What stripping does not touch, said plainly so nobody assumes more. */
  notes: z.array(z.string()),
});
export type PrivacyReport = z.infer<typeof PrivacyReport>;

/** What the report reads of a batch (the contract's Batch has more). */
export type ReportedBatch = {
  readonly id: string;
  readonly name: string;
  readonly contributor: string | null;
  readonly region: string | null;
};

/** What the report reads of a clip (the contract's Clip has more). */
export type ReportedClip = {
  readonly id: string;
  readonly relativePath: string;
  readonly container: string;
  readonly consent: { readonly state: ConsentState };
  readonly flagged: FlaggedMetadata;
};

/**
 * The privacy report of a batch: per clip, the location, device and creation-time metadata
 * import found, and what an export with videos strips. Export's copy
 * (src/node/media/stripMetadata.ts) removes every flagged field, by neutralising the
 * MP4/MOV metadata boxes and header times in place or by an ffmpeg stream copy without metadata,
 * then re-probes the copy and leaves the clip out if any field remains; so "stripped" here is
 * every field found.
 */
export function privacyReportOf(
  batch: ReportedBatch,
  clips: readonly ReportedClip[],
  at: Date,
): PrivacyReport {
  const lines: PrivacyReportClip[] = clips.map((clip) => ({
    clipId: clip.id,
    relativePath: clip.relativePath,
    container: clip.container,
    consent: clip.consent.state,
    found: { ...clip.flagged },
    strippedOnExport: PrivacyField.options.filter((field) => clip.flagged[field] !== null),
    method:
      clip.container === 'mp4' || clip.container === 'mov'
        ? 'mp4_boxes_neutralised'
        : 'ffmpeg_stream_copy',
    exportable: clip.consent.state === 'valid',
  }));
  return {
    batchId: batch.id,
    batchName: batch.name,
    contributor: batch.contributor,
    region: batch.region,
    generatedAt: at.toISOString(),
    clips: lines,
    totals: {
      clips: lines.length,
      withLocation: lines.filter((l) => l.found.location !== null).length,
      withDevice: lines.filter((l) => l.found.make !== null || l.found.model !== null).length,
      withCreationTime: lines.filter((l) => l.found.creationTime !== null).length,
      exportable: lines.filter((l) => l.exportable).length,
    },
    notes: [
      'Exported video copies have location, device make/model and creation times removed ' +
        'without re-encoding; a copy that still carries any of them is left out of the export.',
      'The picture and sound are not altered unless the export blurs faces (--blur faces): then ' +
        'face regions found on the device, and reviewed where the project requires it, are ' +
        'blurred in a re-encoded copy with every frame time kept; rooms and anything else ' +
        'visible stay as filmed.',
      'Contributors appear only as pseudonyms; clips without valid consent are never exported.',
    ],
  };
}
