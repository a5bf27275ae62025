import {
  AnnotationStatus,
  projectTemplates,
  type AnnotationStatus as Status,
} from '../../../shared/domain/labels';
import {
  agreementReport,
  documentAgreement,
  type AgreementReport,
  type ComparedClip,
} from '../../../shared/domain/metrics';
import type { Store } from '../store/Store';
import { ExportQueries, type ExportSetRow } from '../store/exportQueries';

/** Work an annotator handed in: a set still being labeled is not compared. */
const HANDED_IN: ReadonlySet<Status> = new Set<Status>(
  AnnotationStatus.options.filter((s) => s !== 'in_progress'),
);

export type AgreementServiceDeps = {
  databasePath: string;
  store: Store;
  sqliteNativeBinding?: string;
};

/**
 * Agreement figures for the lead, computed from every clip two or more annotators handed in (in
 * this database: their own, and those sync brought in). Reads on a read-only connection of its
 * own, one snapshot, so figures and the sets they come from agree.
 */
export class AgreementService {
  readonly #deps: AgreementServiceDeps;

  constructor(deps: AgreementServiceDeps) {
    this.#deps = deps;
  }

  report(batchId?: string): AgreementReport {
    const queries = ExportQueries.open(this.#deps.databasePath, {
      ...(this.#deps.sqliteNativeBinding ? { nativeBinding: this.#deps.sqliteNativeBinding } : {}),
    });
    try {
      queries.beginSnapshot();
      const compared: ComparedClip[] = [];
      for (const clip of queries.clipsOfBatches(batchId === undefined ? null : [batchId])) {
        const sets = latestPerAnnotator(queries.setsOfClip(clip.clipId));
        if (sets.length < 2) continue;
        const batchName = this.#deps.store.getBatch(clip.batchId)?.name ?? clip.batchId;
        for (let i = 0; i < sets.length; i++) {
          for (let j = i + 1; j < sets.length; j++) {
            const reference = sets[i];
            const other = sets[j];
            if (!reference || !other) continue;
            const templates = projectTemplates(queries.project(reference.projectId));
            compared.push({
              clipId: clip.clipId,
              clipName: clip.relativePath,
              batchId: clip.batchId,
              batchName,
              reference: reference.annotator,
              other: other.annotator,
              agreement: documentAgreement(
                queries.labels(reference, clip.frameCount),
                queries.labels(other, clip.frameCount),
                templates,
                clip.frameCount,
              ),
            });
          }
        }
      }
      const batchOf = (id: string) => id === batchId || batchId === undefined;
      const changes = queries.statusChanges().filter((c) => batchOf(c.batchId));
      return agreementReport(compared, changes);
    } finally {
      queries.close();
    }
  }
}

/** One handed-in set per annotator, in annotator order (so the reference is stable). */
function latestPerAnnotator(sets: readonly ExportSetRow[]): ExportSetRow[] {
  const byAnnotator = new Map<string, ExportSetRow>();
  for (const set of sets) {
    if (!HANDED_IN.has(set.status)) continue;
    const seen = byAnnotator.get(set.annotator);
    if (!seen || seen.updatedAt < set.updatedAt) byAnnotator.set(set.annotator, set);
  }
  return [...byAnnotator.values()].sort((a, b) => a.annotator.localeCompare(b.annotator));
}
