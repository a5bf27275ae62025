import {
  BUILT_IN_TEMPLATES,
  projectTemplates,
  type LabelsDocument,
  type SkeletonTemplate,
} from '../../../shared/domain/labels';
import {
  agreementReport,
  documentAgreement,
  latestHandedInPerAnnotator,
  type AgreementCandidate,
  type AgreementReport,
  type ComparedClip,
  type ServerAnnotatorCounts,
  withServerCounts,
} from '../../../shared/domain/metrics';
import type { Store } from '../store/Store';
import type { RemoteDoubleSet } from '../review/doubleAnnotationSets';
import { ExportQueries, type ExportClipRow, type ExportSetRow } from '../export/exportQueries';

export type AgreementServiceDeps = {
  databasePath: string;
  store: Store;
  sqliteNativeBinding?: string;
  /**
   * Each annotator's submits and verdicts as the server counted them (the lead's last pull of
   * project progress): on a lead's workstation the team's work happened elsewhere.
   */
  serverCounts?: () => ServerAnnotatorCounts[];
};

/** A set to compare: one labelled here (rebuilt from its log) or one pulled from the server. */
type SetRef = { kind: 'local'; set: ExportSetRow } | { kind: 'remote'; set: RemoteDoubleSet };

/**
 * Agreement figures for the lead, computed from every clip two or more annotators handed in: sets
 * labelled in this database, and both halves of double-annotated clips that sync pulled from the
 * server (matched to the clip imported here by its sha256, which gives its frame count and batch).
 * Reads on a read-only connection of its own, one snapshot, so figures and the sets they come
 * from agree.
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
      const remoteByClip = new Map<string, RemoteDoubleSet[]>();
      for (const set of queries.doubleAnnotationSets()) {
        const list = remoteByClip.get(set.clipRef) ?? [];
        list.push(set);
        remoteByClip.set(set.clipRef, list);
      }
      const serverIds = queries.serverSetIds();
      const compared: ComparedClip[] = [];
      for (const clip of queries.clipsOfBatches(batchId === undefined ? null : [batchId])) {
        const candidates: AgreementCandidate<SetRef>[] = [
          ...queries.setsOfClip(clip.clipId).map((set) => ({
            origin: 'local' as const,
            annotator: set.annotator,
            status: set.status,
            serverSetId: serverIds.get(set.setId) ?? null,
            revision: set.revision,
            updatedAt: set.updatedAt,
            ref: { kind: 'local' as const, set },
          })),
          ...remoteCandidates(clip.sha256 === null ? [] : (remoteByClip.get(clip.sha256) ?? [])),
        ];
        const sets = latestHandedInPerAnnotator(candidates);
        if (sets.length < 2) continue;
        const batchName = this.#deps.store.media.getBatch(clip.batchId)?.name ?? clip.batchId;
        const templates = templatesFor(queries, clip, sets);
        const labels = (ref: SetRef): LabelsDocument =>
          ref.kind === 'local' ? queries.labels(ref.set, clip.frameCount) : ref.set.labels;
        for (let i = 0; i < sets.length; i++) {
          for (let j = i + 1; j < sets.length; j++) {
            const reference = sets[i];
            const other = sets[j];
            if (!reference || !other) continue;
            compared.push({
              clipId: clip.clipId,
              clipName: clip.relativePath,
              batchId: clip.batchId,
              batchName,
              reference: reference.annotator,
              other: other.annotator,
              agreement: documentAgreement(
                labels(reference.ref),
                labels(other.ref),
                templates,
                clip.frameCount,
              ),
            });
          }
        }
      }
      const batchOf = (id: string) => id === batchId || batchId === undefined;
      const changes = queries.statusChanges().filter((c) => batchOf(c.batchId));
      const here = new Set(queries.clipsOfBatches(null).map((c) => c.sha256));
      // Clips the server has two annotators' work for but this machine never imported: without
      // the video there is no frame count or batch to compare them by, so they are counted.
      let notOnThisMachine = 0;
      for (const [clipRef, remote] of remoteByClip) {
        if (
          !here.has(clipRef) &&
          latestHandedInPerAnnotator(remoteCandidates(remote)).length >= 2
        ) {
          notOnThisMachine += 1;
        }
      }
      const report = agreementReport(compared, changes, { notOnThisMachine });
      // The server counts per project, not per batch: its figures answer "all batches" only.
      return batchId === undefined && this.#deps.serverCounts
        ? withServerCounts(report, this.#deps.serverCounts())
        : report;
    } finally {
      queries.close();
    }
  }
}

function remoteCandidates(sets: readonly RemoteDoubleSet[]): AgreementCandidate<SetRef>[] {
  return sets.map((set) => ({
    origin: 'remote',
    annotator: set.annotator,
    status: set.status,
    serverSetId: set.serverSetId,
    revision: set.revision,
    updatedAt: set.updatedAt,
    ref: { kind: 'remote', set },
  }));
}

/**
 * The skeleton templates tracks are matched by: the project of a set labelled here, else the
 * pulled sets' project when this machine holds it under the same id, else the built-in ones
 * (COCO-17 body and the hands), which every project includes.
 */
function templatesFor(
  queries: ExportQueries,
  clip: ExportClipRow,
  sets: readonly AgreementCandidate<SetRef>[],
): readonly SkeletonTemplate[] {
  const local =
    sets.find((s) => s.ref.kind === 'local')?.ref.set.projectId ??
    queries.setsOfClip(clip.clipId)[0]?.projectId;
  if (local !== undefined) return projectTemplates(queries.project(local));
  const remote = sets[0]?.ref.set.projectId;
  if (remote === undefined) return BUILT_IN_TEMPLATES;
  try {
    return projectTemplates(queries.project(remote));
  } catch {
    // A server project id this workstation holds no schema for.
    return BUILT_IN_TEMPLATES;
  }
}
