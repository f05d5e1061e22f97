// The body of a user strategy module's worker thread (see strategy-host.ts). It imports the
// module, then answers one choose() at a time: the task and the candidates arrive as plain
// snapshots, and the index of the chosen one goes back through shared memory. ctx.random()
// asks the main thread for the next number of the scheduler's seeded stream, so a strategy's
// randomness is the same as in the simulator's own thread. process.exit() in the module throws
// instead of ending the thread, so that orchsim can say what the module did.

import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { writeAll } from "./write-all.js";
import { format, inspect } from "node:util";
import { CTL, STATE, callChoose, type ChooseCall, type ModuleStrategy } from "./strategy-protocol.js";

const { file, shared, errors } = workerData as { file: string; shared: SharedArrayBuffer; errors: MessagePort };
const ctl = new Int32Array(shared, 0, CTL.length);
const f64 = new Float64Array(shared, 8, 1);

class StrategyExit extends Error {}
process.exit = ((code?: number) => {
  throw new StrategyExit(`the strategy module called process.exit(${code ?? ""})`);
}) as typeof process.exit;

// Math.random() would make the runs unrepeatable, and the sweep's pairing of seeds meaningless.
Math.random = () => {
  throw new Error("the strategy called Math.random(): draw from ctx.random() instead, the run's seeded stream, so that a seed gives the same run again");
};

// What the module prints goes to stderr at once: a thread's console is otherwise passed to the
// main thread's event loop, which a run keeps busy to its end (when the thread is ended, with
// most of it unwritten); and stdout is orchsim's summary.
const writeStderr = (text: string): void => writeAll(2, text);
for (const k of ["log", "info", "warn", "error", "debug"] as const) console[k] = (...args: unknown[]) => writeStderr(`${format(...args)}\n`);
console.trace = (...args: unknown[]) => writeStderr(`Trace: ${format(...args)}\n${new Error().stack?.split("\n").slice(2).join("\n") ?? ""}\n`);
console.dir = (obj: unknown, options?: object) => writeStderr(`${inspect(obj, options)}\n`);

function signal(state: number): void {
  Atomics.store(ctl, CTL.state, state);
  Atomics.notify(ctl, CTL.state);
}

/** Whether a choose() is under way: only then may the module draw from ctx.random(). */
let active = false;
/** What the module did outside a call (a late ctx.random(), an uncaught error), reported by the next call. */
let late: string | null = null;

function random(): number {
  if (!active) {
    // After choose() returned, the main thread may already be past this call: a draw now would
    // take a number the run in the main thread never takes.
    late ??= "the strategy called ctx.random() after choose() returned (from a callback or an await)";
    throw new Error(late);
  }
  signal(STATE.wantRandom);
  Atomics.wait(ctl, CTL.state, STATE.wantRandom);
  const value = f64[0]!;
  signal(STATE.busy);
  return value;
}

/**
 * The module, or why it did not load. Caught here, not left to end the thread: an uncaught error
 * while loading goes through node's own exit path, which the process.exit() above turns into a
 * second error (and, in a sweep's worker threads, at times a crash of the whole process).
 */
async function load(): Promise<Record<string, unknown> | string> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError) return `${err.message} (if the file's own syntax, node --check ${file} shows where)`;
    return err instanceof Error ? err.message : `it threw ${String(err)}`;
  }
}

const mod = await load();
const strategy = (typeof mod === "string" ? undefined : mod["default"] ?? mod["strategy"]) as ModuleStrategy | undefined;
const ok = !!strategy && typeof strategy.choose === "function";
parentPort!.postMessage({ loaded: ok, name: ok && typeof strategy.name === "string" ? strategy.name : null, error: typeof mod === "string" ? mod : null });

/** Reports a failure of the call under way; the main thread then throws it. */
function fail(err: unknown): void {
  let posted: { message: string; stack?: string };
  try {
    posted = err instanceof Error ? { message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) } : { message: `the strategy threw ${String(err)}` };
  } catch {
    posted = { message: "the strategy threw a value that cannot be shown" };
  }
  errors.postMessage(posted);
  signal(STATE.failed);
}

// An error or rejection outside a call (a callback, a promise the module left behind) would
// otherwise end the thread while the main thread waits: it fails the call under way, or the next.
const stray = (err: unknown): void => {
  if (active) {
    active = false;
    fail(err);
  } else late ??= err instanceof Error ? err.message : String(err);
};
process.on("uncaughtException", stray);
process.on("unhandledRejection", stray);

parentPort!.on("message", (call: ChooseCall) => {
  if (late !== null) {
    fail(new Error(late));
    return;
  }
  active = true;
  try {
    const answer = callChoose(strategy!, call, random);
    active = false;
    Atomics.store(ctl, CTL.result, answer);
    signal(STATE.done);
  } catch (err) {
    active = false;
    fail(err);
  }
});
