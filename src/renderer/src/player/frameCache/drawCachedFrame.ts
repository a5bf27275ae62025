import type { CachedFrame } from './frameCache';
import type { Rotation } from '../../../../shared/domain/rotation';

/**
 * Draws a decoded frame over the whole canvas, turned clockwise by the track's rotation
 * (WebCodecs output is never rotated). The canvas should already have the displayed aspect ratio,
 * i.e. height × width of the coded picture for 90° and 270°.
 */
export function drawCachedFrame(
  ctx: CanvasRenderingContext2D,
  frame: CachedFrame,
  rotation: Rotation,
): void {
  const { width, height } = ctx.canvas;
  const sideways = rotation === 90 || rotation === 270;
  const drawWidth = sideways ? height : width;
  const drawHeight = sideways ? width : height;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, width / 2, height / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(frame.bitmap, -drawWidth / 2, -drawHeight / 2, drawWidth, drawHeight);
  ctx.restore();
}
