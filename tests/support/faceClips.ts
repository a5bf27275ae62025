import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceBox } from '../../src/shared/domain/faces/faceTracks';

/** tests/fixtures/faces/marked-faces.json: photographs, hand-marked faces, how each clip pans. */
export type MarkedImage = {
  name: string;
  path: string;
  faces: [number, number, number, number][];
  clip: { width: number; height: number; x0: number; dx: number; y0: number; dy: number };
};
export type MarkedFaces = { images: MarkedImage[]; framesPerClip: number; fps: number };

export function markedFaces(repoRoot: string): MarkedFaces {
  return JSON.parse(
    readFileSync(join(repoRoot, 'tests', 'fixtures', 'faces', 'marked-faces.json'), 'utf8'),
  ) as MarkedFaces;
}

/**
 * Pans a window over the photograph into an H.264 MP4 of `framesPerClip` frames. `yuv444p` keeps
 * an odd-sized window odd (a 4:2:0 crop rounds it down to even sides).
 */
export function makePanClip(
  image: MarkedImage,
  marked: MarkedFaces,
  out: string,
  frames = marked.framesPerClip,
  pixelFormat: 'yuv420p' | 'yuv444p' = 'yuv420p',
): void {
  const { width, height, x0, dx, y0, dy } = image.clip;
  const crop = `crop=${width}:${height}:${x0}+n*${dx}:${y0}+n*${dy}`;
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-loop', '1', '-framerate', String(marked.fps), '-i', image.path],
    ...['-vf', pixelFormat === 'yuv444p' ? `format=yuv444p,${crop}` : `${crop},format=yuv420p`],
    ...['-frames:v', String(frames), '-c:v', 'libx264', '-crf', '16', out],
  ]);
}

/** The marked faces on frame n of the image's clip, in the clip's pixels. */
export function facesOnFrame(image: MarkedImage, frame: number): FaceBox[] {
  const { x0, dx, y0, dy } = image.clip;
  return image.faces.map(([x, y, width, height]) => ({
    x: x - (x0 + frame * dx),
    y: y - (y0 + frame * dy),
    width,
    height,
    score: 1,
  }));
}
