import { z } from 'zod';
import type { ActionClass } from './projectSchema';
import type { Segment } from './segments';

/**
 * The verb–noun pairs an annotator used last, put on the number keys so the next segment is
 * labeled with one key (ELAN's and Label Studio's habit): what was used last is `1`.
 */

const ClassId = z.number().int().min(0);

export const SegmentLabel = z.object({ verbId: ClassId, nounId: ClassId }).strict();
export type SegmentLabel = z.infer<typeof SegmentLabel>;

/** Keys 1–9. */
export const QUICK_LABEL_SLOTS = 9;

/** The remembered pairs of every project the annotator worked on, by project id. */
export const RecentLabelsByProject = z.record(
  z.string(),
  z.array(SegmentLabel).max(QUICK_LABEL_SLOTS),
);
export type RecentLabelsByProject = Readonly<Record<string, readonly SegmentLabel[]>>;

function same(a: SegmentLabel, b: SegmentLabel): boolean {
  return a.verbId === b.verbId && a.nounId === b.nounId;
}

/** `label` moves to the front (key 1); the list keeps at most `QUICK_LABEL_SLOTS` pairs. */
export function rememberLabel(
  recent: readonly SegmentLabel[],
  label: SegmentLabel,
): readonly SegmentLabel[] {
  return [label, ...recent.filter((r) => !same(r, label))].slice(0, QUICK_LABEL_SLOTS);
}

/**
 * Stored text back to pairs; anything unreadable (an older format, a hand edit) is forgotten
 * rather than trusted, since the list is only a convenience.
 */
export function parseRecentLabels(text: string | null): RecentLabelsByProject {
  if (text === null) return {};
  try {
    const parsed = RecentLabelsByProject.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * What keys 1–9 mean on this clip: the remembered pairs that still name classes of the project's
 * taxonomy, then the pairs this clip's segments already use (most used first, then earliest), so
 * a clip labeled on another machine still offers its labels.
 */
export function quickLabels(
  recent: readonly SegmentLabel[],
  taxonomy: { readonly verbs: readonly ActionClass[]; readonly nouns: readonly ActionClass[] },
  segments: readonly Segment[],
): readonly SegmentLabel[] {
  const verbs = new Set(taxonomy.verbs.map((v) => v.id));
  const nouns = new Set(taxonomy.nouns.map((n) => n.id));
  const known = (l: SegmentLabel) => verbs.has(l.verbId) && nouns.has(l.nounId);
  const result: SegmentLabel[] = [];
  const add = (label: SegmentLabel) => {
    if (result.length < QUICK_LABEL_SLOTS && known(label) && !result.some((r) => same(r, label))) {
      result.push(label);
    }
  };
  for (const label of recent) add(label);
  const uses = new Map<string, { label: SegmentLabel; count: number; first: number }>();
  for (const s of segments) {
    if (s.verbId === null || s.nounId === null) continue;
    const key = `${s.verbId}/${s.nounId}`;
    const entry = uses.get(key);
    if (entry) {
      entry.count += 1;
      entry.first = Math.min(entry.first, s.startFrame);
    } else {
      uses.set(key, {
        label: { verbId: s.verbId, nounId: s.nounId },
        count: 1,
        first: s.startFrame,
      });
    }
  }
  const used = [...uses.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  for (const { label } of used) add(label);
  return result;
}

/** "open cupboard", from the project's class names. */
export function labelText(
  label: SegmentLabel,
  taxonomy: { readonly verbs: readonly ActionClass[]; readonly nouns: readonly ActionClass[] },
): string {
  const verb = taxonomy.verbs.find((v) => v.id === label.verbId)?.key ?? `verb ${label.verbId}`;
  const noun = taxonomy.nouns.find((n) => n.id === label.nounId)?.key ?? `noun ${label.nounId}`;
  return `${verb} ${noun}`;
}
