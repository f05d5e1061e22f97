import type seedrandom from "seedrandom";
// The Alea module alone: the package root loads node:crypto for its default generator (8 ms of a run's start-up).
import alea from "seedrandom/lib/alea.js";

/**
 * One named stream of random numbers. Each component draws from its own stream, forked from the
 * run seed by name, so adding a component (or a draw) never shifts the numbers another sees:
 * two placement strategies compared on one seed get the same arrivals and failures.
 */
export class RandomStream {
  private readonly prng: seedrandom.PRNG;

  constructor(readonly name: string, seed: number) {
    // Alea: fast, 53-bit doubles via .double(), good enough statistically for simulation.
    this.prng = alea(`orchsim:${seed}:${name}`);
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

/** murmur3's 32-bit finalizer: every input bit flips about half the output bits. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A counter-based uniform in [0, 1) with 32 bits: the `counter`-th number of the sequence named
 * by `key`, computed directly rather than drawn in order. What it is for: a value that a shortcut
 * must be able to compute out of order, or skip, and still give the very number the full path
 * would have drawn (the dispatcher's heartbeat jitter: manager/quiet-sessions.ts).
 * seedrandom's generators are sequential only, hence these few lines.
 */
export function counterUniform(key: number, counter: number): number {
  return mix32(mix32(key ^ 0x9e3779b9) ^ mix32(counter + 0x7f4a7c15)) / 4294967296;
}

/** A 32-bit key for counterUniform: a base key (drawn once from a stream) and a name (FNV-1a). */
export function counterKey(base: number, name: string): number {
  let h = (0x811c9dc5 ^ base) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
