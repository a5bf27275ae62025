import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandLandmarker } from '../../../src/main/services/preannotation/handModel';
import { defaultModelsDir } from '../../../src/main/services/preannotation/modelsDir';
import { createPoseEstimator } from '../../../src/main/services/preannotation/poseModel';
import { tempDir } from '../fixturePaths';

describe('the hand model files', () => {
  const dir = tempDir('hand-model');
  afterAll(() => dir.remove());

  it('says which file is missing', async () => {
    await expect(createHandLandmarker(dir.path)).rejects.toMatchObject({
      code: 'MODEL_FILES_MISSING',
      message: expect.stringContaining('handlandmark-full.json') as unknown,
    });
  });

  it('refuses a file that is another model (here MoveNet under the hand model’s name)', async () => {
    // The wasm backend the app uses, started the way the app starts it.
    const estimator = await createPoseEstimator({ model: 'movenet-multipose', backend: 'wasm' });
    estimator.dispose();
    const folder = join(dir.path, 'hand-landmark-full');
    mkdirSync(folder, { recursive: true });
    const movenet = join(defaultModelsDir(), 'movenet-multipose');
    copyFileSync(join(movenet, 'movenet-multipose.json'), join(folder, 'handlandmark-full.json'));
    copyFileSync(join(movenet, 'movenet-multipose.bin'), join(folder, 'movenet-multipose.bin'));
    await expect(createHandLandmarker(dir.path)).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      message: expect.stringMatching(/is not MediaPipe's hand landmark model/) as unknown,
    });
  });
});
