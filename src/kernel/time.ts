export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

/** Microseconds as seconds (for output). */
export function secondsOf(us: number): number {
  return us / US_PER_S;
}
