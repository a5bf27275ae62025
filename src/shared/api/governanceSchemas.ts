import { z } from 'zod';
import { ConsentState } from '../domain/consentState';

/** The privacy-sensitive metadata import flags (FlaggedMetadata's keys). */
export const PrivacyField = z.enum(['location', 'make', 'model', 'creationTime']);
export type PrivacyField = z.infer<typeof PrivacyField>;

/** One clip's line of the privacy report. */
export const PrivacyReportClip = z.object({
  clipId: z.string(),
  relativePath: z.string(),
  container: z.string(),
  consent: ConsentState,
  /** What import found, as recorded (null: not present). */
  found: z.object({
    location: z.string().nullable(),
    make: z.string().nullable(),
    model: z.string().nullable(),
    creationTime: z.string().nullable(),
  }),
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

/** One audit entry as exported for a batch: every stored field, with its chain hashes. */
export const AuditTrailEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});
export type AuditTrailEntry = z.infer<typeof AuditTrailEntry>;

/** The result of checking the audit log's hash chain. */
export const AuditVerdict = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), entries: z.number().int().min(0), lastHash: z.string() }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int().min(0),
    firstBadId: z.number().int(),
    problem: z.enum([
      'entry_altered',
      'link_broken',
      'entries_missing',
      'tail_missing',
      'unhashed',
    ]),
    message: z.string(),
  }),
]);
export type AuditVerdict = z.infer<typeof AuditVerdict>;

/**
 * Pushed when a consent withdrawal purged clips on this workstation: a window showing one of them
 * drops its labels and decoded frames from memory and leaves the clip, which is locked from now on.
 */
export const ConsentWithdrawn = z.object({
  clipIds: z.array(z.string()),
  reason: z.string().nullable(),
});
export type ConsentWithdrawn = z.infer<typeof ConsentWithdrawn>;
