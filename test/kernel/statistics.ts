// Sample statistics for the kernel's statistical tests. Plain loops over Float64Array: the tests
// draw hundreds of thousands of values and must stay fast.

export function draw(n: number, next: () => number): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = next();
  return xs;
}

export function meanOf(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (n - 1 denominator). */
export function sdOf(xs: Float64Array): number {
  const m = meanOf(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Coefficient of variation: sd / mean. */
export function cvOf(xs: Float64Array): number {
  return sdOf(xs) / meanOf(xs);
}

export function pearson(xs: Float64Array, ys: Float64Array): number {
  if (xs.length !== ys.length) throw new Error("pearson: samples differ in length");
  const mx = meanOf(xs);
  const my = meanOf(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The one-sample Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)|. */
export function ksStatistic(xs: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/**
 * The asymptotic KS critical value c(alpha) / sqrt(n), with c(alpha) = sqrt(-ln(alpha / 2) / 2)
 * (1.9495 for alpha = 0.001). Accurate to well under 1% for n in the thousands.
 */
export function ksCritical(n: number, alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

export function minOf(xs: Float64Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (const x of xs) if (x < m) m = x;
  return m;
}

export function maxOf(xs: Float64Array): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > m) m = x;
  return m;
}
