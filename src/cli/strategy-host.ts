// A user strategy module runs in its own worker thread, so that it cannot end or corrupt the
// simulator: process.exit() in it throws, an exception is reported with its stack, and a call
// that does not return within CALL_LIMIT_MS (an endless loop) fails the run with a message
// instead of hanging it. The scheduler calls choose() synchronously, so the main thread blocks
// on shared memory (Atomics.wait) until the thread answers; when the strategy asks ctx.random(),
// the main thread draws from the scheduler's seeded stream and hands the number over, so the
// run is the same as with the module in the main thread.
//
// The time limit reads the wall clock: it never changes a run's outputs, only whether a stuck
// one is stopped.

import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { PlacementContext, PlacementStrategy } from "../manager/scheduler/strategy.js";
import type { NodeInfo } from "../manager/scheduler/node-info.js";
import { RECENT_FAILURE_WINDOW_US } from "../manager/scheduler/node-info.js";
import type { TaskRecord } from "../manager/store.js";
import { ANSWER, CTL, STATE, sharedMemory, type CandidateSnapshot } from "./strategy-protocol.js";

/** The longest one choose() may take, and the longest a module may take to load. */
export const CALL_LIMIT_MS = 10_000;

/** A strategy in its thread; close() ends the thread (a sweep loads one per run). */
export type HostedStrategy = PlacementStrategy & { close(): Promise<number> };

/** Loads `file` in a worker thread: the strategy, or what is wrong with the module. */
export async function hostStrategy(file: string, fallbackName: string): Promise<HostedStrategy | string> {
  const shared = sharedMemory();
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL("./strategy-thread.js", import.meta.url), { workerData: { file, shared, errors: port2 }, transferList: [port2] });
  const loaded = await new Promise<{ loaded: boolean; name: string | null; error: string | null } | string>((resolve) => {
    const timer = setTimeout(() => resolve(`did not finish loading within ${CALL_LIMIT_MS / 1000} s (a top-level await that never settles?)`), CALL_LIMIT_MS);
    const done = (v: { loaded: boolean; name: string | null; error: string | null } | string): void => {
      clearTimeout(timer);
      resolve(v);
    };
    worker.once("message", done);
    worker.once("error", (err) => done(`failed to load: ${err.message}`));
    // Node ends a thread whose top-level await can never settle with exit code 13.
    worker.once("exit", (code) => done(code === 13 ? "never finished loading: a top-level await in it waits for something that never comes" : `ended its thread while loading (exit code ${code})`));
  });
  if (typeof loaded === "string" || !loaded.loaded) {
    await worker.terminate();
    if (typeof loaded === "string") return loaded;
    return loaded.error !== null ? `failed to load: ${loaded.error}` : "must export a strategy { name, choose(task, candidates, ctx) } as default or as \"strategy\"";
  }
  worker.unref();
  port1.unref();
  const name = loaded.name ?? fallbackName;
  const ctl = new Int32Array(shared, 0, CTL.length);
  const f64 = new Float64Array(shared, 8, 1);
  return {
    name,
    source: file,
    close: () => worker.terminate(),
    choose(task: TaskRecord, candidates: readonly NodeInfo[], ctx: PlacementContext): NodeInfo {
      Atomics.store(ctl, CTL.state, STATE.busy);
      worker.postMessage({ task, candidates: candidates.map(snapshot), nowUs: ctx.nowUs });
      const start = performance.now();
      for (;;) {
        const left = CALL_LIMIT_MS - (performance.now() - start);
        if (left <= 0) {
          void worker.terminate();
          throw new Error(`placement strategy "${name}" (${file}) did not return within ${CALL_LIMIT_MS / 1000} s`);
        }
        const state = Atomics.load(ctl, CTL.state);
        if (state === STATE.busy || state === STATE.randomReady) {
          Atomics.wait(ctl, CTL.state, state, left);
        } else if (state === STATE.wantRandom) {
          f64[0] = ctx.random();
          Atomics.store(ctl, CTL.state, STATE.randomReady);
          Atomics.notify(ctl, CTL.state);
        } else if (state === STATE.failed) {
          Atomics.store(ctl, CTL.state, STATE.idle);
          throw threadError(receiveMessageOnPort(port1)?.message as { message: string; stack?: string } | undefined, name);
        } else {
          Atomics.store(ctl, CTL.state, STATE.idle);
          return chosen(Atomics.load(ctl, CTL.result), candidates);
        }
      }
    },
  };
}

/** The strategy's exception as the thread caught it, with the stack through the user's module. */
function threadError(posted: { message: string; stack?: string } | undefined, name: string): Error {
  const err = new Error(posted?.message ?? `placement strategy "${name}" failed`);
  if (posted?.stack !== undefined) err.stack = posted.stack;
  return err;
}

/**
 * The candidate the thread chose, or a stand-in for what the module returned instead (the
 * thread sends its kind): the scheduler's own check of a strategy's answer then says what is
 * wrong with it, in the same words as for a module in the main thread.
 */
export function chosen(answer: number, candidates: readonly NodeInfo[]): NodeInfo {
  const standIn: Record<number, unknown> = { [ANSWER.undefined]: undefined, [ANSWER.null]: null, [ANSWER.promise]: Promise.resolve(), [ANSWER.other]: {} };
  return (candidates[answer] ?? standIn[answer]) as NodeInfo;
}

/** A candidate as a call to a module's thread carries it (then cloned by postMessage). */
export function snapshot(info: NodeInfo): CandidateSnapshot {
  const availableGeneric = new Map<string, number>();
  for (const kind of Object.keys(info.node.generic)) availableGeneric.set(kind, info.availableGeneric(kind));
  return {
    node: info.node,
    taskCount: info.taskCount,
    serviceTasks: info.serviceTasks,
    availableCpuNanos: info.availableCpuNanos,
    availableMemoryBytes: info.availableMemoryBytes,
    availableGeneric,
    failures: info.failureRecords(),
    failureWindowUs: RECENT_FAILURE_WINDOW_US,
  };
}
