import * as v8 from "node:v8";

/**
 * How far V8 lets the heap grow past what its last full collection kept, in percent. Left to
 * itself, V8 picks a factor of up to 4 for a heap that allocates fast and keeps much of it, which
 * is what a large simulation does: a 20,001-worker hour keeps about 1 GB live, and its RSS climbed
 * to 2.2 GB before a collection. A fixed factor of 1.5 held it to 1.5-1.7 GB, and the run was no
 * slower (bench/README.md, scale). It changes when memory is collected, never what a run computes.
 */
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag orchsim sets, or null when node was started with its own `--heap-growing-percent`. */
export function heapGrowingFlag(execArgv: readonly string[]): string | null {
  if (execArgv.some((flag) => flag.startsWith("--heap-growing-percent") || flag.startsWith("--heap_growing_percent"))) return null;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Sets the heap's growth for this process (and its worker threads), unless the user set it. */
export function tuneHeap(): void {
  const flag = heapGrowingFlag(process.execArgv);
  if (flag !== null) v8.setFlagsFromString(flag);
}

/**
 * The young generation of a sweep's (and a plan's) worker threads, in MiB: V8's default for a
 * 64-bit process is 48 (two 16 MiB semi-spaces and room for large objects), and a run allocates
 * short-lived objects (requests, CPU jobs, events, messages) fast enough that objects which live
 * a few simulated milliseconds outlived two collections and were copied into the old generation.
 * Twice the default took 0.96 of a zone-failure sweep's time on two threads (5 pairs), which is
 * why the threads have it. Whether it pays elsewhere is not settled (README at
 * --max-semi-space-size): --max-semi-space-size=32 measured 0.91-0.93 on the ordinary M/M/1 and
 * the 20,001-worker hour, then 1.04 on a 20,001-worker deployment, and the hour on a thread with
 * this size 1.06 of its time on the main thread; these machines' noise is of that size. A worker
 * thread takes the size as it starts (resourceLimits); the main thread's is fixed when node starts.
 */
export const RUN_THREAD_YOUNG_GENERATION_MB = 96;

/** A worker thread's resourceLimits for runs, or none when node was started with its own young generation size. */
export function runThreadLimits(execArgv: readonly string[], nodeOptions = process.env["NODE_OPTIONS"] ?? ""): { maxYoungGenerationSizeMb?: number } {
  const own = (flag: string): boolean => /^--(max|min)[-_]semi[-_]space[-_]size/.test(flag);
  if (execArgv.some(own) || nodeOptions.split(/\s+/).some(own)) return {};
  return { maxYoungGenerationSizeMb: RUN_THREAD_YOUNG_GENERATION_MB };
}
