/**
 * The max-min fair water level for sharing `cores` between groups that can each use at most
 * `demands[i]` cores: the level L with sum(min(demand, L)) = cores, or Infinity when every demand
 * fits (sum(demands) <= cores). Each group then gets min(demand, L); this is what CFS converges to
 * with equal weights, and it is work-conserving: what a small demand leaves goes to the others.
 *
 * Sorts `demands` in place (the caller passes a scratch array). O(k log k) for k groups.
 */
export function waterLevel(demands: number[], cores: number): number {
  const k = demands.length;
  sortAscending(demands);
  let remaining = cores;
  for (let i = 0; i < k; i++) {
    const u = demands[i]!;
    // If the smallest remaining demand fits under an equal split of what is left, it is met in
    // full and drops out; otherwise no remaining demand fits and they all get that equal split.
    const share = remaining / (k - i);
    if (u > share) return share;
    remaining -= u;
  }
  return Infinity;
}

/**
 * Insertion sort for the few groups a node usually has (it beats Array.prototype.sort's call
 * overhead there and allocates nothing); the built-in sort beyond that, to stay O(k log k).
 */
function sortAscending(xs: number[]): void {
  const k = xs.length;
  if (k > 16) {
    xs.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < k; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > x) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
}
