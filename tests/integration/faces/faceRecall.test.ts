import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceDetector, type FaceDetector } from '../../../src/main/services/faces/faceModel';
import { readFrames } from '../../../src/main/services/faces/rawFrames';
import { probeVideo } from '../../../src/node/media/probeVideo';
import {
  faceRecall,
  linkFaceTracks,
  type FaceBox,
} from '../../../src/shared/domain/faces/faceTracks';
import { facesOnFrame, makePanClip, markedFaces } from '../../support/faceClips';
import { repoRoot, tempDir } from '../fixturePaths';

/**
 * The detector on real photographs (Debian's opencv-doc) panned into clips, against faces a person
 * marked once (tests/fixtures/faces/marked-faces.json): every frame decoded by the same
 * whole-clip pass the scan job uses, on the wasm backend it runs on.
 */
const marked = markedFaces(repoRoot);
let dir: { path: string; remove: () => void };
let detector: FaceDetector;
const perClip = new Map<string, { found: number; marked: number; frames: FaceBox[][] }>();

beforeAll(async () => {
  dir = tempDir('facerecall');
  detector = await createFaceDetector({ model: 'ssd-mobilenetv1', backend: 'wasm' });
  for (const image of marked.images) {
    const clip = join(dir.path, `${image.name}.mp4`);
    makePanClip(image, marked, clip);
    const probe = await probeVideo(clip);
    expect(probe.frameCount).toBe(marked.framesPerClip);
    const frames: FaceBox[][] = [];
    let found = 0;
    let total = 0;
    for await (const data of readFrames({
      input: clip,
      width: image.clip.width,
      height: image.clip.height,
      pixelFormat: 'rgb24',
    })) {
      const boxes = await detector.detect({
        data,
        width: image.clip.width,
        height: image.clip.height,
      });
      const score = faceRecall(facesOnFrame(image, frames.length), boxes);
      found += score.found;
      total += score.marked;
      frames.push(boxes);
    }
    perClip.set(image.name, { found, marked: total, frames });
  }
}, 900_000);
afterAll(() => dir.remove());

describe('face detection on panned photographs', () => {
  it('decodes every frame of each clip', () => {
    for (const clip of perClip.values()) expect(clip.frames).toHaveLength(marked.framesPerClip);
  });

  it('finds most marked faces, reported per clip and overall', () => {
    const found = [...perClip.values()].reduce((sum, c) => sum + c.found, 0);
    const total = [...perClip.values()].reduce((sum, c) => sum + c.marked, 0);
    const lines = [...perClip].map(([name, c]) => `${name} ${c.found}/${c.marked}`);
    console.log(
      `face recall ${found}/${total} = ${(found / total).toFixed(3)}: ${lines.join(', ')}`,
    );
    expect(found / total).toBeGreaterThanOrEqual(0.5);
  });

  it('finds the frontal faces (Messi, Lena in the portrait clip) on every frame', () => {
    expect(perClip.get('messi5')).toMatchObject({ found: marked.framesPerClip });
    expect(perClip.get('lena-portrait')).toMatchObject({ found: marked.framesPerClip });
  });

  it('links each frontal face into one track across the pan', () => {
    const messi = perClip.get('messi5');
    const tracks = linkFaceTracks(messi?.frames ?? []);
    const long = tracks.filter((t) => t.boxes.length === marked.framesPerClip);
    expect(long).toHaveLength(1);
  });
});
