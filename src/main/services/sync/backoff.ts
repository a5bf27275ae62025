/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * the wait after the n-th failure is uniform in [0, min(cap, base * 2^(n-1))]. Full jitter
 * spreads a team's laptops that lost the network at the same moment instead of having them retry
 * in lockstep.
 */
export type Backoff = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, capMs: 5 * 60_000 };

export function backoffDelay(
  failures: number,
  backoff: Backoff,
  random: () => number = Math.random,
): number {
  if (failures < 1) return 0;
  // 2^30 already exceeds any sensible cap; clamping the exponent keeps the product finite.
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.floor(random() * ceiling);
}
