/**
 * Number formatting shared by every writer, so one coordinate is the same number in COCO, CVAT
 * and hand-object files.
 */

/** Pixel coordinates are written to 2 decimals (1/100 px is far below labeling precision). */
export function roundCoordinate(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

/**
 * `String(roundCoordinate(value))` by integer arithmetic: the innermost call of a COCO export, at
 * half the cost of formatting a double. The same text for every value: below 1e14 hundredths the
 * decimal of the hundredths is the shortest text of the rounded double; beyond, the slow way.
 */
export function coordinateText(value: number): string {
  const hundredths = Math.round(value * 100);
  if (!(hundredths < 1e14 && hundredths > -1e14)) return String(roundCoordinate(value));
  const abs = hundredths < 0 ? -hundredths : hundredths;
  const cents = abs % 100;
  const whole = `${hundredths < 0 ? '-' : ''}${(abs - cents) / 100}`;
  if (cents === 0) return whole;
  if (cents % 10 === 0) return `${whole}.${cents / 10}`;
  return `${whole}${cents < 10 ? '.0' : '.'}${cents}`;
}

/**
 * Timestamps in seconds are written to 6 decimals (1 µs): enough to keep the frame table's
 * presentation times apart at any frame rate a phone records, without float noise.
 */
export function roundSeconds(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? 0 : rounded;
}

/** `HH:mm:ss.SSS`, as EPIC-KITCHENS writes its timestamps; hours grow past 99 if they must. */
export function formatClockTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`A timestamp must be a finite number of seconds ≥ 0, got ${seconds}.`);
  }
  const totalMs = Math.round(seconds * 1000);
  const ms = totalMs % 1000;
  const totalSeconds = (totalMs - ms) / 1000;
  const s = totalSeconds % 60;
  const totalMinutes = (totalSeconds - s) / 60;
  const m = totalMinutes % 60;
  const h = (totalMinutes - m) / 60;
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}
