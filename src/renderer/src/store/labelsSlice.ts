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
  contactAt,
  actualPixelsView,
  endContactAt,
  moveStaticObjectBox,
  setBoxOnFrame,
  setHandBox,
  startObjectContact,
  isPlaced,
  newTrackLabel,
  poseAt,
  setContactFrom,
  statusName,
  trackDisplayName,
  type ActionResult,
  type Box,
  type Command,
  type ContactState,
  type HandLink,
  type TrackKind,
  type CopiedPose,
  type EditContext,
  type LabelsDocument,
  type StepResult,
  type UndoStack,
  type PosePoint,
  type Size,
  type ViewState,
  viewForResizedStage,
  zoomAtCentre,
  zoomToBox,
} from '../../../shared/domain/labels';
import { LabelSaveQueue, type PendingEdit } from '../labeling/labelSaveQueue';
import type { SliceCreator } from './appStore';

/** What the annotator has picked: a track and one of its points, a segment, a contact label. */
export type LabelSelection = {
  trackId: string | null;
  point: number | null;
  segmentId: string | null;
  contactId: string | null;
  /** A box on the overlay (`OverlayBox.boxId`): a box track, or a version 1 static object box. */
  boxId?: string | null | undefined;
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

/** What a keyboard action needs to know to make its command. */
export type LabelingPosition = {
  doc: LabelsDocument;
  frame: number;
  context: EditContext;
  selection: LabelSelection;
};

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
  /** Zoom and pan of the video and its overlay; `FIT_VIEW` follows the stage's size. */
  view: ViewState;
  /** The picture's and the stage's sizes, as the overlay last measured them. */
  stage: { video: Size; container: Size } | null;
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
  /** An object contact (3 or 4) waiting for its box to be drawn with the box tool. */
  contactDraft: { trackId: string; state: 3 | 4 } | null;
  /** The object class new contact boxes get; the project's first class until one is picked. */
  objectClassId: number | null;

  openLabels: (clipId: string, frameCount: number) => Promise<void>;
  /** The one way labels change: applies locally, records for undo, and queues the save. */
  editLabels: (command: Command) => boolean;
  /** Runs an action's command, or shows why it could not be done. */
  runLabelAction: (result: ActionResult) => boolean;
  /** Runs an action made from where the annotator is: the document, frame and project rules. */
  labelAction: (make: (where: LabelingPosition) => ActionResult) => boolean;
  /** Where the annotator is, once labels and a frame are on screen. */
  labelingPosition: () => LabelingPosition | null;
  undoLabels: () => void;
  redoLabels: () => void;
  select: (selection: Partial<LabelSelection>) => void;
  setView: (view: ViewState) => void;
  /**
   * The overlay measured the stage: fit stays fitted to it, and a view the annotator zoomed or
   * panned keeps its scale and centre (`viewForResizedStage`).
   */
  setStage: (stage: { video: Size; container: Size }) => void;
  /**
   * The zoom buttons and keys: in and out about the centre, the whole picture, actual pixels, or
   * the selected track's points on this frame.
   */
  zoomView: (how: ViewZoom) => void;
  setOverlayTool: (tool: OverlayTool) => void;
  setSegmentMark: (frame: number | null) => void;
  setCopiedPose: (pose: CopiedPose | null) => void;
  showLabelNotice: (message: string | null) => void;
  setLabelingSegment: (segmentId: string | null) => void;
  setShortcutSheetOpen: (open: boolean) => void;
  submitLabels: () => Promise<void>;
  restoreWorkspace: () => Promise<void>;
  /** Adds a track of `templateId` and selects it. */
  addTrack: (kind: TrackKind, templateId: string) => void;
  /** Removes a track (and a hand's contacts) as one undoable edit, and says how to get it back. */
  removeTrack: (trackId: string) => void;
  renameTrack: (trackId: string, label: string) => boolean;
  /** `otherId` joins `keepId`'s track, which stays selected. */
  mergeTracks: (keepId: string, otherId: string) => void;
  /**
   * `0`–`4` on the selected hand at the current frame. States 3 and 4 need the object: reuse the
   * box of the contact covering the frame, or switch to the box tool and wait for one.
   */
  setContactState: (state: ContactState) => void;
  /**
   * A box drawn with the box tool: the object of a waiting object contact, else a new keyframe of
   * the selected box, else the selected hand's box on this frame.
   */
  placeContactBox: (box: Box) => void;
  /** A box moved or resized on this frame: it becomes that box's keyframe here. */
  moveContactBox: (boxId: string, box: Box) => void;
  /** The end mark: the selected hand's contact ends on this frame. */
  endContact: () => void;
  /** Whose hand a hand track is: a person's, the camera wearer's, or nobody's yet (null). */
  linkHand: (trackId: string, link: HandLink | null) => void;
  setObjectClass: (classId: number) => void;
  takePendingRestore: (clipId: string) => PendingRestore | null;
  /** Forgets the open set entirely (its clip's consent was withdrawn): no edit is sent after. */
  dropLabels: () => void;
};

/** Tableau 10: distinguishable colours for tracks drawn over video. */
export const TRACK_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export type ViewZoom = 'in' | 'out' | 'fit' | 'pixels' | 'track';

function sameSize(a: Size, b: Size): boolean {
  return a.width === b.width && a.height === b.height;
}

/** One press of a zoom button or key: √2, so two presses double. */
const ZOOM_STEP = Math.SQRT2;

/**
 * The box around a pose's placed points, grown to at least a tenth of the picture's smaller side
 * so a lone point is not zoomed to its pixel.
 */
function placedBox(
  points: readonly (PosePoint | null)[],
  video: Size,
): { x: number; y: number; w: number; h: number } | undefined {
  const placed = points.filter(isPlaced);
  if (placed.length === 0) return undefined;
  const xs = placed.map((p) => p.x);
  const ys = placed.map((p) => p.y);
  const least = Math.min(video.width, video.height) / 10;
  const w = Math.max(Math.max(...xs) - Math.min(...xs), least);
  const h = Math.max(Math.max(...ys) - Math.min(...ys), least);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** The first colour no track uses, so a track keeps a hue of its own after others are deleted. */
export function nextTrackColor(tracks: readonly { color: string }[]): string {
  const used = new Set(tracks.map((t) => t.color.toLowerCase()));
  return (
    TRACK_COLORS.find((c) => !used.has(c)) ??
    TRACK_COLORS[tracks.length % TRACK_COLORS.length] ??
    '#4e79a7'
  );
}

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

  /** A submitted set is read-only until it is sent back: says so instead of trying the edit. */
  const refuseIfLocked = (): boolean => {
    const status = get().labelSet?.status;
    if (status === undefined || status === 'in_progress' || status === 'changes_requested') {
      return false;
    }
    set({ labelNotice: `These labels are ${statusName(status)}: they can no longer be edited.` });
    return true;
  };

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

  /** Stops saving for the set held and clears its document, history and selection. */
  const forgetSet = () => {
    queue?.stop();
    queue = null;
    context = null;
    set({
      labelSet: null,
      labels: EMPTY_LABELS,
      undoStack: createUndoStack(),
      saveIndicator: IDLE,
      selection: NO_SELECTION,
      submitResult: null,
    });
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
    stage: null,
    overlayTool: 'keypoint',
    segmentMark: null,
    copiedPose: null,
    labelNotice: null,
    labelingSegmentId: null,
    shortcutSheetOpen: false,
    submitResult: null,
    pendingRestore: null,
    contactDraft: null,
    objectClassId: null,

    dropLabels: () => {
      forgetSet();
      set({ labelsLoading: false, copiedPose: null, pendingRestore: null, contactDraft: null });
    },

    openLabels: async (clipId, frameCount) => {
      forgetSet();
      get().forgetPreannotationRun();
      set({
        labelsLoading: true,
        view: FIT_VIEW,
        segmentMark: null,
        labelNotice: null,
        labelingSegmentId: null,
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
          objectClassId: project.schema.objectClasses[0]?.id ?? null,
          contactDraft: null,
        });
      } catch (error) {
        get().reportError('opening the labels', error);
      } finally {
        set({ labelsLoading: false });
      }
    },

    editLabels: (command) => {
      const { labels, undoStack } = get();
      if (!context || !get().labelSet) return false;
      if (refuseIfLocked()) return false;
      return applyStep(execute(labels, undoStack, command, context));
    },

    runLabelAction: (result) => {
      if (!result.ok) {
        set({ labelNotice: result.message });
        return false;
      }
      return get().editLabels(result.command);
    },

    labelAction: (make) => {
      if (refuseIfLocked()) return false;
      const where = get().labelingPosition();
      return where !== null && get().runLabelAction(make(where));
    },

    labelingPosition: () => {
      const { labels, currentFrame, selection } = get();
      if (!context || currentFrame === null) return null;
      return { doc: labels, frame: currentFrame, context, selection };
    },

    undoLabels: () => {
      if (!context) return;
      applyStep(undo(get().labels, get().undoStack, context));
    },

    redoLabels: () => {
      if (!context) return;
      applyStep(redo(get().labels, get().undoStack, context));
    },

    select: (selection) => {
      const current = get().selection;
      // Choosing another track lets go of the box picked before, unless a box comes with it.
      const keepBox = selection.trackId === undefined || selection.trackId === current.trackId;
      set({
        selection: {
          ...current,
          ...(keepBox ? {} : { boxId: null }),
          ...selection,
        },
      });
    },
    setView: (view) => set({ view }),
    setStage: (stage) => {
      const { stage: previous, view } = get();
      if (
        previous !== null &&
        sameSize(previous.video, stage.video) &&
        sameSize(previous.container, stage.container)
      ) {
        return;
      }
      const samePicture = previous !== null && sameSize(previous.video, stage.video);
      // Video and overlay both read the view in this same store update, so they move together.
      set({
        stage,
        ...(samePicture
          ? { view: viewForResizedStage(view, stage.video, previous.container, stage.container) }
          : {}),
      });
    },
    zoomView: (how) => {
      const { stage, view, labels, selection, currentFrame } = get();
      if (!stage) return;
      const { video, container } = stage;
      if (how === 'track') {
        const track = labels.tracks.find((t) => t.id === selection.trackId);
        const pose = track && currentFrame !== null ? poseAt(track, currentFrame) : undefined;
        const box = pose && placedBox(pose.points, video);
        if (!track || !box) {
          set({
            labelNotice: track
              ? `${trackDisplayName(track, labels.tracks)} has no points on this frame to zoom to.`
              : 'Select a track to zoom to.',
          });
          return;
        }
        set({ view: zoomToBox(video, container, box) });
        return;
      }
      const next =
        how === 'fit'
          ? FIT_VIEW
          : how === 'pixels'
            ? actualPixelsView(view, video, container)
            : zoomAtCentre(view, video, container, how === 'in' ? ZOOM_STEP : 1 / ZOOM_STEP);
      set({ view: next });
    },
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

    removeTrack: (trackId) => {
      const { labels, selection } = get();
      const track = labels.tracks.find((t) => t.id === trackId);
      if (!track) return;
      const name = trackDisplayName(track, labels.tracks);
      if (!get().editLabels({ type: 'removeTrack', trackId })) return;
      if (selection.trackId === trackId) {
        set({ selection: { ...selection, trackId: get().labels.tracks[0]?.id ?? null, point: 0 } });
      }
      set({ labelNotice: `Deleted ${name}. Ctrl+Z brings it back.` });
    },

    renameTrack: (trackId, label) => get().editLabels({ type: 'renameTrack', trackId, label }),

    mergeTracks: (keepId, otherId) => {
      const { labels } = get();
      const other = labels.tracks.find((t) => t.id === otherId);
      const keep = labels.tracks.find((t) => t.id === keepId);
      if (!other || !keep) return;
      if (!get().editLabels({ type: 'mergeTracks', keepId, otherId })) return;
      set({
        selection: { ...get().selection, trackId: keepId },
        labelNotice: `${trackDisplayName(other, labels.tracks)} is now part of ${trackDisplayName(keep, labels.tracks)}.`,
      });
    },

    addTrack: (kind, templateId) => {
      const tracks = get().labels.tracks;
      const id = crypto.randomUUID();
      const added = get().editLabels({
        type: 'addTrack',
        track: {
          id,
          kind,
          templateId,
          label: newTrackLabel(kind, tracks),
          color: nextTrackColor(tracks),
          keyframes: [],
        },
      });
      if (added) set({ selection: { ...get().selection, trackId: id, point: 0 } });
    },

    setContactState: (state) => {
      const { selection, currentFrame, labels, objectClassId } = get();
      const trackId = selection.trackId;
      if (!context || currentFrame === null || trackId === null) {
        set({ labelNotice: 'Select a hand track to set its contact.' });
        return;
      }
      const covering = contactAt(labels.contacts, trackId, currentFrame);
      if ((state === 3 || state === 4) && !covering?.object) {
        if (objectClassId === null) {
          set({ labelNotice: 'The project has no object classes to give the contact.' });
          return;
        }
        set({
          contactDraft: { trackId, state },
          overlayTool: 'box',
          labelNotice: 'Draw the object’s box on the video (Escape cancels).',
        });
        return;
      }
      const object = state === 3 || state === 4 ? (covering?.object ?? null) : null;
      get().runLabelAction(
        setContactFrom(labels, trackId, currentFrame, state, object, context, crypto.randomUUID()),
      );
    },

    placeContactBox: (box) => {
      const { contactDraft, currentFrame, labels, objectClassId, selection } = get();
      if (!context || currentFrame === null) return;
      if (contactDraft && objectClassId !== null) {
        const boxTrackId = crypto.randomUUID();
        // A hue of its own, so the object's box is not taken for the hand's.
        const color = nextTrackColor([...labels.tracks, ...(labels.boxTracks ?? [])]);
        set({ contactDraft: null, overlayTool: 'keypoint' });
        if (
          get().runLabelAction(
            startObjectContact(
              labels,
              contactDraft.trackId,
              currentFrame,
              contactDraft.state,
              { classId: objectClassId, box },
              context,
              { contactId: crypto.randomUUID(), boxTrackId, color },
            ),
          )
        ) {
          get().select({ trackId: contactDraft.trackId, boxId: boxTrackId });
        }
        return;
      }
      const boxId = selection.boxId ?? null;
      if (boxId !== null) {
        get().moveContactBox(boxId, box);
        return;
      }
      const hand = labels.tracks.find((t) => t.id === selection.trackId);
      if (!hand || hand.kind === 'person') {
        set({
          labelNotice:
            'Select a hand to box it, or press 3 or 4 on a hand first: the box is its object.',
        });
        return;
      }
      const boxTrackId = crypto.randomUUID();
      if (get().runLabelAction(setHandBox(labels, hand.id, currentFrame, box, { boxTrackId }))) {
        const made = get().labels.boxTracks?.find(
          (b) => b.kind === 'hand' && b.subjectId === hand.id,
        );
        get().select({ trackId: hand.id, boxId: made?.id ?? null });
      }
    },

    moveContactBox: (boxId, box) => {
      const { currentFrame, labels } = get();
      if (currentFrame === null) return;
      const staticContact = boxId.startsWith('contact:') ? boxId.slice('contact:'.length) : null;
      if (staticContact !== null) {
        const boxTrackId = crypto.randomUUID();
        if (
          get().runLabelAction(
            moveStaticObjectBox(labels, staticContact, currentFrame, box, {
              boxTrackId,
              color: nextTrackColor([...labels.tracks, ...(labels.boxTracks ?? [])]),
            }),
          )
        ) {
          get().select({ boxId: boxTrackId });
        }
        return;
      }
      get().runLabelAction(setBoxOnFrame(labels, boxId, currentFrame, box));
    },

    endContact: () => {
      const trackId = get().selection.trackId;
      if (trackId === null) {
        set({ labelNotice: 'Select a hand to end its contact.' });
        return;
      }
      get().labelAction(({ doc, frame }) => endContactAt(doc, trackId, frame));
    },

    linkHand: (trackId, link) => {
      get().editLabels({ type: 'linkHand', trackId, link });
    },

    setObjectClass: (classId) => {
      set({ objectClassId: classId });
      const { selection, currentFrame, labels } = get();
      if (selection.trackId === null || currentFrame === null) return;
      const covering = contactAt(labels.contacts, selection.trackId, currentFrame);
      if (covering?.object && covering.object.classId !== classId) {
        get().editLabels({
          type: 'setContact',
          contact: { ...covering, object: { ...covering.object, classId } },
        });
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
