import type { ActionClass } from '../../../../shared/domain/labels';

/**
 * How well a taxonomy class matches what was typed, best first; null for no match. Names are
 * EPIC-KITCHENS-style keys ("take", "put-down", "cupboard:kitchen"), so a match at the start of
 * any word of the key ranks just under a match at its start.
 */
export function matchRank(item: ActionClass, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (q === '') return 0;
  const key = item.key.toLowerCase();
  const id = String(item.id);
  if (key === q || id === q) return 0;
  if (key.startsWith(q)) return 1;
  if (key.split(/[\s_:\-/]+/).some((word) => word.startsWith(q))) return 2;
  if (id.startsWith(q)) return 3;
  if (key.includes(q)) return 4;
  const category = item.category?.toLowerCase();
  if (category?.startsWith(q)) return 5;
  if (category?.includes(q)) return 6;
  return null;
}

/** The classes matching `query`, best match first, in taxonomy order among equals. */
export function searchTaxonomy(
  classes: readonly ActionClass[],
  query: string,
): readonly ActionClass[] {
  const ranked: { item: ActionClass; rank: number; order: number }[] = [];
  classes.forEach((item, order) => {
    const rank = matchRank(item, query);
    if (rank !== null) ranked.push({ item, rank, order });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return ranked.map((r) => r.item);
}

/** How a class reads in the picker and on the timeline: its key, with its id for the record. */
export function describeClass(item: ActionClass): string {
  return `${item.key} (${item.id})`;
}
