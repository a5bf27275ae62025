import { z } from 'zod';
import { ConsentScope, Pseudonym, RelativeClipPath } from '../domain/batchManifest';
import { AnnotationStatus } from '../domain/labels';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/**
 * One line of `provenance.jsonl` (FORMATS.md, "Provenance manifest"). Keys are written as named
 * here, snake_case, because the file is read by training pipelines, not by this code base.
 */
export const ProvenanceRecord = z
  .object({
    schema_version: z.literal(1),
    file_name: z.string().min(1, 'must not be empty'),
    source_sha256: Sha256,
    frame_count: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
    /** Where frame times come from, e.g. "container_pts" (the frame table), never fps. */
    timestamps_source: z.string().min(1, 'must not be empty'),
    contributor_pseudonym: Pseudonym,
    /** The contributor's region/country (ISO 3166) from the manifest; null when it gave none. */
    contributor_region: z.string().nullable(),
    consent: z
      .object({
        id: z.string().min(1, 'must not be empty'),
        scope: z.array(ConsentScope).min(1, 'must name at least one use'),
      })
      .strict(),
    annotators: z.array(z.string().min(1, 'must not be empty')),
    reviewers: z.array(z.string().min(1, 'must not be empty')),
    revision: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
    review_status: AnnotationStatus,
    pre_annotation: z
      .object({ model: z.string().min(1, 'must not be empty'), version: z.string().min(1) })
      .strict()
      .nullable(),
    /**
     * Present when the exported video is a re-encode with faces blurred (`--blur faces`): how, by
     * which detector (name and package version), whether a person reviewed the regions, and
     * where they are listed. Absent: the video, if any, is the original picture.
     */
    video_blur: z
      .object({
        blurred: z.literal(true),
        regions: z.literal('faces'),
        method: z.enum(['gaussian', 'pixelate']),
        strength: z.number(),
        padding: z.number(),
        model: z.string().min(1),
        model_version: z.string().min(1),
        review_status: z.enum(['reviewed', 'unreviewed']),
        reviewed_by: z.string().nullable(),
        reviewed_at: z.string().nullable(),
        regions_blurred: z.number().int().min(0),
        regions_file: z.literal('blur_regions.json'),
      })
      .strict()
      .optional(),
    framewise_version: z.string().min(1, 'must not be empty'),
    /**
     * The ffmpeg Framewise runs on contributors' files (proxies, metadata-free copies) when it
     * exported, e.g. "5.1.9-0+deb12u1"; null where no ffmpeg could be found.
     */
    ffmpeg_version: z.string().min(1, 'must not be empty').nullable(),
    exported_at: z.iso.datetime({ message: 'must be an ISO 8601 UTC time' }),
  })
  .strict();
export type ProvenanceRecord = z.infer<typeof ProvenanceRecord>;

export class ProvenanceError extends Error {
  override readonly name = 'ProvenanceError';
}

/**
 * `provenance.jsonl`: each record validated, then written as one JSON line. An invalid record
 * stops the export (a provenance file with holes would pass for a complete one).
 */
export function* provenanceJsonlChunks(records: Iterable<ProvenanceRecord>): Generator<string> {
  let line = 0;
  for (const record of records) {
    line += 1;
    yield provenanceLine(record, line);
  }
}

/** One record as its line of `provenance.jsonl` (`line` counts from 1, for the message). */
export function provenanceLine(record: ProvenanceRecord, line: number): string {
  const parsed = ProvenanceRecord.safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.map(String).join('.') || 'record'}: ${issue.message}`);
    throw new ProvenanceError(`Provenance line ${line} is invalid: ${issues.join('; ')}.`);
  }
  return JSON.stringify(parsed.data) + '\n';
}

export type ChecksumEntry = { readonly path: string; readonly sha256: string };

/**
 * `checksums.sha256` in the format `sha256sum` writes and `sha256sum -c` reads: the hash, two
 * spaces (text mode), the path relative to the export folder, one file per line, sorted by path so
 * equal exports give equal files. Paths with a newline or backslash (which sha256sum would escape)
 * are refused.
 */
export function checksumsFile(entries: readonly ChecksumEntry[]): string {
  const lines = entries.map((entry) => {
    const path = RelativeClipPath.safeParse(entry.path);
    if (!path.success || /[\r\n]/.test(entry.path)) {
      throw new ProvenanceError(
        `"${entry.path}" cannot be listed: it must be a relative path without line breaks.`,
      );
    }
    if (!Sha256.safeParse(entry.sha256).success) {
      throw new ProvenanceError(`The checksum of "${entry.path}" must be 64 lowercase hex digits.`);
    }
    return { path: entry.path, line: `${entry.sha256}  ${entry.path}\n` };
  });
  lines.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return lines.map((l) => l.line).join('');
}
