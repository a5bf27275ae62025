import {
  effectiveScoreThreshold,
  type PreannotationProgress,
} from '../../../shared/api/preannotationSchemas';
import { frameProposalCommand } from '../../../shared/domain/labels/handProposals';
import {
  acceptPoseCommand,
  acceptProposalsCommand,
  type AcceptScope,
} from '../../../shared/domain/labels/poseProposals';
import { trackDisplayName } from '../../../shared/domain/labels/trackNames';
import { COCO_BODY_TEMPLATE_ID, findTemplate } from '../../../shared/domain/labels/projectSchema';
import type { SliceCreator } from './appStore';
import { TRACK_COLORS } from './labelsSlice';
import { blazePoseType, type PoseModelName } from '../../../shared/domain/poseModelFiles';

/** What the annotator (or the lead's defaults) chose in the pre-annotation panel. */
export type PreannotationChoices = {
  model: PoseModelName;
  scope: 'current' | 'range';
  from: number;
  to: number;
  every: number;
  /** Also propose the hands (BlazePose only). */
  hands: boolean;
  /**
   * This run's threshold: points scored below it arrive as "not labeled" (0–1). Null: the
   * project's, as the lead set it (`preannotation.scoreThreshold`), else the default.
   */
  scoreThreshold: number | null;
};

export type PreannotationSlice = {
  preannotationChoices: PreannotationChoices;
  preannotationJobId: string | null;
  preannotationProgress: PreannotationProgress | null;
  preannotationRunning: boolean;
  /** Frames whose proposals were applied / kept because a person had edited them, this job. */
  preannotationApplied: number;
  preannotationKept: number;
  setPreannotationChoices: (patch: Partial<PreannotationChoices>) => void;
  startPreannotation: () => Promise<void>;
  cancelPreannotation: () => Promise<void>;
  receivePreannotationProgress: (progress: PreannotationProgress) => void;
  /** `A`: the selected track's model points at this frame become the annotator's. */
  acceptPose: () => void;
  /**
   * Another clip opened: the last run's range, progress and counts were that clip's. A run still
   * going is cancelled (its proposals would be dropped anyway); the model and options stay.
   */
  forgetPreannotationRun: () => void;
  /**
   * Every model point of the selected track (Shift+A), of every track on this frame, or of every
   * track over the run's frames, accepted as one undoable edit; the notice says how many.
   */
  acceptProposals: (scope: 'track' | 'frame' | 'range') => void;
};

/** The threshold a run without an override gets: the lead's for the project, else the default. */
export function projectScoreThreshold(
  project: { schema: { preannotation?: { scoreThreshold?: number } } } | null,
): number {
  return effectiveScoreThreshold(undefined, project?.schema.preannotation);
}

export const createPreannotationSlice: SliceCreator<PreannotationSlice> = (api) => (set, get) => {
  /** Events that arrived before `startPreannotation` learned its job id (the host is fast). */
  let early: PreannotationProgress[] = [];

  const applyProposals = (progress: PreannotationProgress) => {
    const where = get().labelingPosition();
    const clipId = get().playerClip?.id;
    // Proposals for a clip no longer open are dropped, not written into another clip's labels.
    if (!where || clipId !== progress.clipId) return;
    const selected = where.doc.tracks.find((t) => t.id === where.selection.trackId);
    const templateId = selected?.kind === 'person' ? selected.templateId : COCO_BODY_TEMPLATE_ID;
    const template = findTemplate(where.context.templates, templateId);
    if (!template) return;
    for (const proposal of progress.proposals) {
      const doc = get().labels;
      const handTracks = (kind: string) => doc.tracks.filter((t) => t.kind === kind).length;
      const result = frameProposalCommand(doc, proposal, template, where.context.templates, {
        model: progress.model,
        handModel: progress.handModel ?? progress.model,
        // The service's: the run's override, else the project's, else the default.
        scoreThreshold: progress.scoreThreshold,
        newHandTrack: (side, index) => {
          const kind = side === 'left' ? 'left_hand' : 'right_hand';
          return {
            id: crypto.randomUUID(),
            label: `${side === 'left' ? 'Left' : 'Right'} hand ${handTracks(kind) + index + 1}`,
            color: TRACK_COLORS[(doc.tracks.length + 3 + index) % TRACK_COLORS.length] ?? '#4e79a7',
          };
        },
        newTrack: (index) => {
          const people = doc.tracks.filter((t) => t.kind === 'person').length;
          return {
            id: crypto.randomUUID(),
            label: `Person ${people + index + 1}`,
            color: TRACK_COLORS[(doc.tracks.length + index) % TRACK_COLORS.length] ?? '#4e79a7',
          };
        },
      });
      if (result.keptTrackIds.length > 0) set({ preannotationKept: get().preannotationKept + 1 });
      if (result.command && get().editLabels(result.command)) {
        set({ preannotationApplied: get().preannotationApplied + 1 });
        if (get().selection.trackId === null) {
          const first = result.addedTrackIds[0] ?? result.updatedTrackIds[0] ?? null;
          get().select({ trackId: first, point: null });
        }
      }
    }
  };

  return {
    preannotationChoices: {
      model: 'blazepose-full',
      scope: 'current',
      from: 0,
      to: 0,
      every: 5,
      hands: true,
      scoreThreshold: null,
    },
    preannotationJobId: null,
    preannotationProgress: null,
    preannotationRunning: false,
    preannotationApplied: 0,
    preannotationKept: 0,

    setPreannotationChoices: (patch) =>
      set({ preannotationChoices: { ...get().preannotationChoices, ...patch } }),

    startPreannotation: async () => {
      const clip = get().playerClip;
      const frame = get().currentFrame;
      if (get().preannotationRunning || !clip || frame === null) return;
      const choices = get().preannotationChoices;
      early = [];
      set({
        preannotationRunning: true,
        preannotationProgress: null,
        preannotationJobId: null,
        preannotationApplied: 0,
        preannotationKept: 0,
      });
      try {
        const projectId = get().labelSet?.projectId;
        const { jobId } = await api.startPreannotation({
          clipId: clip.id,
          model: choices.model,
          // Hands come with BlazePose only: with another model the choice does not apply.
          ...(!(choices.hands && blazePoseType(choices.model) !== null) && { hands: false }),
          ...(projectId !== undefined && { projectId }),
          ...(choices.scoreThreshold !== null && { scoreThreshold: choices.scoreThreshold }),
          frames:
            choices.scope === 'current'
              ? { mode: 'current', frame }
              : {
                  mode: 'range',
                  from: Math.min(choices.from, choices.to),
                  to: Math.max(choices.from, choices.to),
                  every: Math.max(1, Math.round(choices.every)),
                },
        });
        set({ preannotationJobId: jobId });
        const mine = early.filter((p) => p.jobId === jobId);
        early = [];
        for (const progress of mine) get().receivePreannotationProgress(progress);
      } catch (error) {
        set({ preannotationRunning: false });
        get().reportError('starting pre-annotation', error);
      }
    },

    cancelPreannotation: async () => {
      const jobId = get().preannotationJobId;
      if (jobId === null) return;
      try {
        await api.cancelPreannotation({ jobId });
      } catch (error) {
        get().reportError('cancelling pre-annotation', error);
      }
    },

    receivePreannotationProgress: (progress) => {
      const current = get().preannotationJobId;
      if (current === null) {
        // Ours may still be on its way back from startPreannotation; another window's is not.
        if (get().preannotationRunning) early.push(progress);
        return;
      }
      if (progress.jobId !== current) return;
      set({ preannotationProgress: progress });
      applyProposals(progress);
      if (progress.phase === 'done' || progress.phase === 'cancelled') {
        set({ preannotationRunning: false });
      } else if (progress.phase === 'failed') {
        set({ preannotationRunning: false });
        if (progress.error) get().reportError('pre-annotating', progress.error);
      }
    },

    forgetPreannotationRun: () => {
      if (get().preannotationRunning) void get().cancelPreannotation();
      set({
        preannotationChoices: { ...get().preannotationChoices, scope: 'current', from: 0, to: 0 },
        preannotationJobId: null,
        preannotationProgress: null,
        preannotationRunning: false,
        preannotationApplied: 0,
        preannotationKept: 0,
      });
    },

    acceptProposals: (which) => {
      const position = get().labelingPosition();
      if (!position) return;
      const { doc, frame, selection } = position;
      const { from, to, scope: runScope } = get().preannotationChoices;
      let scope: AcceptScope;
      let where: string;
      if (which === 'track') {
        const track = doc.tracks.find((t) => t.id === selection.trackId);
        if (!track) {
          get().showLabelNotice('Select a track to accept its proposals.');
          return;
        }
        scope = { trackId: track.id };
        where = `of ${trackDisplayName(track, doc.tracks)}`;
      } else if (which === 'frame' || runScope === 'current') {
        scope = { frames: { first: frame, last: frame } };
        where = `on frame ${frame}`;
      } else {
        const first = Math.min(from, to);
        const last = Math.max(from, to);
        scope = { frames: { first, last } };
        where = `on frames ${first}–${last}`;
      }
      const accepted = acceptProposalsCommand(doc, scope);
      if (!accepted) {
        get().showLabelNotice(`No model proposal ${where} to accept.`);
        return;
      }
      if (!get().editLabels(accepted.command)) return;
      const points = `${accepted.points} model point${accepted.points === 1 ? '' : 's'}`;
      const keyframes = `${accepted.keyframes} keyframe${accepted.keyframes === 1 ? '' : 's'}`;
      get().showLabelNotice(`Accepted ${points} on ${keyframes} ${where}. Ctrl+Z takes it back.`);
    },

    acceptPose: () => {
      get().labelAction(({ doc, frame, selection }) => {
        const track = doc.tracks.find((t) => t.id === selection.trackId);
        if (!track) return { ok: false, message: 'Select a person track to accept its pose.' };
        const command = acceptPoseCommand(track, frame);
        return command
          ? { ok: true, command }
          : { ok: false, message: `${track.label} has no model proposal on this frame to accept.` };
      });
    },
  };
};
