import { ApiError } from '../../shared/api/apiError';
import type { Batch, Clip } from '../../shared/api/schemas';

/**
 * A batch named on the command line by its id or by its name (unique on this workstation). An
 * unknown name, or one that several batches share, is an error that lists what to type instead.
 */
export function resolveBatchRef(
  batches: readonly Pick<Batch, 'id' | 'name'>[],
  ref: string,
): string {
  if (batches.some((batch) => batch.id === ref)) return ref;
  const named = batches.filter((batch) => batch.name === ref);
  const [only] = named;
  if (named.length === 1 && only !== undefined) return only.id;
  if (named.length > 1) {
    throw new ApiError(
      'AMBIGUOUS_BATCH_NAME',
      `${named.length} batches are named "${ref}" (${named.map((b) => b.id).join(', ')}); give the id of the one you mean.`,
    );
  }
  throw new ApiError(
    'BATCH_NOT_FOUND',
    `No batch with id or name "${ref}" in this workstation's database; \`framewise batches\` lists them.`,
  );
}

/** "3 valid, 1 withdrawn": how many clips of a batch are in each consent state. */
export function consentSummary(clips: readonly Pick<Clip, 'consent'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const clip of clips) counts[clip.consent.state] = (counts[clip.consent.state] ?? 0) + 1;
  return counts;
}
