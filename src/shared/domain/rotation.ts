import { z } from 'zod';

/** Clockwise rotation, in degrees, that the display matrix asks for to show the picture upright. */
export const Rotation = z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]);
export type Rotation = z.infer<typeof Rotation>;

/**
 * Clockwise display rotation from a track's display matrix, laid out as in tkhd
 * (ISO/IEC 14496-12 §8.3.2): [a, b, u, c, d, v, x, y, w], a..d in 16.16 fixed point.
 *
 * A point (p, q) is displayed at (a·p + c·q + x, b·p + d·q + y) in a y-down frame, so the picture
 * turns clockwise by atan2(b, a). FFmpeg's av_display_rotation_get returns the counter-clockwise
 * angle, which is why ffprobe prints "rotation: -90" for an iPhone portrait clip
 * ({0, 1, 0, -1, 0, 0, h, 0, 1}) that we call 90.
 *
 * Only right angles are meaningful for a video element, so other angles snap to the nearest one
 * (ties go clockwise first, e.g. 45° → 90°). Mirroring (a negative determinant) is not a rotation
 * and is ignored. A degenerate matrix (a = b = 0) counts as upright. Scale does not matter, so raw
 * 16.16 integers and plain numbers give the same answer.
 */
export function rotationFromMatrix(matrix: ArrayLike<number>): Rotation {
  const a = matrix[0] ?? 0;
  const b = matrix[1] ?? 0;
  if (a === 0 && b === 0) return 0;
  const degrees = (Math.atan2(b, a) * 180) / Math.PI;
  return normalizeRotation(degrees);
}

/** Any angle in degrees, clockwise, snapped to the nearest right angle in [0, 360). */
export function normalizeRotation(clockwiseDegrees: number): Rotation {
  if (!Number.isFinite(clockwiseDegrees)) return 0;
  const quarterTurns = Math.round(clockwiseDegrees / 90);
  const quarter = ((quarterTurns % 4) + 4) % 4;
  return RIGHT_ANGLES[quarter] ?? 0;
}

const RIGHT_ANGLES: readonly Rotation[] = [0, 90, 180, 270];
