import { z } from 'zod';

// What a pose model proposes for a frame, before an annotator accepts any of it:
// labels/poseProposals.ts and labels/handProposals.ts turn it into label commands.

/** One point as the model gives it, already in the displayed (upright) picture's pixels. */
export const ModelKeypoint = z.object({
  name: z.string(),
  x: z.number(),
  y: z.number(),
  score: z.number().min(0).max(1),
});
export type ModelKeypoint = z.infer<typeof ModelKeypoint>;

/** Which of the person's hands: the person's own left or right, not the picture's side. */
export const HandSide = z.enum(['left', 'right']);
export type HandSide = z.infer<typeof HandSide>;

/** One hand's 21 points (MediaPipe's names and order), from its person's pose or the palm detector. */
export const ModelHand = z.object({
  side: HandSide,
  /** The hand model's hand-presence score (0–1); each point carries it too (0 off the picture). */
  score: z.number().min(0).max(1),
  keypoints: z.array(ModelKeypoint),
});
export type ModelHand = z.infer<typeof ModelHand>;

export const ModelPose = z.object({
  /** The pose's own score (0–1), when the model gives one. */
  score: z.number().min(0).max(1).nullable(),
  keypoints: z.array(ModelKeypoint),
  /** The person's hands, when hands were asked for and the pose places them. */
  hands: z.array(ModelHand).optional(),
});
export type ModelPose = z.infer<typeof ModelPose>;

/** The people a model found on one frame. */
export const FrameProposal = z.object({
  frame: z.number().int().min(0),
  poses: z.array(ModelPose),
});
export type FrameProposal = z.infer<typeof FrameProposal>;
