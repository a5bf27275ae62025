import {
  labelText,
  parseRecentLabels,
  quickLabels,
  rememberLabel,
  type RecentLabelsByProject,
  type SegmentLabel,
} from '../../../shared/domain/labels';
import type { AppState, SliceCreator } from './appStore';

const RECENT_KEY = 'framewise.segments.recentLabels';

export type SegmentLabelsSlice = {
  /** The verb–noun pairs used last, per project, kept across launches on this machine. */
  recentSegmentLabels: RecentLabelsByProject;
  /** Sets a segment's verb and noun (one undoable edit) and puts a full pair on key 1. */
  labelSegment: (
    segmentId: string,
    label: { verbId: number | null; nounId: number | null },
  ) => boolean;
  /** Keys 1–9: the selected segment gets the pair on that key. */
  quickLabelSegment: (slot: number) => void;
};

function readRecent(): RecentLabelsByProject {
  try {
    return parseRecentLabels(localStorage.getItem(RECENT_KEY));
  } catch {
    // No storage (slice tests in Node): the keys start empty.
    return {};
  }
}

function writeRecent(recent: RecentLabelsByProject): void {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(recent));
  } catch (error) {
    console.warn('The recent segment labels could not be kept for the next launch.', error);
  }
}

/** What keys 1–9 label a segment with on the clip open now (empty without a project). */
export function quickLabelsOf(
  state: Pick<AppState, 'labelProject' | 'recentSegmentLabels' | 'labels'>,
): readonly SegmentLabel[] {
  const project = state.labelProject;
  if (!project) return [];
  return quickLabels(
    state.recentSegmentLabels[project.id] ?? [],
    project.schema.taxonomy,
    state.labels.segments,
  );
}

export const createSegmentLabelsSlice: SliceCreator<SegmentLabelsSlice> = () => (set, get) => ({
  recentSegmentLabels: readRecent(),

  labelSegment: (segmentId, { verbId, nounId }) => {
    if (!get().editLabels({ type: 'updateSegment', segmentId, patch: { verbId, nounId } })) {
      return false;
    }
    const project = get().labelProject;
    if (project && verbId !== null && nounId !== null) {
      const all = get().recentSegmentLabels;
      const recent = {
        ...all,
        [project.id]: rememberLabel(all[project.id] ?? [], { verbId, nounId }),
      };
      set({ recentSegmentLabels: recent });
      writeRecent(recent);
    }
    return true;
  },

  quickLabelSegment: (slot) => {
    const state = get();
    const segmentId = state.selection.segmentId;
    if (segmentId === null || !state.labels.segments.some((s) => s.id === segmentId)) {
      state.showLabelNotice('Select a segment first: drag on a timeline row to make one.');
      return;
    }
    const label = quickLabelsOf(state)[slot - 1];
    if (!label || !state.labelProject) {
      state.showLabelNotice(
        `Key ${slot} has no label yet: label a segment with E, and the labels you use go on keys 1–9.`,
      );
      return;
    }
    if (state.labelSegment(segmentId, label)) {
      state.showLabelNotice(
        `Labeled “${labelText(label, state.labelProject.schema.taxonomy)}” (key ${slot}).`,
      );
    }
  },
});
