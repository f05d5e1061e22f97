// What the main thread and a strategy module's worker thread share (strategy-host.ts and
// strategy-thread.ts): the plain snapshots a call carries, the layout of the shared memory, and
// the call itself as the thread makes it (callChoose; the strategy contract tests make it the
// same way in their own thread).

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

/** What a user strategy sees of a node: the documented part of the scheduler's NodeInfo (README, "Writing a strategy"). */
export class NodeView {
  readonly node: CandidateSnapshot["node"];
  readonly tasks: { size: number };
  readonly availableCpuNanos: number;
  readonly availableMemoryBytes: number;
  constructor(private readonly s: CandidateSnapshot) {
    this.node = s.node;
    this.tasks = { size: s.taskCount };
    this.availableCpuNanos = s.availableCpuNanos;
    this.availableMemoryBytes = s.availableMemoryBytes;
  }
  tasksOfService(service: string): number {
    return this.s.serviceTasks.get(service) ?? 0;
  }
  availableGeneric(kind: string): number {
    return this.s.availableGeneric.get(kind) ?? 0;
  }
  recentFailures(key: string, nowUs: number): number {
    return (this.s.failures.get(key) ?? []).filter((t) => t >= nowUs - this.s.failureWindowUs).length;
  }
}

/** A user module's strategy object, as loaded: a name maybe, and choose(task, candidates, ctx). */
export interface ModuleStrategy {
  name?: unknown;
  choose?: (...args: unknown[]) => unknown;
}

/**
 * One choose() of a module as its thread makes it: on views of the call's snapshots, with
 * `random` as ctx.random(). Returns the chosen view's index, or (negative, ANSWER) the kind of
 * what it returned instead; throws what choose() throws.
 */
export function callChoose(strategy: ModuleStrategy, call: ChooseCall, random: () => number): number {
  const views = call.candidates.map((c) => new NodeView(c));
  const chosen = strategy.choose!.call(strategy, call.task, views, { nowUs: call.nowUs, random });
  const index = views.indexOf(chosen as NodeView);
  return index >= 0 ? index : answerOf(chosen);
}
