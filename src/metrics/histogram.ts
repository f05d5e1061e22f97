// A latency histogram: DDSketch for quantiles, plus exact count, sum, min and max.
//
// DDSketch keeps one counter per logarithmic bucket, so memory grows with the *range* of values
// (about 1,800 buckets from 1 us to 60 s at 0.5%), not with the number of requests, and two
// sketches merge by adding counters. That lets the simulation record every request, keep one
// histogram per service and window, and fold windows into a whole-run histogram cheaply.
//
// Cost: `record` measured at ~22-25 ns per call on Node 20 (2M integer latencies, exponential,
// log-uniform 1us..60s and constant inputs), against ~3 ns for an empty call; a hand-written
// Float64Array log-bucket histogram did ~15 ns, not worth owning a sketch for.
//
// Recording, merging, clearing and the quantiles of a window work on the sketch's own fields, as
// @datadog/sketches-js 2.1.1 lays them out: package.json pins that version exactly, and the tests
// hold each to what the library's own methods do.

import { DDSketch } from "@datadog/sketches-js";

/**
 * Relative accuracy of every quantile: the returned value is within 0.5% of the exact order
 * statistic (the bucket's representative value is within alpha of everything in the bucket).
 */
export const HISTOGRAM_RELATIVE_ACCURACY = 0.005;

/**
 * Most distinct bins a histogram lists (LatencyHistogram's `keys`) before it stops listing them
 * until its next clear and walks the bins between its extremes instead (a few hundred to a few
 * thousand: 0.5% buckets over 1 ms to 1 s are 690).
 */
const KEYS_LISTED = 256;

function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: HISTOGRAM_RELATIVE_ACCURACY });
}

/**
 * Latencies in microseconds. Quantiles follow DDSketch's rank rule: `quantileUs(q)` estimates
 * the order statistic of 0-based rank floor(q * (count - 1)) of the recorded values.
 */
export class LatencyHistogram {
  private sketch: DDSketch = newSketch();
  private n = 0;
  // A plain float sum is exact for integer microseconds up to 2^53 us in total (285 years).
  private sumUs = 0;
  private minValueUs = Infinity;
  private maxValueUs = 0;
  /**
   * The keys of the bins that hold a count, in no order, while there are at most KEYS_LISTED of
   * them, none of its values is in the zero bucket and nothing was merged into it since its last
   * clear; `listed` is their number then, -1 otherwise. A window of the ordinary M/M/1 holds some
   * 80 latencies spread over about 800 bins (0.5 ms to 2 s): its merge into the run and its
   * clear read the 80 bins listed, not the 800 between its extremes. Made when the first is listed.
   */
  private keys: Int32Array | null = null;
  private listed = 0;

  /**
   * Records one latency. Zero is valid: DDSketch counts values at or below its smallest
   * representable magnitude (~1e-308) in a separate zero bucket, and quantiles falling in
   * that bucket return exactly 0.
   */
  record(valueUs: number): void {
    // One comparison catches negatives, NaN and +Infinity; a bad latency is a bug upstream.
    if (!(valueUs >= 0 && valueUs < Infinity)) {
      throw new RangeError(`LatencyHistogram.record: expected a finite latency >= 0 us, got ${valueUs}`);
    }
    this.n++;
    this.sumUs += valueUs;
    if (valueUs > this.maxValueUs) this.maxValueUs = valueUs;
    if (valueUs < this.minValueUs) this.minValueUs = valueUs;
    const s = this.sketch;
    if (!(valueUs > s.mapping.minPossible)) {
      s.accept(valueUs); // the zero bucket, outside the bins: the bins are no longer listed
      this.listed = -1;
      return;
    }
    // DDSketch.accept with weight 1 (@datadog/sketches-js 2.1.1), its key kept to list its bin.
    const key = s.mapping.key(valueUs);
    const store = s.store;
    store.add(key, 1);
    s.count += 1;
    s.sum += valueUs;
    if (valueUs < s.min) s.min = valueUs;
    if (valueUs > s.max) s.max = valueUs;
    if (this.listed >= 0 && store.bins[key - store.offset] === 1) this.list(key);
  }

  /** A bin that holds a count for the first time since the last clear. */
  private list(key: number): void {
    if (this.listed === KEYS_LISTED) {
      this.listed = -1;
      return;
    }
    (this.keys ??= new Int32Array(KEYS_LISTED))[this.listed++] = key;
  }

  get count(): number {
    return this.n;
  }

  /** Exact mean; 0 when empty. */
  get meanUs(): number {
    return this.n === 0 ? 0 : this.sumUs / this.n;
  }

  /** Exact maximum; 0 when empty. */
  get maxUs(): number {
    return this.maxValueUs;
  }

  /** Exact minimum; 0 when empty. */
  get minUs(): number {
    return this.n === 0 ? 0 : this.minValueUs;
  }

  /** Estimated q-quantile (0 <= q <= 1) within 0.5% relative; 0 when empty. */
  quantileUs(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new RangeError(`LatencyHistogram.quantileUs: q must be in [0, 1], got ${q}`);
    }
    if (this.n === 0) return 0;
    // The extremes are known exactly, so a rank that lands on one of them needs no estimate.
    const rank = Math.floor(q * (this.n - 1));
    if (rank === this.n - 1) return this.maxValueUs;
    if (rank === 0) return this.minValueUs;
    const estimateUs = this.sketch.getValueAtQuantile(q);
    // The true order statistic lies in [min, max], so clamping only moves the estimate closer,
    // and it keeps p99 <= max in the output (a bucket's midpoint can exceed the exact max).
    return Math.min(Math.max(estimateUs, this.minValueUs), this.maxValueUs);
  }

  /**
   * quantileUs of each of `qs` (ascending), in one walk over the sketch's bins: a window's row
   * asks for four, and each of DDSketch's own answers walks from the lowest bin the series ever
   * had (a tenth of an M/M/1 run of 10,000 windows). The walk is getValueAtQuantile's rank rule
   * (@datadog/sketches-js 2.1.1, DenseStore.keyAtRank with lower = true), started at the lowest
   * bin that can hold a count (keySpan): every bin below it is empty. (The listed bins, `keys`,
   * would need sorting first: for 80 of them that cost as much as this walk.) Latencies are never
   * negative, so the negative store is empty. The test "answers several quantiles as quantileUs
   * does" holds the two to the same answers.
   */
  quantilesUs(qs: readonly number[]): number[] {
    const out = new Array<number>(qs.length);
    const n = this.n;
    const s = this.sketch;
    const store = s.store;
    const bins = store.bins;
    const span = this.keySpan();
    let i = span === null ? 0 : Math.max(0, span[0] - store.offset);
    let running = 0;
    for (let j = 0; j < qs.length; j++) {
      const q = qs[j]!;
      if (!(q >= 0 && q <= 1) || (j > 0 && q < qs[j - 1]!)) {
        throw new RangeError(`LatencyHistogram.quantilesUs: expected ascending quantiles in [0, 1], got ${qs.join(", ")}`);
      }
      const rank = Math.floor(q * (n - 1));
      if (n === 0) out[j] = 0;
      else if (rank === n - 1) out[j] = this.maxValueUs;
      else if (rank === 0) out[j] = this.minValueUs;
      else {
        const storeRank = q * (s.count - 1) - s.zeroCount;
        let estimateUs = 0;
        if (storeRank >= 0) {
          while (i < bins.length && running + bins[i]! <= storeRank) running += bins[i++]!;
          estimateUs = s.mapping.value(i < bins.length ? i + store.offset : store.maxKey);
        }
        out[j] = Math.min(Math.max(estimateUs, this.minValueUs), this.maxValueUs);
      }
    }
    return out;
  }

  /** Adds every value recorded in `other` to this histogram; `other` is unchanged. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    const span = other.keySpan();
    if (span === null) {
      // Workaround for @datadog/sketches-js 2.1.1: DenseStore.merge extends its range with
      // `_extendRange(other.minKey, other.maxKey)`, which reads a maxKey of 0 as "absent"
      // (`secondKey || key`). If the other store spans keys below 0 up to exactly 0 (values
      // up to ~1 us) and ours lies wholly below 0, the merged bins turn into NaN. Adding weight 0
      // at key 0 first widens our range to cover key 0 without counting anything.
      if (other.sketch.store.maxKey === 0) this.sketch.store.add(0, 0);
      this.sketch.merge(other.sketch);
    } else this.mergeSpan(other, span[0], span[1]);
    this.listed = -1; // its bins came from elsewhere, unlisted
    this.n += other.n;
    this.sumUs += other.sumUs;
    if (other.maxValueUs > this.maxValueUs) this.maxValueUs = other.maxValueUs;
    if (other.minValueUs < this.minValueUs) this.minValueUs = other.minValueUs;
  }

  /**
   * The keys of the lowest and highest bins that can hold a count: the bins of the exact minimum
   * and maximum, since each value lands in its own key's bin (merges included: the extremes
   * merge too). null when some value is at or below the sketch's smallest magnitude (its zero
   * bucket): the lowest counted bin is then unknown.
   */
  private keySpan(): [number, number] | null {
    const m = this.sketch.mapping;
    if (this.n === 0 || !(this.minValueUs > m.minPossible)) return null;
    return [m.key(this.minValueUs), m.key(this.maxValueUs)];
  }

  /**
   * DDSketch.merge over the bins of keys lo..hi only, or over the bins `other` lists. A window's
   * sketch keeps the bins of the whole run's range (clear), and the library's merge walks all of
   * them: most of the cost of closing an M/M/1 window of 80 requests. Adding weight 0 at both
   * ends widens our range without counting anything.
   */
  private mergeSpan(from: LatencyHistogram, lo: number, hi: number): void {
    const s = this.sketch;
    const other = from.sketch;
    const to = s.store;
    const fromStore = other.store;
    to.add(lo, 0);
    to.add(hi, 0);
    const toBins = to.bins;
    const fromBins = fromStore.bins;
    if (from.listed >= 0) {
      const keys = from.keys!;
      for (let j = 0; j < from.listed; j++) {
        const key = keys[j]!;
        toBins[key - to.offset] = toBins[key - to.offset]! + fromBins[key - fromStore.offset]!;
      }
    } else {
      const shift = to.offset - fromStore.offset;
      for (let i = lo - to.offset, end = hi - to.offset; i <= end; i++) toBins[i] = toBins[i]! + fromBins[i + shift]!;
    }
    // Every value of `other` is above the zero bucket's bound (keySpan), so its zero count is 0.
    to.count += fromStore.count;
    s.count += other.count;
    s.sum += other.sum;
    if (other.min < s.min) s.min = other.min;
    if (other.max > s.max) s.max = other.max;
  }

  /** Forgets every recorded value. */
  clear(): void {
    // DDSketch has no reset, and a new sketch per window re-grew its bins value by value,
    // re-centring them at every new extreme (a tenth of an M/M/1 run with 10,000 windows). Zeroing
    // the counts of its (public) fields keeps the bins' range, so the next window's values land in
    // bins that exist. Quantiles and merges walk bins with running counts, so empty bins change no
    // answer: the test "a cleared histogram answers and merges exactly as a new one" holds it.
    // Only the bins between the extremes' can hold a count (keySpan), and none when nothing was
    // recorded or merged since the last clear: an idle service's window then costs nothing here
    // (it filled every bin of the run's range, a fifth of closing an empty window); only the
    // listed bins, when they are.
    if (this.n === 0) return;
    const s = this.sketch;
    const bins = s.store.bins;
    if (this.listed >= 0) {
      for (let j = 0; j < this.listed; j++) bins[this.keys![j]! - s.store.offset] = 0;
    } else {
      const span = this.keySpan();
      if (span === null) bins.fill(0);
      else bins.fill(0, span[0] - s.store.offset, span[1] - s.store.offset + 1);
    }
    this.listed = 0;
    s.store.count = 0;
    s.negativeStore.bins.fill(0);
    s.negativeStore.count = 0;
    s.zeroCount = 0;
    s.count = 0;
    s.sum = 0;
    s.min = Infinity;
    s.max = -Infinity;
    this.n = 0;
    this.sumUs = 0;
    this.minValueUs = Infinity;
    this.maxValueUs = 0;
  }
}
