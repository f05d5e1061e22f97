// Test helpers for the bandwidth model: a seeded generator (the tests never use Math.random) and a
// slow, obviously correct max-min reference to check the solver and the network against.

export { mulberry32 as seededRandom } from "../../seeded.js";

/**
 * Progressive filling as the textbook states it, O(links x flows) per step: find the lowest level
 * at which a finite link runs out (remaining / unfrozen flows) or an unfrozen flow meets its bound,
 * freeze every flow that hits it there, take their rates off their links, repeat.
 */
export function referenceMaxMin(caps: readonly number[], routes: readonly (readonly number[])[], bounds: readonly number[]): number[] {
  const rates = routes.map(() => Infinity);
  const frozen = routes.map(() => false);
  const remaining = [...caps];
  const tie = (x: number, level: number): boolean => x <= level * (1 + 1e-12);
  for (;;) {
    let level = Infinity;
    const shares = caps.map((c, j) => {
      if (c === Infinity) return Infinity;
      const n = routes.filter((r, i) => !frozen[i] && r.includes(j)).length;
      return n === 0 ? Infinity : Math.max(0, remaining[j]!) / n;
    });
    for (const s of shares) level = Math.min(level, s);
    routes.forEach((_, i) => {
      if (!frozen[i]) level = Math.min(level, bounds[i]!);
    });
    if (level === Infinity) return rates;
    const freezing = routes.map((r, i) => !frozen[i] && (tie(bounds[i]!, level) || r.some((j) => tie(shares[j]!, level))));
    freezing.forEach((f, i) => {
      if (!f) return;
      frozen[i] = true;
      rates[i] = level;
      for (const j of routes[i]!) remaining[j] = remaining[j]! - level;
    });
  }
}
