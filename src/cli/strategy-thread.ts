// The body of a user strategy module's worker thread (see strategy-host.ts). It imports the
// module, then answers one choose() at a time: the task and the candidates arrive as plain
// snapshots, and the index of the chosen one goes back through shared memory. ctx.random()
// asks the main thread for the next number of the scheduler's seeded stream, so a strategy's
// randomness is the same as in the simulator's own thread. process.exit() in the module throws
// instead of ending the thread, so that orchsim can say what the module did.

import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { CTL, STATE, type CandidateSnapshot, type ChooseCall } from "./strategy-protocol.js";

const { file, shared, errors } = workerData as { file: string; shared: SharedArrayBuffer; errors: MessagePort };
const ctl = new Int32Array(shared, 0, CTL.length);
const f64 = new Float64Array(shared, 8, 1);

class StrategyExit extends Error {}
process.exit = ((code?: number) => {
  throw new StrategyExit(`the strategy module called process.exit(${code ?? ""})`);
}) as typeof process.exit;

/** What a user strategy sees of a node: the documented part of the scheduler's NodeInfo. */
class NodeView {
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
    return this.s.serviceTasks[service] ?? 0;
  }
  availableGeneric(kind: string): number {
    return this.s.availableGeneric[kind] ?? this.s.node.generic[kind] ?? 0;
  }
  recentFailures(key: string, nowUs: number): number {
    return (this.s.failures[key] ?? []).filter((t) => t >= nowUs - this.s.failureWindowUs).length;
  }
}

function signal(state: number): void {
  Atomics.store(ctl, CTL.state, state);
  Atomics.notify(ctl, CTL.state);
}

function random(): number {
  signal(STATE.wantRandom);
  Atomics.wait(ctl, CTL.state, STATE.wantRandom);
  const value = f64[0]!;
  signal(STATE.busy);
  return value;
}

const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
const strategy = (mod["default"] ?? mod["strategy"]) as { name?: unknown; choose?: (...a: unknown[]) => unknown } | undefined;
const ok = !!strategy && typeof strategy.choose === "function";
parentPort!.postMessage({ loaded: ok, name: ok && typeof strategy.name === "string" ? strategy.name : null });

parentPort!.on("message", (call: ChooseCall) => {
  try {
    const views = call.candidates.map((c) => new NodeView(c));
    const chosen = strategy!.choose!.call(strategy, call.task, views, { nowUs: call.nowUs, random });
    const index = views.indexOf(chosen as NodeView);
    Atomics.store(ctl, CTL.result, index >= 0 ? index : chosen === undefined || chosen === null ? -2 : typeof (chosen as { then?: unknown }).then === "function" ? -3 : -1);
    signal(STATE.done);
  } catch (err) {
    errors.postMessage(err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) });
    signal(STATE.failed);
  }
});
