/**
 * A skeleton's left and right sides in distinct colours of the track's own hue, so a swapped
 * left/right pair shows at a glance while each track keeps its colour: the left side lighter, the
 * right side darker, the middle (nose, a hand's points) as the track. The Tracks panel shows the
 * legend.
 */
export type Side = 'left' | 'right' | 'middle';

/** COCO's and MediaPipe's names say the side: "left_wrist", "right_eye_inner". */
export function sideOf(keypointName: string): Side {
  if (keypointName.startsWith('left_')) return 'left';
  if (keypointName.startsWith('right_')) return 'right';
  return 'middle';
}

/** Towards white (lighter) or black (darker) by `amount`, 0–1, as #rrggbb. */
function mix(hex: string, towards: 0 | 255, amount: number): string {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  if (channels.some((c) => Number.isNaN(c))) return hex;
  return `#${channels
    .map((c) => Math.round(c + (towards - c) * amount))
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('')}`;
}

export function sideColor(trackColor: string, side: Side): string {
  if (side === 'left') return mix(trackColor, 255, 0.5);
  if (side === 'right') return mix(trackColor, 0, 0.4);
  return trackColor;
}

/** An edge takes its side when both ends are on it; an edge across the body is the middle's. */
export function edgeSide(a: Side, b: Side): Side {
  return a === b ? a : 'middle';
}
