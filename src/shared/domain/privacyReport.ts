import type { Batch, Clip } from '../api/schemas';
import type { PrivacyField, PrivacyReport, PrivacyReportClip } from '../api/governanceSchemas';

const FIELDS: readonly PrivacyField[] = ['location', 'make', 'model', 'creationTime'];

/**
 * The privacy report of a batch: per clip, the location, device and creation-time metadata
 * import found, and what an export with videos strips. Export's copy
 * (src/main/services/media/stripMetadata.ts) removes every flagged field, by neutralising the
 * MP4/MOV metadata boxes and header times in place or by an ffmpeg stream copy without metadata,
 * then re-probes the copy and leaves the clip out if any field remains; so "stripped" here is
 * every field found.
 */
export function privacyReportOf(batch: Batch, clips: readonly Clip[], at: Date): PrivacyReport {
  const lines: PrivacyReportClip[] = clips.map((clip) => ({
    clipId: clip.id,
    relativePath: clip.relativePath,
    container: clip.container,
    consent: clip.consent.state,
    found: { ...clip.flagged },
    strippedOnExport: FIELDS.filter((field) => clip.flagged[field] !== null),
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
      'The picture and sound are not altered: faces, rooms and anything visible stay as filmed.',
      'Contributors appear only as pseudonyms; clips without valid consent are never exported.',
    ],
  };
}
