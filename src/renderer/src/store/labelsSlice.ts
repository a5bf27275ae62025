import { isApiError } from '../../../shared/api/apiError';
import type { AnnotationSetInfo, ProjectInfo, SubmitResult } from '../../../shared/api/schemas';
import {
  createUndoStack,
  editContextFor,
  EMPTY_LABELS,
  execute,
  FIT_VIEW,
  redo,
  undo,
  type ActionResult,
  type Command,
  type CopiedPose,
  type EditContext,
  type LabelsDocument,
  type StepResult,
  type UndoStack,
  type ViewState,
} from '../../../shared/domain/labels';
import { LabelSaveQueue, type PendingEdit } from '../labeling/labelSaveQueue';
import type { SliceCreator } from './appStore';

/** What the annotator has picked: a track and one of its points, a segment, a contact label. */
export type LabelSelection = {
  trackId: string | null;
  point: number | null;
  segmentId: string | null;
  contactId: string | null;
};

/** Whether every edit shown is on disk: what the "saved" indicator says. */
export type SaveIndicator = {
  pending: number;
  /** Saving failed for a reason that may pass (the host is unreachable); being retried. */
  retrying: string | null;
  /** Saving stopped: these edits could not be saved (the message says why and what to do). */
  failed: string | null;
};

export type OverlayTool = 'keypoint' | 'box';

/** Where the app should go back to once the clip it left off on has loaded. */
export type PendingRestore = {
  clipId: string;
  frame: number;
  view: ViewState;
  selectedTrackId: string | null;
};

export type LabelsSlice = {
  labelProject: ProjectInfo | null;
  labelSet: AnnotationSetInfo | null;
  /** The labels as shown: saved edits plus those still being saved (see `saveIndicator`). */
  labels: LabelsDocument;
  undoStack: UndoStack;
  labelsLoading: boolean;
  saveIndicator: SaveIndicator;
  selection: LabelSelection;
  /** Zoom and pan of the video and its overlay. */
  view: ViewState;
  overlayTool: OverlayTool;
  /** The frame `[` marked as a segment's start, until `]` ends it. */
  segmentMark: number | null;
  copiedPose: CopiedPose | null;
  /** The last thing the annotator tried that could not be done, as a sentence. */
  labelNotice: string | null;
  /** The segment whose verb and noun are being picked. */
  labelingSegmentId: string | null;
  shortcutSheetOpen: boolean;
  /** The result of the last submit attempt on this clip. */
  submitResult: SubmitResult | null;
  pendingRestore: PendingRestore | null;

  openLabels: (clipId: string, frameCount: number) => Promise<void>;
  closeLabels: () => void;
  /** The one way labels change: applies locally, records for undo, and queues the save. */
  editLabels: (command: Command) => boolean;
  /** Runs an action's command, or shows why it could not be done. */
  runLabelAction: (result: ActionResult) => boolean;
  undoLabels: () => void;
  redoLabels: () => void;
  select: (selection: Partial<LabelSelection>) => void;
  setView: (view: ViewState) => void;
  setOverlayTool: (tool: OverlayTool) => void;
  setSegmentMark: (frame: number | null) => void;
  setCopiedPose: (pose: CopiedPose | null) => void;
  showLabelNotice: (message: string | null) => void;
  setLabelingSegment: (segmentId: string | null) => void;
  setShortcutSheetOpen: (open: boolean) => void;
  submitLabels: () => Promise<void>;
  /** Resolves once every edit shown is saved (or saving has stopped). */
  labelsSettled: () => Promise<void>;
  restoreWorkspace: () => Promise<void>;
  takePendingRestore: (clipId: string) => PendingRestore | null;
};

const NO_SELECTION: LabelSelection = {
  trackId: null,
  point: null,
  segmentId: null,
  contactId: null,
};
const IDLE: SaveIndicator = { pending: 0, retrying: null, failed: null };

/** Failures that go away by themselves: the host restarting, a busy disk. */
const TRANSIENT_CODES = new Set(['HOST_UNREACHABLE', 'INTERNAL', 'HTTP_502', 'HTTP_503']);

function isTransient(error: unknown): boolean {
  return !isApiError(error) || TRANSIENT_CODES.has(error.code);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createLabelsSlice: SliceCreator<LabelsSlice> = (api) => (set, get) => {
  // Not state: nothing renders from them, and they must not be copied into snapshots.
  let context: EditContext | null = null;
  let queue: LabelSaveQueue | null = null;

  const applyStep = (step: StepResult): boolean => {
    if (!step.ok) {
      set({ labelNotice: step.message });
      return false;
    }
    set({ labels: step.doc, undoStack: step.stack, labelNotice: null });
    queue?.enqueue({ editId: crypto.randomUUID(), command: step.applied });
    return true;
  };

  const startQueue = (setId: string, seq: number): LabelSaveQueue =>
    new LabelSaveQueue(seq, {
      send: async (edit: PendingEdit, expectedSeq: number) =>
        (
          await api.applyLabelEdit({
            setId,
            command: edit.command,
            expectedSeq,
            editId: edit.editId,
          })
        ).seq,
      isTransient,
      onStatus: (status) =>
        set({
          saveIndicator: {
            pending: status.pending,
            retrying: status.retrying?.message ?? null,
            failed: get().saveIndicator.failed,
          },
        }),
      onRejected: (error, unsent) => {
        set({
          saveIndicator: {
            pending: unsent.length,
            retrying: null,
            failed:
              `${unsent.length} edit${unsent.length === 1 ? ' was' : 's were'} not saved: ` +
              `${describe(error)} The labels were reloaded from disk.`,
          },
        });
        // What is on screen is no longer what is on disk: show the disk's version, never a guess.
        void reload(setId);
      },
    });

  const reload = async (setId: string) => {
    const clipId = get().labelSet?.clipId;
    if (clipId === undefined) return;
    try {
      const [labelSet, loaded] = await Promise.all([
        api.openAnnotationSet({ clipId }),
        api.loadLabels({ setId }),
      ]);
      if (get().labelSet?.id !== setId) return;
      queue?.stop();
      queue = startQueue(setId, loaded.seq);
      set({ labelSet, labels: loaded.doc, undoStack: createUndoStack() });
    } catch (error) {
      get().reportError('reloading the labels', error);
    }
  };

  return {
    labelProject: null,
    labelSet: null,
    labels: EMPTY_LABELS,
    undoStack: createUndoStack(),
    labelsLoading: false,
    saveIndicator: IDLE,
    selection: NO_SELECTION,
    view: FIT_VIEW,
    overlayTool: 'keypoint',
    segmentMark: null,
    copiedPose: null,
    labelNotice: null,
    labelingSegmentId: null,
    shortcutSheetOpen: false,
    submitResult: null,
    pendingRestore: null,

    openLabels: async (clipId, frameCount) => {
      queue?.stop();
      queue = null;
      context = null;
      set({
        labelSet: null,
        labels: EMPTY_LABELS,
        undoStack: createUndoStack(),
        labelsLoading: true,
        saveIndicator: IDLE,
        selection: NO_SELECTION,
        view: FIT_VIEW,
        segmentMark: null,
        labelNotice: null,
        labelingSegmentId: null,
        submitResult: null,
      });
      try {
        const labelSet = await api.openAnnotationSet({ clipId });
        const [project, loaded] = await Promise.all([
          api.getProject({ projectId: labelSet.projectId }),
          api.loadLabels({ setId: labelSet.id }),
        ]);
        if (get().playerClip?.id !== clipId) return;
        context = editContextFor(project.schema, frameCount);
        queue = startQueue(labelSet.id, loaded.seq);
        const first = loaded.doc.tracks[0]?.id ?? null;
        set({
          labelProject: project,
          labelSet,
          labels: loaded.doc,
          selection: { ...NO_SELECTION, trackId: first },
        });
      } catch (error) {
        get().reportError('opening the labels', error);
      } finally {
        set({ labelsLoading: false });
      }
    },

    closeLabels: () => {
      // Edits already queued keep being sent until the page goes; closing a clip must not drop them.
      queue = null;
      context = null;
      set({ labelSet: null, labels: EMPTY_LABELS, undoStack: createUndoStack() });
    },

    editLabels: (command) => {
      const { labelSet, labels, undoStack } = get();
      if (!context || !labelSet) return false;
      if (labelSet.status !== 'in_progress' && labelSet.status !== 'changes_requested') {
        set({
          labelNotice: `These labels are ${labelSet.status.replace('_', ' ')}: they can no longer be edited.`,
        });
        return false;
      }
      return applyStep(execute(labels, undoStack, command, context));
    },

    runLabelAction: (result) => {
      if (!result.ok) {
        set({ labelNotice: result.message });
        return false;
      }
      return get().editLabels(result.command);
    },

    undoLabels: () => {
      if (!context) return;
      applyStep(undo(get().labels, get().undoStack, context));
    },

    redoLabels: () => {
      if (!context) return;
      applyStep(redo(get().labels, get().undoStack, context));
    },

    select: (selection) => set({ selection: { ...get().selection, ...selection } }),
    setView: (view) => set({ view }),
    setOverlayTool: (overlayTool) => set({ overlayTool }),
    setSegmentMark: (segmentMark) => set({ segmentMark }),
    setCopiedPose: (copiedPose) => set({ copiedPose }),
    showLabelNotice: (labelNotice) => set({ labelNotice }),
    setLabelingSegment: (labelingSegmentId) => set({ labelingSegmentId }),
    setShortcutSheetOpen: (shortcutSheetOpen) => set({ shortcutSheetOpen }),

    submitLabels: async () => {
      const labelSet = get().labelSet;
      if (!labelSet) return;
      try {
        // A submit judges what is on disk, so everything shown must be there first.
        await queue?.whenIdle();
        if (get().saveIndicator.pending > 0) {
          set({ labelNotice: 'Some edits are not saved yet; submit once they are.' });
          return;
        }
        const result = await api.submitAnnotationSet({ setId: labelSet.id });
        set({ submitResult: result, ...(result.submitted ? { labelSet: result.set } : {}) });
      } catch (error) {
        get().reportError('submitting the clip', error);
      }
    },

    labelsSettled: () => queue?.whenIdle() ?? Promise.resolve(),

    restoreWorkspace: async () => {
      try {
        const workspace = await api.getWorkspace({});
        if (!workspace || get().screen.name !== 'batches') return;
        set({
          pendingRestore: {
            clipId: workspace.clipId,
            frame: workspace.frame,
            view: { zoom: workspace.zoom, panX: workspace.panX, panY: workspace.panY },
            selectedTrackId: workspace.selectedTrackId,
          },
        });
        get().showClip(workspace.batchId, workspace.clipId);
      } catch (error) {
        get().reportError('reopening where you left off', error);
      }
    },

    takePendingRestore: (clipId) => {
      const pending = get().pendingRestore;
      if (pending?.clipId !== clipId) return null;
      set({ pendingRestore: null });
      return pending;
    },
  };
};
