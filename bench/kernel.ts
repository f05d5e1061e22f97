// The kernel's event throughput against a bare FastPriorityQueue, on the classic "hold" model:
// fill the queue with N events, then repeatedly take the earliest and schedule one new event at
// now + exponential(mean). The bare loop is the floor on what any kernel built on this heap can
// cost; the ratio shows what the kernel's own work (the ScheduledEvent allocation, the scheduling
// checks, the run loop, the dispatch to an action) adds on top.
import type FastPriorityQueue from "fastpriorityqueue";
import { RandomStreams, Simulation } from "../src/kernel/index.js";
import type { BenchContext, BenchRow, Benchmark } from "./harness.js";
import { loadPrivateFastPriorityQueue } from "./harness.js";
import { gcAvailable, liveBytesAfterGc, wallNs } from "./harness.js";

const PENDING_SIZES = [100, 10_000, 1_000_000] as const;
const RATIO_TARGET = 0.6;
const REPEATS = 3;
/** Each timed measurement runs at least this many operations, and at least ~MEASURE_NS long. */
const OPS_MIN = 3_000_000;
const OPS_MAX = 60_000_000;
const MEASURE_NS = 1.2e9;
/** A typical timer scale (1 s); with N = 1M pending that is about one event per microsecond. */
const MEAN_INCREMENT_US = 1_000_000;
/**
 * Times start at 2^32 us (about 72 simulated minutes), beyond V8's small-integer range, so event
 * times are heap doubles from the first measurement on, as in any real run longer than 36 minutes.
 * Starting at 0 would let the small sizes run on small integers and the large ones not.
 */
const START_US = 2 ** 32;
/** Increments are read cyclically from a table this long (a power of two, for masking). */
const INCREMENT_TABLE_SIZE = 1 << 20;
const INCREMENT_MASK = INCREMENT_TABLE_SIZE - 1;

/**
 * The bare loop gets its own copy of the library (a second evaluation of the module, so its own
 * functions and JIT feedback). Sharing one copy with the kernel made the comparator call sites
 * inside add/poll see two comparators and two element shapes, which neither has in real use, and
 * made the ratio swing by a third from one run to the next depending on which loop V8 optimised
 * first.
 */

const BareQueue = loadPrivateFastPriorityQueue();

interface HoldResult {
  ns: number;
  /** The time of the last event taken: equal for both loops when they did the same work. */
  lastTimeUs: number;
}

interface BareEvent {
  t: number;
  seq: number;
}

/** The same comparator shape as the kernel's `earlier`. */
function bareEarlier(a: BareEvent, b: BareEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/**
 * Integer-microsecond increments drawn once, so both loops see identical times (and ties) and
 * neither pays for the random number generator inside the timed loop.
 */
function exponentialTableUs(streams: RandomStreams, name: string, n: number): Float64Array {
  const rng = streams.stream(name);
  const table = new Float64Array(n);
  for (let i = 0; i < n; i++) table[i] = Math.round(rng.exponential(MEAN_INCREMENT_US));
  return table;
}

function fillTimesUs(streams: RandomStreams, pending: number): Float64Array {
  const times = exponentialTableUs(streams, `fill-${pending}`, pending);
  for (let i = 0; i < pending; i++) times[i] = START_US + times[i]!;
  return times;
}

function holdBare(fillUs: Float64Array, incUs: Float64Array, ops: number): HoldResult {
  const queue = new BareQueue<BareEvent>(bareEarlier);
  let seq = 0;
  for (let i = 0; i < fillUs.length; i++) queue.add({ t: fillUs[i]!, seq: seq++ });
  let lastTimeUs = 0;
  const start = wallNs();
  for (let i = 0; i < ops; i++) {
    const ev = queue.poll()!;
    lastTimeUs = ev.t;
    queue.add({ t: lastTimeUs + incUs[i & INCREMENT_MASK]!, seq: seq++ });
  }
  return { ns: wallNs() - start, lastTimeUs };
}

/** The kernel's real path: each event's action schedules its successor with `after`. */
function buildKernelHold(fillUs: Float64Array, incUs: Float64Array): Simulation {
  const sim = new Simulation();
  let k = 0;
  const hold = (): void => {
    sim.after(incUs[k++ & INCREMENT_MASK]!, hold);
  };
  for (let i = 0; i < fillUs.length; i++) sim.at(fillUs[i]!, hold);
  return sim;
}

function holdKernel(fillUs: Float64Array, incUs: Float64Array, ops: number): HoldResult {
  const sim = buildKernelHold(fillUs, incUs);
  const start = wallNs();
  const outcome = sim.run({ maxEvents: ops });
  const ns = wallNs() - start;
  if (outcome !== "budget" || sim.eventsProcessed !== ops) {
    throw new Error(`kernel hold stopped early: ${outcome} after ${sim.eventsProcessed} events`);
  }
  return { ns, lastTimeUs: sim.now() };
}

function perSecond(ops: number, ns: number): number {
  return (ops * 1e9) / ns;
}

function measureSize(pending: number, incUs: Float64Array, streams: RandomStreams, ctx: BenchContext): BenchRow[] {
  const fillUs = fillTimesUs(streams, pending);
  // A short run at this size both warms it up and sizes the timed runs to about MEASURE_NS.
  const probeOps = 300_000;
  const probe = holdBare(fillUs, incUs, probeOps);
  holdKernel(fillUs, incUs, probeOps);
  const ops = Math.min(OPS_MAX, Math.max(OPS_MIN, Math.round((perSecond(probeOps, probe.ns) * MEASURE_NS) / 1e9)));

  let bestBare = 0;
  let bestKernel = 0;
  for (let r = 1; r <= REPEATS; r++) {
    const bare = holdBare(fillUs, incUs, ops);
    const kernel = holdKernel(fillUs, incUs, ops);
    if (bare.lastTimeUs !== kernel.lastTimeUs) {
      throw new Error(`N=${pending}: the loops diverged (${bare.lastTimeUs} vs ${kernel.lastTimeUs}us)`);
    }
    const bareRate = perSecond(ops, bare.ns);
    const kernelRate = perSecond(ops, kernel.ns);
    ctx.log(`N=${pending} run ${r}/${REPEATS}: ${ops} ops, bare ${fmt(bareRate)}/s, kernel ${fmt(kernelRate)}/s`);
    bestBare = Math.max(bestBare, bareRate);
    bestKernel = Math.max(bestKernel, kernelRate);
  }
  const ratio = bestKernel / bestBare;
  return [
    { name: `hold N=${label(pending)}: bare FastPriorityQueue`, value: bestBare, unit: "events/s" },
    {
      name: `hold N=${label(pending)}: kernel`,
      value: bestKernel,
      unit: "events/s",
      ratio,
      target: `ratio >= ${RATIO_TARGET}`,
      ok: ratio >= RATIO_TARGET,
    },
  ];
}

interface HeapPeak {
  /** Growth of the live heap and array buffers over what they were before the queue was built. */
  queueBytes: number;
  /** The whole process's heapUsed and arrayBuffers at that moment. */
  liveBytes: number;
}

/** Holds what is being measured, so the collector cannot free it between the measurements. */
let retained: unknown;

/** Live heap with the queue filled, and again after a stretch of steady state; the larger of the two. */
function peakHeap(build: () => () => void): HeapPeak {
  const before = liveBytesAfterGc();
  const advance = build();
  retained = advance;
  const filled = liveBytesAfterGc();
  advance();
  const steady = liveBytesAfterGc();
  retained = undefined;
  const peak = Math.max(filled, steady);
  return { queueBytes: peak - before, liveBytes: peak };
}

function measureHeap(incUs: Float64Array, streams: RandomStreams): BenchRow[] {
  const pending = 1_000_000;
  const fillUs = fillTimesUs(streams, pending);
  // One turnover's worth: about as many new events as there were pending.
  const ops = pending;
  const bare = peakHeap(() => {
    const queue = new BareQueue<BareEvent>(bareEarlier);
    for (let i = 0; i < pending; i++) queue.add({ t: fillUs[i]!, seq: i });
    let seq = pending;
    return () => {
      for (let i = 0; i < ops; i++) queue.add({ t: queue.poll()!.t + incUs[i & INCREMENT_MASK]!, seq: seq++ });
    };
  });
  const kernel = peakHeap(() => {
    const sim = buildKernelHold(fillUs, incUs);
    return () => void sim.run({ maxEvents: ops });
  });
  const mib = (bytes: number) => bytes / 2 ** 20;
  return [
    { name: "memory, 1M pending: bare queue (growth)", value: mib(bare.queueBytes), unit: "MiB" },
    {
      name: "memory, 1M pending: kernel (growth)",
      value: mib(kernel.queueBytes),
      unit: "MiB",
      ratio: kernel.queueBytes / bare.queueBytes,
    },
    { name: "memory, 1M pending: kernel (heap and buffers)", value: mib(kernel.liveBytes), unit: "MiB" },
    { name: "memory per pending event: bare", value: bare.queueBytes / pending, unit: "bytes" },
    { name: "memory per pending event: kernel", value: kernel.queueBytes / pending, unit: "bytes" },
  ];
}

function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n);
}

function fmt(rate: number): string {
  return `${(rate / 1e6).toFixed(2)}M`;
}

export const kernelBenchmark: Benchmark = {
  name: "kernel",
  description: "Simulation events/s vs a bare FastPriorityQueue hold loop at 100, 10k and 1M pending events",
  run(ctx) {
    const streams = new RandomStreams(1);
    const incUs = exponentialTableUs(streams, "increments", INCREMENT_TABLE_SIZE);
    // Warm both loops up (JIT tiers, inline caches for both element shapes) before any timing.
    const warmFill = fillTimesUs(streams, 1_000);
    for (let i = 0; i < 3; i++) {
      holdBare(warmFill, incUs, 500_000);
      holdKernel(warmFill, incUs, 500_000);
    }
    const rows: BenchRow[] = [];
    for (const pending of PENDING_SIZES) rows.push(...measureSize(pending, incUs, streams, ctx));
    if (gcAvailable()) {
      rows.push(...measureHeap(incUs, streams));
    } else {
      ctx.log("heap rows skipped: run node with --expose-gc");
    }
    return rows;
  },
};

/** A bare fastpriorityqueue hold loop's events/s at `pending` events: the baseline for whole-model benches. */
export function bareHoldEventsPerS(pending: number, ops = 3_000_000): number {
  const streams = new RandomStreams(7);
  const incUs = exponentialTableUs(streams, "increments", INCREMENT_TABLE_SIZE);
  const fillUs = fillTimesUs(streams, pending);
  holdBare(fillUs, incUs, 300_000);
  let best = 0;
  for (let r = 0; r < REPEATS; r++) best = Math.max(best, perSecond(ops, holdBare(fillUs, incUs, ops).ns));
  return best;
}
