/**
 * Summary statistics over runs (seeds) for `orchsim sweep`: mean and a 95% confidence interval
 * by Student's t. The t quantiles are the standard table for 1-30 degrees of freedom, then for
 * 40, 60 and 120; between those, the value for the fewer degrees is used (a slightly wider,
 * conservative interval).
 */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Student's t quantile for a two-sided 95% interval with `df` degrees of freedom. */
export function t975(df: number): number {
  if (df < 1) return Infinity;
  if (df <= 30) return T_975[df - 1]!;
  if (df < 40) return 2.042;
  if (df < 60) return 2.021;
  if (df < 120) return 2.0;
  return 1.98;
}

export interface Estimate {
  n: number;
  mean: number;
  /** Half-width of the 95% confidence interval of the mean (Infinity with one run). */
  ci95: number;
}

export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, ci95: Infinity };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, ci95: Infinity };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, ci95: (t975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n) };
}

/**
 * The difference b - a over paired runs (same seed: common random numbers), which is what a
 * comparison of two strategies should look at: the pairing removes the seed-to-seed noise.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): Estimate {
  if (a.length !== b.length) throw new Error("paired samples differ in length");
  return estimate(a.map((x, i) => b[i]! - x));
}
