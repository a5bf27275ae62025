import type { WorkItem } from '../../../shared/api/syncSchemas';
import { compareDue, workStatusOf } from '../../../shared/domain/workStatus';
import type { Store } from '../store/Store';
import type { CachedAssignment } from '../sync/syncService';

/**
 * The signed-in person's work (no tables of its own): each clip with its status for them, from
 * their sets here, their assignments as the last sync pulled them and consent; the reviewer's
 * reason beside a request for changes. With `batchId`, every clip of that batch (for the batch
 * screen); without, what is assigned to them or started here, across batches (My work), due work
 * first.
 */
export function listWork(
  deps: {
    store: Store;
    actor: string;
    assignments: readonly CachedAssignment[];
    /** False for a clip whose file is gone from here (a delivered copy the quota evicted). */
    fileHere?: (clipId: string) => boolean;
  },
  batchId?: string,
): WorkItem[] {
  const { store, actor } = deps;
  const mine = new Map(
    deps.assignments.filter((a) => a.annotator === actor).map((a) => [a.clipRef, a]),
  );
  const batches = store.media
    .listBatches()
    .filter((batch) => batchId === undefined || batch.id === batchId);
  const items: WorkItem[] = [];
  const seen = new Set<string>();
  for (const batch of batches) {
    for (const clip of store.media.listClips(batch.id)) {
      const set = store.labels.findAnnotationSet(clip.id, actor);
      const assignment = clip.sha256 === null ? undefined : mine.get(clip.sha256);
      if (clip.sha256 !== null) seen.add(clip.sha256);
      const status = workStatusOf({
        withdrawn: clip.consent.state === 'withdrawn',
        localStatus: set?.status ?? null,
        server: assignment ?? null,
      });
      if (batchId === undefined && status === 'not_assigned') continue;
      items.push({
        clipId: clip.id,
        clipRef: clip.sha256,
        here: deps.fileHere?.(clip.id) ?? true,
        batchId: batch.id,
        batchName: batch.name,
        fileName: clip.fileName,
        status,
        reason: status === 'changes_requested' ? reasonOf(store, clip.sha256) : null,
        updatedAt: set?.updatedAt ?? null,
      });
    }
  }
  if (batchId === undefined) {
    // Assigned but not imported on this workstation: listed, so nothing assigned goes unseen.
    for (const assignment of mine.values()) {
      if (seen.has(assignment.clipRef)) continue;
      const status = workStatusOf({ withdrawn: false, localStatus: null, server: assignment });
      items.push({
        clipId: null,
        clipRef: assignment.clipRef,
        here: false,
        batchId: null,
        batchName: null,
        fileName: null,
        status,
        reason: status === 'changes_requested' ? reasonOf(store, assignment.clipRef) : null,
        updatedAt: null,
      });
    }
    items.sort((a, b) => compareDue(a.status, b.status));
  }
  return items;
}

function reasonOf(store: Store, clipRef: string | null): string | null {
  if (clipRef === null) return null;
  const latest = store.sync.latestChangesRequested(clipRef);
  return latest === null ? null : `${latest.reviewer}: ${latest.reason}`;
}
