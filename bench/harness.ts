import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type FastPriorityQueue from "fastpriorityqueue";
import type TinyQueue from "tinyqueue";
import type { EventLog } from "../src/metrics/output.js";

// What every benchmark implements, and the few measuring helpers they share. Benchmarks may read
// the wall clock (that is what they measure); simulation code may not.

/** One line of a benchmark's result table. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** This row's value relative to a baseline measured in the same run. */
  ratio?: number;
  /** Human-readable target, e.g. "ratio >= 0.6". */
  target?: string;
  /** Whether the target was met; absent when the row has no target. */
  ok?: boolean;
}

export interface BenchContext {
  /** Progress notes (to stderr, so the table on stdout stays clean). */
  log(message: string): void;
}

export interface Benchmark {
  /** Short name, matched by the filter argument of run.js. */
  name: string;
  description: string;
  run(ctx: BenchContext): BenchRow[];
}

/** events.jsonl's lines thrown away: for runs measured without their output. */
export const NO_EVENT_LOG: EventLog = { writeJson: () => undefined, putAscii: () => undefined, putInt: () => undefined, putBytes: () => undefined, close: () => undefined };

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time in nanoseconds, as a number (exact to 2^53 ns, about 104 days). */
export function wallNs(): number {
  return Number(process.hrtime.bigint());
}

/** Whether the process was started with --expose-gc, so heap figures are meaningful. */
export function gcAvailable(): boolean {
  return typeof globalThis.gc === "function";
}

/**
 * Bytes of live heap after a full collection (two passes, to let finalisers and weak refs settle),
 * with the array buffers' memory: typed arrays keep their contents outside V8's heap (the kernel's
 * event slots, CSV batches), and `heapUsed` alone does not count them.
 */
export function liveBytesAfterGc(): number {
  const gc = globalThis.gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A fresh copy of the fastpriorityqueue module for a bench's bare baseline loop. Sharing the
 * copy the model uses would make the comparator call sites inside add/poll see several
 * comparators, which never happens in real use, and make the baseline's speed swing.
 */
export function loadPrivateFastPriorityQueue(): typeof FastPriorityQueue {
  const require = createRequire(import.meta.url);
  const path = require.resolve("fastpriorityqueue");
  const shared = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as typeof FastPriorityQueue;
  } finally {
    if (shared) require.cache[path] = shared;
  }
}

/**
 * A fresh copy of the tinyqueue module (the scheduler's heap) for the scheduler bench's baseline,
 * for the same reason: an ES module is one instance per URL, so a query string makes another.
 */
export async function loadPrivateTinyQueue(): Promise<typeof TinyQueue> {
  const url = pathToFileURL(createRequire(import.meta.url).resolve("tinyqueue")).href;
  return ((await import(`${url}?bench-baseline`)) as { default: typeof TinyQueue }).default;
}
