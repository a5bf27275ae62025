import { z } from 'zod';
import { parseVersionedJson } from './parseVersionedJson';

/** The manifest versions this build understands; an unknown one is refused, not guessed at. */
export const SUPPORTED_MANIFEST_VERSIONS = [1] as const;

const isoDate = z.iso.date({ message: 'must be a date written YYYY-MM-DD' });

/**
 * A path inside the batch folder: relative, forward slashes, no `..`, no drive letters.
 * Symlinks that lead outside are caught later, where the file system can be asked.
 */
export const RelativeClipPath = z
  .string()
  .min(1, 'must not be empty')
  .refine((p) => !p.startsWith('/') && !p.startsWith('\\') && !/^[A-Za-z]:/.test(p), {
    message: 'must be relative to the batch folder, not absolute',
  })
  .refine((p) => !p.includes('\\'), { message: 'must use forward slashes' })
  .refine((p) => !p.split('/').includes('..'), {
    message: 'must stay inside the batch folder (no "..")',
  })
  .refine((p) => !p.includes('\0'), { message: 'must not contain NUL characters' });

/** Pseudonyms only: a name with spaces is almost always a real name, which must never be stored. */
export const Pseudonym = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/,
    'must be a pseudonym (3–64 letters, digits, "_", "-" or "."; no spaces), never a real name',
  );

export const ConsentScope = z.enum(['training', 'commercial', 'third-party-sharing', 'research']);

export const ManifestConsent = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    scope: z.array(ConsentScope).min(1, 'must name at least one use'),
    grantedAt: isoDate,
    expiresAt: isoDate.nullable().default(null),
    withdrawn: z.boolean().default(false),
  })
  .strict();

export const ManifestClip = z
  .object({
    path: RelativeClipPath,
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
      .optional(),
    task: z.string().optional(),
  })
  .strict();

export const BatchManifestV1 = z
  .object({
    version: z.literal(1),
    batchId: z.string().min(1, 'must not be empty').max(200),
    contributor: z
      .object({
        pseudonym: Pseudonym,
        region: z
          .string()
          .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as "PT" or "US-CA"')
          .optional(),
      })
      .strict(),
    captureDevice: z
      .object({ make: z.string().optional(), model: z.string().optional() })
      .strict()
      .optional(),
    consent: ManifestConsent.optional(),
    taskPrompts: z.array(z.string()).default([]),
    clips: z.array(ManifestClip).default([]),
  })
  .strict();

export type BatchManifest = z.output<typeof BatchManifestV1>;

export type ManifestResult = { ok: true; manifest: BatchManifest } | { ok: false; message: string };

/** Parses batch.json text; every failure names the field and says what it must be. */
export function parseBatchManifest(text: string): ManifestResult {
  const parsed = parseVersionedJson(
    text,
    'batch.json',
    SUPPORTED_MANIFEST_VERSIONS,
    BatchManifestV1,
  );
  if (!parsed.ok) return parsed;
  const seen = new Set<string>();
  for (const [index, clip] of parsed.value.clips.entries()) {
    const key = clip.path.replace(/^\.\//, '');
    if (seen.has(key)) {
      return {
        ok: false,
        message: `batch.json is invalid: clips[${index}].path: "${clip.path}" is listed twice.`,
      };
    }
    seen.add(key);
  }
  return { ok: true, manifest: parsed.value };
}
