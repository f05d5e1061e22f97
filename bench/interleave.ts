// Two builds' steady state compared in one process, for changes of a tenth or less of it that
// whole processes cannot show on these machines: the 20-minute 20,001-worker scale shape's
// deployment alone took 15 to 21 s between runs of one build (forty-second session).
//
//   npx tsc -p tsconfig.bench.json    (`npm run bench` compiles it as well)
//   node dist-bench/bench/interleave.js [--workers N] [--slice S] [--slices K] DIST_A DIST_B
//
// DIST_A and DIST_B are two builds' dist folders (a copy of one, say, and the working tree's
// dist). Each build's own modules deploy the scale shape (scale.ts, zone a failing only after
// the measured time) without output files or live checks; then the two worlds are advanced in
// alternating slices of S simulated seconds (10), K of them (40), which build goes first
// alternating too. The machine's speed drifts over minutes, not over a slice, so the ratio of a
// slice's two times is fair, and the median of the K ratios is the estimate. The world deployed
// second ran 0-18% slower whichever build it was, so the two orders run in two processes, one
// after the other, and the estimate is the geometric mean of both (B/A, and the inverse of the
// swapped run's A/B). The simulations must count the same events, or the builds differ in what
// they compute and the comparison says so.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, NO_EVENT_LOG } from "./harness.js";
import { scaleArgs } from "./scale.js";

interface Order {
  first: string;
  second: string;
  /** The median of the slices' ratios, second / first. */
  ratio: number;
  firstMs: number;
  secondMs: number;
  events: [number, number];
}

interface Options {
  workers: number;
  sliceS: number;
  slices: number;
  dists: [string, string];
}

function options(argv: readonly string[]): Options {
  const o: Options = { workers: 20_001, sliceS: 10, slices: 40, dists: ["", ""] };
  const dists: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--workers") o.workers = Number(argv[++i]);
    else if (a === "--slice") o.sliceS = Number(argv[++i]);
    else if (a === "--slices") o.slices = Number(argv[++i]);
    else dists.push(path.resolve(a));
  }
  if (dists.length !== 2 || !(o.workers > 0 && o.sliceS > 0 && o.slices > 0)) {
    throw new Error("usage: interleave.js [--workers N] [--slice S] [--slices K] DIST_A DIST_B");
  }
  o.dists = [dists[0]!, dists[1]!];
  return o;
}

/** A build's world, deployed: its Run, from the build's own modules. */
async function deployed(dist: string, o: Options): Promise<any> {
  const { loadScenarioFile } = await import(pathToFileURL(path.join(dist, "scenario/load.js")).href);
  const { Run } = await import(pathToFileURL(path.join(dist, "engine/run.js")).href);
  // Zone a fails after the measured time: the slices are the steady state.
  const measuredS = o.sliceS * o.slices;
  const sets = scaleArgs(o.workers, `${measuredS + 120}s`, `${measuredS + 60}s`).filter((a) => a !== "--set");
  const run = new Run(loadScenarioFile("bench/scenarios/scale.yaml", sets), { out: null, checks: false, nodeRows: false, windowRows: false, events: NO_EVENT_LOG });
  while (run.deploying) run.advance(200_000);
  return run;
}

/** One order, in this process: the slices' times and the median of their ratios. */
async function child(o: Options): Promise<Order> {
  const runs = [await deployed(o.dists[0], o), await deployed(o.dists[1], o)];
  const ms: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let k = 1; k <= o.slices; k++) {
    const t: [number, number] = [0, 0];
    for (const w of k % 2 === 1 ? [0, 1] : [1, 0]) {
      const world = runs[w].world;
      const start = process.hrtime.bigint();
      world.sim.run({ untilUs: world.originUs + k * o.sliceS * 1e6, maxEvents: Number.MAX_SAFE_INTEGER });
      t[w] = Number(process.hrtime.bigint() - start) / 1e6;
    }
    ms[0].push(t[0]);
    ms[1].push(t[1]);
    ratios.push(t[1] / t[0]);
  }
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return { first: o.dists[0], second: o.dists[1], ratio: median(ratios), firstMs: sum(ms[0]), secondMs: sum(ms[1]), events: [runs[0].world.sim.eventsProcessed, runs[1].world.sim.eventsProcessed] };
}

/** Runs one order in a process of its own (its two worlds take twice one world's memory). */
function order(o: Options, first: string, second: string): Order {
  const args = ["--workers", String(o.workers), "--slice", String(o.sliceS), "--slices", String(o.slices), first, second];
  const r = spawnSync(process.execPath, ["--max-old-space-size=8000", fileURLToPath(import.meta.url), "--child", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`interleave: the run of ${first} then ${second} exited with ${r.status}`);
  return JSON.parse(r.stdout) as Order;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    process.stdout.write(JSON.stringify(await child(options(argv.slice(1)))));
    return;
  }
  const o = options(argv);
  const [a, b] = o.dists;
  const ab = order(o, a, b);
  const ba = order(o, b, a);
  for (const r of [ab, ba]) {
    console.log(`${r.first} deployed first, then ${r.second}: slices ${r.firstMs.toFixed(0)} ms and ${r.secondMs.toFixed(0)} ms; second / first, median of ${o.slices} slices: ${r.ratio.toFixed(3)}`);
    if (r.events[0] !== r.events[1]) console.log(`  the two simulations counted ${r.events[0]} and ${r.events[1]} events: they do not compute the same run`);
  }
  console.log(`B / A: ${Math.sqrt(ab.ratio / ba.ratio).toFixed(3)} (geometric mean of both orders; the deployed-second world's own slowdown: ${Math.sqrt(ab.ratio * ba.ratio).toFixed(3)})`);
}

await main();
