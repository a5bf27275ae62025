/** A delivered clip on this workstation's disk, as the quota sees it. */
export type StoredDelivery = {
  clipRef: string;
  sizeBytes: number;
  /** Still assigned to (or reviewed or led by) the signed-in account. */
  assigned: boolean;
  /** Open in a window now. */
  open: boolean;
  /** Labels, reviews or comments made here that the server has not received yet. */
  unsentWork: boolean;
  /** When it was last opened (epoch ms). */
  lastUsedAt: number;
};

/**
 * Which delivered clips to delete so the folder fits in `quotaBytes`: only clips no longer
 * assigned, not open and with nothing unsent, least recently used first, and no more than needed.
 * What cannot be evicted stays even over the quota: the quota never costs anyone their work.
 */
export function clipsToEvict(clips: readonly StoredDelivery[], quotaBytes: number): string[] {
  let total = clips.reduce((sum, clip) => sum + clip.sizeBytes, 0);
  if (total <= quotaBytes) return [];
  const candidates = clips
    .filter((clip) => !clip.assigned && !clip.open && !clip.unsentWork)
    .sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.clipRef.localeCompare(b.clipRef));
  const evicted: string[] = [];
  for (const clip of candidates) {
    if (total <= quotaBytes) break;
    evicted.push(clip.clipRef);
    total -= clip.sizeBytes;
  }
  return evicted;
}
