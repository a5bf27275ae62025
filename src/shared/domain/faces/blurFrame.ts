import { z } from 'zod';
import type { PixelRect } from './faceTracks';

/**
 * How exported copies blur faces, from the project file's `blur` object: `gaussian` (the default,
 * as EgoBlur does) a Gaussian-like blur (three box passes), `pixelate` blocks of their mean colour.
 * `strength` is the block side (pixelate) or the blur radius (gaussian) as a percentage of the
 * region's longer side; `padding` grows each face box by that fraction of its size on every side.
 * The defaults blur with a radius of a fifth of the region (pixelated: five blocks across):
 * features gone, a head still a head. Measured on small faces (10 px), pixelation leaves edges
 * that keep more detail than the blur; so the blur is the default.
 */
export const BlurSettings = z
  .object({
    method: z.enum(['gaussian', 'pixelate']).default('gaussian'),
    strength: z.number().min(5).max(100).default(20),
    padding: z.number().min(0).max(1).default(0.25),
  })
  .strict();
export type BlurSettings = z.infer<typeof BlurSettings>;

export const DEFAULT_BLUR: BlurSettings = { method: 'gaussian', strength: 20, padding: 0.25 };

/**
 * A planar YUV picture: the Y plane, then U and V, at half size each way (yuv420p, the default)
 * or at full size (`chroma: 'yuv444p'`, what a picture with an odd side is carried in: 4:2:0 has
 * no half of an odd side).
 */
export type Yuv420Frame = {
  data: Uint8Array;
  width: number;
  height: number;
  chroma?: 'yuv420p' | 'yuv444p';
};

/** Bytes of one frame of `width`×`height` in `chroma`. */
export function yuvFrameBytes(
  width: number,
  height: number,
  chroma: 'yuv420p' | 'yuv444p',
): number {
  return chroma === 'yuv444p'
    ? width * height * 3
    : width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** Blurs the rectangles of a planar YUV frame in place (luma and both chroma planes). */
export function blurYuv420(
  frame: Yuv420Frame,
  rects: readonly PixelRect[],
  settings: BlurSettings,
): void {
  const { width, height, data } = frame;
  const scale = frame.chroma === 'yuv444p' ? 1 : 2;
  const cw = Math.ceil(width / scale);
  const ch = Math.ceil(height / scale);
  const planes = [
    { offset: 0, w: width, h: height, scale: 1 },
    { offset: width * height, w: cw, h: ch, scale },
    { offset: width * height + cw * ch, w: cw, h: ch, scale },
  ];
  for (const rect of rects) {
    const side = Math.max(rect.width, rect.height);
    // Pixelated, a block is at least 8 px: smaller blocks on a small (distant) face keep its shape.
    const floor = settings.method === 'pixelate' ? 8 : 2;
    const amount = Math.max(floor, Math.round((side * settings.strength) / 100));
    for (const plane of planes) {
      // Chroma rectangles cover every chroma sample the luma rectangle touches.
      const x0 = Math.floor(rect.x / plane.scale);
      const y0 = Math.floor(rect.y / plane.scale);
      const x1 = Math.min(plane.w, Math.ceil((rect.x + rect.width) / plane.scale));
      const y1 = Math.min(plane.h, Math.ceil((rect.y + rect.height) / plane.scale));
      if (x1 <= x0 || y1 <= y0) continue;
      const region = { data, offset: plane.offset, stride: plane.w, x0, y0, x1, y1 };
      const size = Math.max(1, Math.round(amount / plane.scale));
      if (settings.method === 'pixelate') pixelate(region, size);
      else for (let pass = 0; pass < 3; pass += 1) boxBlur(region, size);
    }
  }
}

type Region = {
  data: Uint8Array;
  offset: number;
  stride: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
};

function pixelate(r: Region, block: number): void {
  for (let by = r.y0; by < r.y1; by += block) {
    for (let bx = r.x0; bx < r.x1; bx += block) {
      const ex = Math.min(r.x1, bx + block);
      const ey = Math.min(r.y1, by + block);
      let sum = 0;
      for (let y = by; y < ey; y += 1) {
        for (let x = bx; x < ex; x += 1) sum += r.data[r.offset + y * r.stride + x] ?? 0;
      }
      const mean = Math.round(sum / ((ex - bx) * (ey - by)));
      for (let y = by; y < ey; y += 1)
        r.data.fill(mean, r.offset + y * r.stride + bx, r.offset + y * r.stride + ex);
    }
  }
}

/** One horizontal and one vertical running-mean pass of radius `radius`, clamped at the region's edges. */
function boxBlur(r: Region, radius: number): void {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const line = new Float64Array(Math.max(w, h));
  const pass = (count: number, length: number, at: (i: number, j: number) => number) => {
    for (let i = 0; i < count; i += 1) {
      for (let j = 0; j < length; j += 1) line[j] = r.data[at(i, j)] ?? 0;
      let sum = 0;
      for (let k = -radius; k <= radius; k += 1) sum += line[clamp(k, length)] ?? 0;
      for (let j = 0; j < length; j += 1) {
        r.data[at(i, j)] = Math.round(sum / (2 * radius + 1));
        sum += (line[clamp(j + radius + 1, length)] ?? 0) - (line[clamp(j - radius, length)] ?? 0);
      }
    }
  };
  pass(h, w, (i, j) => r.offset + (r.y0 + i) * r.stride + r.x0 + j);
  pass(w, h, (i, j) => r.offset + (r.y0 + j) * r.stride + r.x0 + i);
}

function clamp(index: number, length: number): number {
  return index < 0 ? 0 : index >= length ? length - 1 : index;
}
