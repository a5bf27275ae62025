import { z } from 'zod';
import { FrameProposal } from '../domain/modelPose';
import { PoseModelName } from '../domain/poseModelFiles';

/** Which frames to pre-annotate: the one on screen, or every `every`-th frame of a range. */
export const PreannotationFrames = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('current'), frame: z.number().int().min(0) }).strict(),
  z
    .object({
      mode: z.literal('range'),
      from: z.number().int().min(0),
      to: z.number().int().min(0),
      every: z.number().int().min(1).default(1),
    })
    .strict()
    .refine((r) => r.from <= r.to, { message: 'The range must start at or before its end.' }),
]);
export type PreannotationFrames = z.output<typeof PreannotationFrames>;

/**
 * Points scored below this come in as "not labeled" when neither the run nor the project says
 * otherwise. 0.5: BlazePose's own visibility cut-off (pose-detection draws points above 0.5 in its
 * demos); on messi5.jpg every point above it lies on the player (tests/integration/preannotation).
 */
export const DEFAULT_SCORE_THRESHOLD = 0.5;

export const ScoreThreshold = z.number().min(0).max(1);

/**
 * The threshold a run uses: the annotator's for this run, else the lead's for the project
 * (`preannotation.scoreThreshold` in the project file), else DEFAULT_SCORE_THRESHOLD.
 */
export function effectiveScoreThreshold(
  runOverride: number | undefined,
  project: { readonly scoreThreshold?: number | undefined } | undefined,
): number {
  return runOverride ?? project?.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
}

export const PreannotationRequest = z
  .object({
    clipId: z.string().min(1),
    frames: PreannotationFrames,
    model: PoseModelName.default('blazepose-full'),
    /**
     * Also propose hands' 21 points: MediaPipe's palm detector finds hands with or without a body
     * (the egocentric wearer's own), and BlazePose's wrist and knuckles place a region for hands
     * of the people it sees; each region goes through MediaPipe's hand landmark model.
     * Absent: yes.
     */
    hands: z.boolean().optional(),
    /** The project whose settings apply (score threshold, mirrored video); none: the defaults. */
    projectId: z.string().min(1).optional(),
    /** This run only: overrides the project's threshold. */
    scoreThreshold: ScoreThreshold.optional(),
  })
  .strict();
export type PreannotationRequest = z.output<typeof PreannotationRequest>;
export type PreannotationRequestInput = z.input<typeof PreannotationRequest>;

export const PreannotationStarted = z.object({ jobId: z.string() });

/**
 * A job's state, sent as `preannotationProgress` after each frame. `proposals` holds only the
 * frames finished since the previous event, so the renderer applies each frame once.
 */
export const PreannotationProgress = z.object({
  jobId: z.string(),
  clipId: z.string(),
  phase: z.enum(['loading', 'running', 'done', 'failed', 'cancelled']),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  etaSeconds: z.number().min(0).nullable(),
  /** What every proposal of this job is recorded as: model name, weights' source and version. */
  model: z.string(),
  /** The hand model proposals' hand points are recorded as; null when the job proposes no hands. */
  handModel: z.string().nullable(),
  backend: z.string().nullable(),
  /** The threshold this job's points are judged by: the run's, else the project's, else the default. */
  scoreThreshold: ScoreThreshold,
  proposals: z.array(FrameProposal),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PreannotationProgress = z.infer<typeof PreannotationProgress>;
