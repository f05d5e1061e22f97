import type { RandomStream } from "./random.js";

/** A distribution of non-negative values: the one type for work and durations (the scenario's `Distribution`). */
export type DistributionSpec =
  | { kind: "constant"; mean: number }
  | { kind: "exponential"; mean: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "normal"; mean: number; sd: number }
  | { kind: "lognormal"; mean: number; cv: number };

export type Sampler = () => number;

/** A sampler bound to one stream, built once so the hot path is a single closure call. */
export function sampler(spec: DistributionSpec, rng: RandomStream): Sampler {
  switch (spec.kind) {
    case "constant": {
      const v = spec.mean;
      return () => v;
    }
    case "exponential": {
      const mean = spec.mean;
      return () => -mean * Math.log(1 - rng.next());
    }
    case "uniform": {
      const { min, max } = spec;
      return () => min + (max - min) * rng.next();
    }
    case "normal": {
      // Truncated at 0 (by redrawing) because it models durations and work, which cannot be negative.
      const { mean, sd } = spec;
      return () => {
        for (let i = 0; i < 64; i++) {
          const v = mean + sd * rng.standardNormal();
          if (v >= 0) return v;
        }
        return 0;
      };
    }
    case "lognormal": {
      // Parameters chosen so that the distribution has the given mean and coefficient of variation.
      const sigma2 = Math.log(1 + spec.cv * spec.cv);
      const sigma = Math.sqrt(sigma2);
      const mu = Math.log(spec.mean) - sigma2 / 2;
      return () => Math.exp(mu + sigma * rng.standardNormal());
    }
  }
}

/** The distribution's mean (for documentation, tests and capacity estimates). */
export function meanOf(spec: DistributionSpec): number {
  return spec.kind === "uniform" ? (spec.min + spec.max) / 2 : spec.mean;
}
