import type { AnnotationStatus } from '../labels/annotationSet';

/**
 * One annotation set of a clip that agreement may compare: labelled on this workstation
 * (`local`), or pulled from the server as one annotator's half of a double-annotated clip
 * (`remote`). `serverSetId` is the server's id of the set: a remote set's own, or the one a local
 * set was delivered as (null while it was never delivered).
 */
export type AgreementCandidate<T> = {
  readonly origin: 'local' | 'remote';
  readonly annotator: string;
  readonly status: AnnotationStatus;
  readonly serverSetId: string | null;
  readonly revision: number;
  readonly updatedAt: string;
  /** What the caller needs to load the set's labels. */
  readonly ref: T;
};

/**
 * The sets of one clip to compare pairwise: one handed-in set per annotator (a set still in
 * progress is never compared), in annotator order so the reference of a pair is stable.
 *
 * - A local set delivered as a server set that was also pulled is the same set twice: the
 *   server's copy is kept, and it names the annotator as the server does (the workstation's
 *   user name may differ from the annotator's pseudonym on the server).
 * - When one annotator has both a local and a pulled set, the pulled one wins: it is the revision
 *   the server holds (and the reviewer saw), where a local copy may be stale.
 * - Among sets of the same origin, the later one wins (higher revision, then later update).
 */
export function latestHandedInPerAnnotator<T>(
  candidates: readonly AgreementCandidate<T>[],
): AgreementCandidate<T>[] {
  const handedIn = candidates.filter((c) => c.status !== 'in_progress');
  const pulled = new Set(
    handedIn.filter((c) => c.origin === 'remote').map((c) => c.serverSetId ?? ''),
  );
  const byAnnotator = new Map<string, AgreementCandidate<T>>();
  for (const candidate of handedIn) {
    if (
      candidate.origin === 'local' &&
      candidate.serverSetId !== null &&
      pulled.has(candidate.serverSetId)
    ) {
      continue;
    }
    const seen = byAnnotator.get(candidate.annotator);
    if (seen === undefined || preferred(candidate, seen)) {
      byAnnotator.set(candidate.annotator, candidate);
    }
  }
  return [...byAnnotator.values()].sort((a, b) => a.annotator.localeCompare(b.annotator));
}

function preferred<T>(a: AgreementCandidate<T>, b: AgreementCandidate<T>): boolean {
  if (a.origin !== b.origin) return a.origin === 'remote';
  if (a.origin === 'remote' && a.revision !== b.revision) return a.revision > b.revision;
  return a.updatedAt > b.updatedAt;
}
