// Counts the instructions a command's main thread executes, under valgrind's callgrind, for
// changes too small for wall time on these machines: farm-bench's median of 15 alternating pairs
// of the ordinary M/M/1 spreads by 2-3% between a build and itself, and batches of pairs by 5-10%,
// while a count repeats to 0.1%. A count is not a time: it does not see cache misses (but see
// --misses), collections' waits or a second core's contention, so a change it favours is still timed.
//
//   npx tsc -p tsconfig.bench.json    (`npm run bench` compiles it as well)
//   node dist-bench/bench/instructions.js [--runs N] [--by-function TOP] [--misses] [--vs 'B command'] -- A command...
//
// A is the rest of the line, word for word; B is one string split at its spaces (no quoting).
// Each command runs N times (3 by default), A and B in turn; the median of each is printed with
// every thread's total, and B / A. Valgrind runs the process's threads one at a time, about 50x
// slower: the ordinary M/M/1 takes about a minute a run. Needs valgrind (`apt-get install valgrind`).
//
// A command that starts with `node` gets V8's flags for a repeatable count put after it: compiling
// and collecting on the main thread (`--single-threaded`: left to background threads, when an
// optimized function is ready depends on how valgrind schedules the threads, and the ordinary
// M/M/1's count moved by 1% between runs on a quiet machine and by 60% on a busy one) and fixed
// hash and random seeds (a Map's layout). A 1-second run then counts the same to 0.1%, run after
// run. Not whatever else the machine does: V8 sizes its heap by how fast collections go in wall
// time, and a 999-worker deployment beside a test suite's run counted 2-4% more instructions and
// up to 40% more read misses. Count on an idle machine.
//
// --by-function TOP then runs each command once more to list the main thread's TOP functions by
// their own instructions (and with --vs, the TOP differences B - A): node is given
// `--perf-basic-prof`, and the JIT code's addresses, which callgrind cannot name, are looked up in
// the map it writes (/tmp/perf-PID.map). Optimized code is `*name`, baseline `^name`; a function
// inlined into another counts as that one. Code that V8 moved or dropped may leave its addresses
// to other code: the map's last entry for an address names it. Needs callgrind_annotate (valgrind).
// Without --misses it also lists the optimized functions that call V8's generic property-access
// code (its IC builtins, from callgrind's callers tree): an access TurboFan could not compile
// inline, too many shapes or element kinds met (a frozen and an ordinary list: thirty-eighth session).
//
// --misses simulates the caches as well (callgrind's --cache-sim, a 32 KiB first level and a 4 MiB
// last level, fixed so that the count does not depend on the machine) and gives the main thread's
// last-level read and write misses beside its instructions; --by-function then lists functions by
// their read misses. On a big cluster every object a request reaches on an idle node is a miss,
// which is what the wall time of the scale shape is made of and what an instruction count misses.
// A miss count moves by 2-3% between runs of one build, and by 10% when a run ends just after
// rather than before a major collection: compare functions, not only the totals.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { median } from "./harness.js";

const REPEATABLE = ["--single-threaded", "--hash-seed=1", "--random-seed=1"];
/** The caches --misses simulates: first-level data and last level, as size,ways,line bytes. */
const CACHES = ["--cache-sim=yes", "--D1=32768,8,64", "--LL=4194304,16,64"];

interface Count {
  main: number;
  all: number;
  /** The main thread's last-level read and write misses (with --misses). */
  readMisses?: number;
  writeMisses?: number;
  /** The main thread's own instructions (read misses with --misses) by function (with --by-function). */
  functions?: Map<string, number>;
  /** Optimized functions' calls into V8's generic property access, with what those calls cost (with --by-function). */
  generic?: GenericCall[];
}

/** Calls from one optimized function into one of V8's generic access builtins. */
interface GenericCall {
  builtin: string;
  caller: string;
  calls: number;
  instructions: number;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: node dist-bench/bench/instructions.js [--runs N] [--by-function TOP] [--misses] [--vs 'B command'] -- A command...\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { runs: number; top: number; misses: boolean; a: string[]; b: string[] | null } {
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) usage("no command after --");
  const opts = argv.slice(0, dash);
  let runs = 3;
  let top = 0;
  let misses = false;
  let vs: string | null = null;
  for (let i = 0; i < opts.length; i += 2) {
    if (opts[i] === "--misses") {
      misses = true;
      i--;
    } else if (opts[i] === "--runs" || opts[i] === "--by-function") {
      if (!/^[1-9]\d*$/.test(opts[i + 1] ?? "")) usage(`bad value for ${opts[i]}: ${opts[i + 1] ?? "none"}`);
      if (opts[i] === "--runs") runs = Number(opts[i + 1]);
      else top = Number(opts[i + 1]);
    } else if (opts[i] === "--vs") {
      if (!opts[i + 1]?.trim()) usage("bad value for --vs: an empty command");
      vs = opts[i + 1]!;
    } else usage(`unknown option ${opts[i]}`);
  }
  return { runs, top, misses, a: argv.slice(dash + 1), b: vs === null ? null : vs.split(/\s+/).filter((w) => w !== "") };
}

/** Instructions of the main thread and of all threads in one run of `command`; by function too if asked. */
function count(command: string[], byFunction: boolean): Count {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-instructions-"));
  try {
    const out = path.join(dir, "callgrind.out");
    // The map goes to /tmp/perf-PID.map; V8's log that comes with it, into the folder removed below.
    const flags = byFunction ? [...REPEATABLE, "--perf-basic-prof", "--no-logfile-per-isolate", `--logfile=${path.join(dir, "v8.log")}`] : REPEATABLE;
    const run = path.basename(command[0]!) === "node" ? [command[0]!, ...flags, ...command.slice(1)] : command;
    const args = ["-q", "--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${out}`, "--smc-check=all-non-file", ...(misses ? CACHES : []), ...run];
    const r = spawnSync("valgrind", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`cannot run valgrind (${r.error.message}); apt-get install valgrind`);
    if (r.status !== 0) throw new Error(`${command.join(" ")} ${r.signal ? `was killed by ${r.signal}` : `exited with ${r.status}`} under valgrind:\n${r.stderr.slice(-2000)}`);
    // One file per thread, by valgrind's thread id: 1 is the process's first (main) thread; later
    // ids are slots that threads which have ended leave to new ones.
    const files = fs.readdirSync(dir).filter((f) => /^callgrind\.out-\d+$/.test(f));
    if (!files.includes("callgrind.out-01")) throw new Error("callgrind wrote no file for the main thread (callgrind.out-01)");
    const perThread = new Map(files.map((f) => [f, summary(path.join(dir, f))]));
    const main = path.join(dir, "callgrind.out-01");
    const own = perThread.get("callgrind.out-01")!;
    const c: Count = { main: own.Ir, all: [...perThread.values()].reduce((s, n) => s + n.Ir, 0), readMisses: own.DLmr, writeMisses: own.DLmw };
    if (byFunction) {
      const jit = jitMap(main);
      c.functions = functions(main, jit);
      if (!misses) c.generic = genericCalls(main, jit);
    }
    return c;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A file's totals by event (Ir; DLmr and DLmw with --misses), from its `events:` and `summary:` lines. */
function summary(file: string): { Ir: number; DLmr?: number; DLmw?: number } {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const names = lines.find((l) => l.startsWith("events:"))?.slice("events:".length).trim().split(/\s+/) ?? [];
  const values = lines.find((l) => l.startsWith("summary:"))?.slice("summary:".length).trim().split(/\s+/).map(Number) ?? [];
  const of = (event: string): number | undefined => (names.includes(event) ? values[names.indexOf(event)] : undefined);
  const ir = of("Ir");
  if (ir === undefined || !Number.isFinite(ir)) throw new Error(`${file}: no instruction count on a summary line`);
  const [read, write] = [of("DLmr"), of("DLmw")];
  if (misses && (read === undefined || write === undefined)) throw new Error(`${file}: no last-level misses (DLmr, DLmw) on its events line, though --misses asked for them`);
  return { Ir: ir, DLmr: read, DLmw: write };
}

/** The JIT code's names from node's perf map of the process that wrote `file` (the map is then removed). */
function jitMap(file: string): PerfEntry[] {
  const pid = /^pid: (\d+)/m.exec(fs.readFileSync(file, "utf8").slice(0, 4096))?.[1];
  const mapFile = `/tmp/perf-${pid}.map`;
  if (!fs.existsSync(mapFile)) return [];
  const jit = fs.readFileSync(mapFile, "utf8").split("\n").filter((l) => l !== "").map(perfEntry);
  fs.rmSync(mapFile);
  return jit;
}

function annotate(file: string, args: string[]): string {
  const r = spawnSync("callgrind_annotate", [...args, file], { encoding: "utf8", maxBuffer: 512 << 20 });
  if (r.status !== 0) throw new Error(`callgrind_annotate ${file} failed: ${r.error?.message ?? r.stderr.slice(-500)}`);
  return r.stdout;
}

/** The file's own instructions (read misses with --misses) by function (callgrind_annotate), JIT code named from node's perf map. */
function functions(file: string, jit: readonly PerfEntry[]): Map<string, number> {
  const shown = misses ? ["--show=DLmr", "--sort=DLmr"] : [];
  const byName = new Map<string, number>();
  for (const line of annotate(file, ["--inclusive=no", "--threshold=100", ...shown]).split("\n")) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m || m[2]!.startsWith("PROGRAM TOTALS")) continue;
    const address = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(m[2]!)?.[1];
    const name = address === undefined ? m[2]!.replace(/\(.*$/, "").slice(0, 100) : named(jit, parseInt(address, 16));
    byName.set(name, (byName.get(name) ?? 0) + Number(m[1]!.replaceAll(",", "")));
  }
  return byName;
}

/**
 * V8's generic property access: the IC builtins that optimized code calls when TurboFan could not
 * compile an access inline (too many shapes or kinds met, a key it cannot foresee), through their
 * trampolines (an access in the function's own body) or directly (one in a function inlined into
 * it). Their baseline forms are left out: unoptimized code always calls them.
 */
const GENERIC = /^Builtins_(\w*IC(Trampoline)?(_Megamorphic)?|CloneObjectIC\w*)$/;

/**
 * Which optimized functions call V8's generic access code, how often, and what those calls cost
 * (callgrind_annotate's callers tree: each function's block lists its callers above it). A load
 * that met a frozen and an ordinary list was one such call on every request (thirty-eighth session).
 */
function genericCalls(file: string, jit: readonly PerfEntry[]): GenericCall[] {
  const out = new Map<string, GenericCall>();
  for (const block of annotate(file, ["--tree=caller", "--inclusive=no", "--threshold=100"]).split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const own = lines.map((l) => /^\s*[\d,]+ \([^)]*\)\s+\*\s+\?\?\?:(\S+)/.exec(l)?.[1]).find((x) => x !== undefined);
    if (own === undefined || !GENERIC.test(own) || /Baseline/.test(own)) continue;
    for (const line of lines) {
      const m = /^\s*([\d,]+) \([^)]*\)\s+<\s+\?\?\?:0x([0-9a-f]+) \(([\d,]+)x\)/.exec(line);
      if (!m) continue;
      const caller = named(jit, parseInt(m[2]!, 16));
      // Optimized code (`*`), and JIT code the map has no name for, which is counted, not hidden.
      if (!caller.startsWith("JS:*") && caller !== NOT_IN_MAP) continue;
      const key = `${own} ${caller}`;
      const g = out.get(key) ?? { builtin: own.slice("Builtins_".length), caller, calls: 0, instructions: 0 };
      g.calls += Number(m[3]!.replaceAll(",", ""));
      g.instructions += Number(m[1]!.replaceAll(",", ""));
      out.set(key, g);
    }
  }
  return [...out.values()].sort((x, y) => y.instructions - x.instructions);
}

interface PerfEntry {
  start: number;
  end: number;
  name: string;
}

function perfEntry(line: string): PerfEntry {
  const [start = "0", size = "0", ...name] = line.split(" ");
  const s = parseInt(start, 16);
  return { start: s, end: s + parseInt(size, 16), name: name.join(" ").replace(/file:\/\/\S*\//, "") };
}

const NOT_IN_MAP = "(JIT code not in the map)";

/** The map's last entry that holds `address` (V8 may have given a dropped function's addresses to another). */
function named(jit: readonly PerfEntry[], address: number): string {
  for (let i = jit.length - 1; i >= 0; i--) if (address >= jit[i]!.start && address < jit[i]!.end) return jit[i]!.name;
  return NOT_IN_MAP;
}

const giga = (n: number): string => `${(n / 1e9).toFixed(3)}G`;
const mega = (n: number): string => `${(n / 1e6).toFixed(1)}M`.padStart(9);
const kilo = (n: number): string => `${(n / 1e3).toFixed(1)}k`;

/** The main thread's last-level misses, when --misses counted them. */
function missText(c: Pick<Count, "readMisses" | "writeMisses">): string {
  if (!misses || c.readMisses === undefined || c.writeMisses === undefined) return "";
  return `, last-level misses ${kilo(c.readMisses)} read and ${kilo(c.writeMisses)} write`;
}

function printFunctions(title: string, rows: [string, number][], top: number): void {
  process.stdout.write(`${title}\n`);
  for (const [name, n] of rows.slice(0, top)) process.stdout.write(`${(misses ? kilo(n) : mega(n)).padStart(9)}  ${name}\n`);
}

const { runs, top, misses, a, b } = parseArgs(process.argv.slice(2));
for (const command of [a, b]) {
  if (command !== null && path.basename(command[0]!) !== "node") {
    process.stderr.write(`note: "${command[0]}" is not node: its count is not made repeatable (and only its own process is counted)\n`);
  }
}
const results: Record<"A" | "B", Count[]> = { A: [], B: [] };
for (let i = 0; i < runs; i++) {
  for (const [name, command] of [["A", a], ["B", b]] as const) {
    if (command === null) continue;
    const c = count(command, false);
    results[name].push(c);
    process.stdout.write(`${name} run ${i + 1}: main thread ${giga(c.main)}${missText(c)}, all threads ${giga(c.all)}\n`);
  }
}
const med = (name: "A" | "B", key: "main" | "all" | "readMisses" | "writeMisses"): number => median(results[name].map((c) => c[key] ?? Number.NaN));
for (const name of b === null ? (["A"] as const) : (["A", "B"] as const)) {
  const spread = results[name].map((c) => c.main);
  const missed = missText({ readMisses: med(name, "readMisses"), writeMisses: med(name, "writeMisses") });
  process.stdout.write(`${name}: main thread ${giga(med(name, "main"))} (${giga(Math.min(...spread))}-${giga(Math.max(...spread))})${missed}, all threads ${giga(med(name, "all"))}\n`);
}
if (b !== null) {
  const ratio = (key: "main" | "all" | "readMisses" | "writeMisses"): string => (med("B", key) / med("A", key)).toFixed(4);
  const missRatios = misses ? `, last-level read misses ${ratio("readMisses")}, write misses ${ratio("writeMisses")}` : "";
  process.stdout.write(`B/A: main thread ${ratio("main")}${missRatios}, all threads ${ratio("all")}\n`);
}
// By function: one more run of each, with the map (its writing is not in the counts above).
const withMapOf = (command: string[] | null): Count | undefined => (top > 0 && command !== null && path.basename(command[0]!) === "node" ? count(command, true) : undefined);
const [withMapA, withMapB] = [withMapOf(a), withMapOf(b)];
const byA = withMapA?.functions;
const byB = withMapB?.functions;
const what = misses ? "last-level read misses" : "instructions";
if (byA) printFunctions(`A: the main thread's own ${what} by function (one more run, with the map)`, [...byA].sort((x, y) => y[1] - x[1]), top);
if (byA && byB) {
  const names = new Set([...byA.keys(), ...byB.keys()]);
  const diff = [...names].map((n): [string, number] => [n, (byB.get(n) ?? 0) - (byA.get(n) ?? 0)]);
  printFunctions(`B - A of ${what} by function (a function inlined differently moves its count to its caller)`, diff.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])), top);
}
for (const [name, c] of [["A", withMapA], ["B", withMapB]] as const) {
  if (!c?.generic) continue;
  process.stdout.write(`${name}: optimized functions' calls into V8's generic property access (calls, instructions in those calls)\n`);
  for (const g of c.generic.slice(0, top)) process.stdout.write(`${String(g.calls).padStart(10)}x ${mega(g.instructions)}  ${g.builtin} <- ${g.caller}\n`);
}
