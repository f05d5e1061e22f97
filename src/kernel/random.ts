import seedrandom from "seedrandom";

/**
 * One named stream of random numbers. Each component draws from its own stream, forked from the
 * run seed by name, so adding a component (or a draw) never shifts the numbers another sees:
 * two placement strategies compared on one seed get the same arrivals and failures.
 */
export class RandomStream {
  private readonly prng: seedrandom.PRNG;

  constructor(readonly name: string, seed: number) {
    // Alea: fast, 53-bit doubles via .double(), good enough statistically for simulation.
    this.prng = seedrandom.alea(`orchsim:${seed}:${name}`);
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal by Box-Muller (no cached spare: each call uses exactly two draws). */
  standardNormal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** An element chosen uniformly; undefined for an empty list. */
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)];
  }
}

/** The run's seed and the named streams forked from it; the same name gives the same stream. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }
}
