// Counts the instructions a command's main thread executes, under valgrind's callgrind, for
// changes too small for wall time on these machines: farm-bench's median of 15 alternating pairs
// of the ordinary M/M/1 spreads by 2-3% between a build and itself, and batches of pairs by 5-10%,
// while a count repeats to 0.1%. A count is not a time: it does not see cache misses, collections'
// waits or a second core's contention, so a change it favours is still timed.
//
//   npx tsc -p tsconfig.bench.json    (`npm run bench` compiles it as well)
//   node dist-bench/bench/instructions.js [--runs N] [--vs 'B command'] -- A command...
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
// run, whatever else the machine does.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { median } from "./harness.js";

const REPEATABLE = ["--single-threaded", "--hash-seed=1", "--random-seed=1"];

interface Count {
  main: number;
  all: number;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: node dist-bench/bench/instructions.js [--runs N] [--vs 'B command'] -- A command...\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { runs: number; a: string[]; b: string[] | null } {
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) usage("no command after --");
  const opts = argv.slice(0, dash);
  let runs = 3;
  let vs: string | null = null;
  for (let i = 0; i < opts.length; i += 2) {
    if (opts[i] === "--runs") {
      if (!/^[1-9]\d*$/.test(opts[i + 1] ?? "")) usage(`bad value for --runs: ${opts[i + 1] ?? "none"}`);
      runs = Number(opts[i + 1]);
    } else if (opts[i] === "--vs") {
      if (!opts[i + 1]?.trim()) usage("bad value for --vs: an empty command");
      vs = opts[i + 1]!;
    } else usage(`unknown option ${opts[i]}`);
  }
  return { runs, a: argv.slice(dash + 1), b: vs === null ? null : vs.split(/\s+/).filter((w) => w !== "") };
}

/** Instructions of the main thread and of all threads in one run of `command`. */
function count(command: string[]): Count {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-instructions-"));
  try {
    const out = path.join(dir, "callgrind.out");
    const run = path.basename(command[0]!) === "node" ? [command[0]!, ...REPEATABLE, ...command.slice(1)] : command;
    const args = ["-q", "--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${out}`, "--smc-check=all-non-file", ...run];
    const r = spawnSync("valgrind", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`cannot run valgrind (${r.error.message}); apt-get install valgrind`);
    if (r.status !== 0) throw new Error(`${command.join(" ")} ${r.signal ? `was killed by ${r.signal}` : `exited with ${r.status}`} under valgrind:\n${r.stderr.slice(-2000)}`);
    // One file per thread, by valgrind's thread id: 1 is the process's first (main) thread; later
    // ids are slots that threads which have ended leave to new ones.
    const files = fs.readdirSync(dir).filter((f) => /^callgrind\.out-\d+$/.test(f));
    if (!files.includes("callgrind.out-01")) throw new Error("callgrind wrote no file for the main thread (callgrind.out-01)");
    const perThread = files.map((f) => summary(path.join(dir, f)));
    return { main: summary(path.join(dir, "callgrind.out-01")), all: perThread.reduce((s, n) => s + n, 0) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function summary(file: string): number {
  const line = fs.readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("summary:"));
  const n = line === undefined ? Number.NaN : Number(line.slice("summary:".length).trim().split(/\s+/)[0]);
  if (!Number.isFinite(n)) throw new Error(`${file}: no instruction count on a summary line`);
  return n;
}

const giga = (n: number): string => `${(n / 1e9).toFixed(3)}G`;

const { runs, a, b } = parseArgs(process.argv.slice(2));
for (const command of [a, b]) {
  if (command !== null && path.basename(command[0]!) !== "node") {
    process.stderr.write(`note: "${command[0]}" is not node: its count is not made repeatable (and only its own process is counted)\n`);
  }
}
const results: Record<"A" | "B", Count[]> = { A: [], B: [] };
for (let i = 0; i < runs; i++) {
  for (const [name, command] of [["A", a], ["B", b]] as const) {
    if (command === null) continue;
    const c = count(command);
    results[name].push(c);
    process.stdout.write(`${name} run ${i + 1}: main thread ${giga(c.main)}, all threads ${giga(c.all)}\n`);
  }
}
const med = (name: "A" | "B", key: keyof Count): number => median(results[name].map((c) => c[key]));
for (const name of b === null ? (["A"] as const) : (["A", "B"] as const)) {
  const spread = results[name].map((c) => c.main);
  process.stdout.write(`${name}: main thread ${giga(med(name, "main"))} (${giga(Math.min(...spread))}-${giga(Math.max(...spread))}), all threads ${giga(med(name, "all"))}\n`);
}
if (b !== null) {
  process.stdout.write(`B/A: main thread ${(med("B", "main") / med("A", "main")).toFixed(4)}, all threads ${(med("B", "all") / med("A", "all")).toFixed(4)}\n`);
}
