/**
 * A request rate that changes with time: piecewise linear between breakpoints, constant after
 * the last. Load spikes are trapezoids (ramp up, hold, ramp down) added to the base rate, so
 * overlapping spikes add up; the rate is clamped at zero at breakpoints.
 */
export class RateProfile {
  /** Breakpoint times (us, increasing) and the rate (per second) at each. */
  private readonly times: number[];
  private readonly rates: number[];

  constructor(baseRatePerS: number, spikes: readonly Spike[] = []) {
    const corners = new Set<number>([0]);
    for (const sp of spikes) for (const t of spikeCorners(sp)) corners.add(t);
    this.times = [];
    this.rates = [];
    // At a corner the rate may jump (a spike without ramp): the value just before and the value
    // from there on become two breakpoints at the same time, and the segment between is empty.
    for (const t of [...corners].sort((a, b) => a - b)) {
      const before = Math.max(0, baseRatePerS + spikes.reduce((n, sp) => n + spikeDelta(sp, baseRatePerS, t, true), 0));
      const after = Math.max(0, baseRatePerS + spikes.reduce((n, sp) => n + spikeDelta(sp, baseRatePerS, t, false), 0));
      if (t > 0 && before !== after) {
        this.times.push(t);
        this.rates.push(before);
      }
      this.times.push(t);
      this.rates.push(after);
    }
  }

  rateAt(tUs: number): number {
    const i = this.segment(tUs);
    const t0 = this.times[i]!;
    const r0 = this.rates[i]!;
    if (i + 1 >= this.times.length) return r0;
    const t1 = this.times[i + 1]!;
    if (t1 === t0) return this.rates[i + 1]!;
    return r0 + ((this.rates[i + 1]! - r0) * (tUs - t0)) / (t1 - t0);
  }

  /**
   * The time at which the integral of the rate from `fromUs` reaches `area` (a count of arrivals;
   * an Exp(1) draw gives a Poisson process, 1 a deterministic one). Infinity if never.
   */
  advance(fromUs: number, area: number): number {
    // Past the last breakpoint the rate is constant: the common case of a steady workload.
    const last = this.times.length - 1;
    if (fromUs >= this.times[last]!) {
      const r = this.rates[last]! / 1e6;
      return r > 0 ? fromUs + area / r : Infinity;
    }
    let t = fromUs;
    let left = area;
    for (let i = this.segment(t); ; i++) {
      const end = i + 1 < this.times.length ? this.times[i + 1]! : Infinity;
      if (end === t) continue; // an empty segment: a jump
      const r0 = this.rateAt(t) / 1e6; // per microsecond
      const r1 = end === Infinity ? r0 : this.rates[i + 1]! / 1e6;
      const slope = end === Infinity ? 0 : (r1 - r0) / (end - t);
      const x = solveLinear(r0, slope, left);
      if (t + x <= end) return t + x;
      left -= ((r0 + r1) / 2) * (end - t);
      t = end;
      if (end === Infinity) return Infinity;
    }
  }

  /** The segment found last: arrivals walk forward in time, so it is almost always the answer. */
  private hint = 0;

  private segment(tUs: number): number {
    const h = this.hint;
    const times = this.times;
    if (times[h]! <= tUs && (h + 1 >= times.length || times[h + 1]! > tUs)) return h;
    this.hint = this.search(tUs);
    return this.hint;
  }

  private search(tUs: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid]! <= tUs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

export interface Spike {
  atUs: number;
  ratePerS: number;
  /** Time at the spike rate after the ramp up; Infinity = until the end. */
  holdUs: number;
  rampUs: number;
}

function spikeCorners(s: Spike): number[] {
  const up = s.atUs + s.rampUs;
  if (s.holdUs === Infinity) return [s.atUs, up];
  const down = up + s.holdUs;
  return [s.atUs, up, down, down + s.rampUs];
}

/**
 * The spike's contribution at time t: a trapezoid from 0 to (rate - base), so a spike takes the
 * base rate to its `rate`, and overlapping spikes add their increments. `left` asks for the
 * value just before t (they differ where a spike without ramp starts or ends).
 */
function spikeDelta(s: Spike, base: number, t: number, left: boolean): number {
  const height = s.ratePerS - base;
  const up = s.atUs + s.rampUs;
  const down = s.holdUs === Infinity ? Infinity : up + s.holdUs;
  const end = down + s.rampUs;
  if (t < s.atUs || (left && t === s.atUs)) return 0;
  if (t < up) return (height * (t - s.atUs)) / s.rampUs;
  if (t < down || (left && t === down) || (!left && t === down && s.rampUs > 0)) return height;
  if (t < end) return height * (1 - (t - down) / s.rampUs);
  if (left && t === end && s.rampUs === 0) return height;
  return 0;
}

/** Smallest x >= 0 with r0*x + slope*x^2/2 = area; Infinity if the rate dies out first. */
function solveLinear(r0: number, slope: number, area: number): number {
  if (Math.abs(slope) < 1e-18) return r0 > 0 ? area / r0 : Infinity;
  const disc = r0 * r0 + 2 * slope * area;
  if (disc < 0) return Infinity;
  // Written to avoid cancellation when slope is small relative to r0.
  return (2 * area) / (r0 + Math.sqrt(disc));
}
