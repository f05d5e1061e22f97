// What the main thread and a strategy module's worker thread share (strategy-host.ts and
// strategy-thread.ts): the plain snapshots a call carries and the layout of the shared memory.

import type { NodeRecord, TaskRecord } from "../manager/store.js";

/** Int32 slots of the shared memory: the call's state and the chosen candidate's index. */
export const CTL = { state: 0, result: 1, length: 2 } as const;

export const STATE = { idle: 0, busy: 1, wantRandom: 2, randomReady: 3, done: 4, failed: 5 } as const;

/** The result slot: a candidate's index, or (negative) what the module returned instead. */
export const ANSWER = { other: -1, undefined: -2, promise: -3, null: -4 } as const;

/** How the thread encodes what choose() returned that was not one of the views. */
export function answerOf(chosen: unknown): number {
  if (chosen === undefined) return ANSWER.undefined;
  if (chosen === null) return ANSWER.null;
  return typeof (chosen as { then?: unknown }).then === "function" ? ANSWER.promise : ANSWER.other;
}

/** One candidate as a user strategy may read it (README, "Writing a strategy"). */
export interface CandidateSnapshot {
  node: NodeRecord;
  taskCount: number;
  // Maps, not objects: a service named "constructor" must not find Object.prototype's.
  serviceTasks: ReadonlyMap<string, number>;
  availableCpuNanos: number;
  availableMemoryBytes: number;
  availableGeneric: ReadonlyMap<string, number>;
  failures: ReadonlyMap<string, number[]>;
  failureWindowUs: number;
}

export interface ChooseCall {
  task: TaskRecord;
  candidates: CandidateSnapshot[];
  nowUs: number;
}

/** Shared memory: two Int32 slots (bytes 0-7), then one Float64, a random number (bytes 8-15). */
export function sharedMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(16);
}
