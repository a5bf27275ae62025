import { z } from 'zod';

/**
 * The face detectors, read from the `@vladmandic/face-api` package's `model/` folder (MIT; its
 * authors converted Vincent Mühler's face-api.js weights): a dependency already, so the files
 * are on every install and never fetched. Their sha256 is pinned here and checked at every load,
 * so an export's provenance names exactly the weights that found the faces
 * (resources/models/README.md).
 */
export const FaceModelName = z.enum(['ssd-mobilenetv1', 'tiny-face-detector']);
export type FaceModelName = z.infer<typeof FaceModelName>;

export const FACE_MODEL_SOURCE = '@vladmandic/face-api@1.7.15';

export const FACE_MODEL_FILES: Record<
  FaceModelName,
  { manifest: string; sha256: Record<string, string> }
> = {
  'ssd-mobilenetv1': {
    manifest: 'ssd_mobilenetv1_model-weights_manifest.json',
    sha256: {
      'ssd_mobilenetv1_model-weights_manifest.json':
        '888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955',
      'ssd_mobilenetv1_model.bin':
        '2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8',
    },
  },
  'tiny-face-detector': {
    manifest: 'tiny_face_detector_model-weights_manifest.json',
    sha256: {
      'tiny_face_detector_model-weights_manifest.json':
        '5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5',
      'tiny_face_detector_model.bin':
        'b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871',
    },
  },
};

/** As provenance records it: model name and the package version its weights came from. */
export function faceModelId(model: FaceModelName): string {
  return `${model} (${FACE_MODEL_SOURCE})`;
}
