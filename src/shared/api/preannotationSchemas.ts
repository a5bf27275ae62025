import { z } from 'zod';

/**
 * The pose models shipped in `resources/models/` (see the README there for their origin):
 * BlazePose full finds one person and gives 33 points; MoveNet MultiPose Lightning finds up to six
 * people and gives COCO's 17.
 */
export const PoseModelName = z.enum(['blazepose-full', 'movenet-multipose']);
export type PoseModelName = z.infer<typeof PoseModelName>;

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

export const PreannotationRequest = z
  .object({
    clipId: z.string().min(1),
    frames: PreannotationFrames,
    model: PoseModelName.default('blazepose-full'),
  })
  .strict();
export type PreannotationRequest = z.output<typeof PreannotationRequest>;
export type PreannotationRequestInput = z.input<typeof PreannotationRequest>;

export const PreannotationStarted = z.object({ jobId: z.string() });

/** One point as the model gives it, already in the displayed (upright) picture's pixels. */
export const ModelKeypoint = z.object({
  name: z.string(),
  x: z.number(),
  y: z.number(),
  score: z.number().min(0).max(1),
});
export type ModelKeypoint = z.infer<typeof ModelKeypoint>;

export const ModelPose = z.object({
  /** The pose's own score (0–1), when the model gives one. */
  score: z.number().min(0).max(1).nullable(),
  keypoints: z.array(ModelKeypoint),
});
export type ModelPose = z.infer<typeof ModelPose>;

/** The people a model found on one frame. */
export const FrameProposal = z.object({
  frame: z.number().int().min(0),
  poses: z.array(ModelPose),
});
export type FrameProposal = z.infer<typeof FrameProposal>;

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
  backend: z.string().nullable(),
  proposals: z.array(FrameProposal),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PreannotationProgress = z.infer<typeof PreannotationProgress>;
