// The same cluster shape at growing sizes (bench/scenarios/scale.yaml: ten tasks per worker, light
// traffic through the routing mesh, zone a failing mid-run), each as a whole `orchsim run`
// process: events/s, wall time and peak RSS, and events/s as a ratio to the smallest size's.
// Sizes are total workers; ORCHSIM_SCALE_SIZES="100,1000,10000,20000" runs the big ones (the
// default stays within a few minutes on the 2-core machines).
import { median, type BenchRow, type Benchmark } from "./harness.js";
import { runScenarioProcess } from "./whole-process.js";

const DEFAULT_SIZES = [99, 999];
/** Per-event cost must not grow with the cluster: events/s at any size >= this x events/s at the smallest. */
const TARGET_RATIO = 0.7;

/** `--set` arguments for `workers` workers in three zones, ten one-task-per-worker services, zone a failing at `failAt`. */
export function scaleArgs(workers: number, duration = "10m", failAt = "5m"): string[] {
  const perZone = Math.max(1, Math.round(workers / 3));
  const total = perZone * 3;
  const args = ["--set", `duration=${duration}`, "--set", `events.0.at=${failAt}`];
  for (const z of ["a", "b", "c"]) args.push("--set", `cluster.nodeGroups.${z}.count=${perZone}`);
  for (let i = 0; i < 10; i++) args.push("--set", `services.s${i}.replicas=${total}`);
  args.push("--set", `events.0.nodeFailure.nodes=[${Array.from({ length: perZone }, (_, i) => `a-${i + 1}`).join(",")}]`);
  return args;
}

/**
 * Rounds of every size in turn, the order reversed every other round (99, 999, 999, 99, 99, 999):
 * these machines' speed moves by a third within minutes, so one run of each put the same build
 * anywhere from 0.48 to 0.61. Each round's ratio is taken within the round, against its smallest
 * size, and the medians are reported. Big sizes run once unless ORCHSIM_SCALE_ROUNDS says otherwise.
 */
function rounds(sizes: readonly number[]): number {
  const asked = Number(process.env["ORCHSIM_SCALE_ROUNDS"]);
  if (Number.isInteger(asked) && asked > 0) return asked;
  return sizes.every((n) => n <= 1_000) ? 3 : 1;
}

interface SizeRuns {
  wallS: number[];
  perS: number[];
  ratio: number[];
  rss: number[];
}

export const scaleBenchmark: Benchmark = {
  name: "scale",
  description: "the same shape at growing sizes (ten tasks per worker, a zone failure), whole process, sizes in turn",
  run(ctx) {
    const listed = process.env["ORCHSIM_SCALE_SIZES"]?.split(",").map(Number) ?? DEFAULT_SIZES;
    const sizes = [...new Set(listed.filter((n) => Number.isInteger(n) && n > 0))].sort((a, b) => a - b);
    if (sizes.length === 0) throw new Error(`ORCHSIM_SCALE_SIZES names no size: "${process.env["ORCHSIM_SCALE_SIZES"]}"`);
    const runs = new Map<number, SizeRuns>(sizes.map((n) => [n, { wallS: [], perS: [], ratio: [], rss: [] }]));
    const n = rounds(sizes);
    for (let round = 1; round <= n; round++) {
      const perS = new Map<number, number>();
      for (const workers of round % 2 === 1 ? sizes : [...sizes].reverse()) {
        const r = runScenarioProcess("bench/scenarios/scale.yaml", scaleArgs(workers));
        const eventsPerS = r.events / r.wallS;
        const x = runs.get(workers)!;
        x.wallS.push(r.wallS);
        x.perS.push(eventsPerS);
        x.rss.push(r.peakRssBytes);
        perS.set(workers, eventsPerS);
        ctx.log(`round ${round}/${n}, ${workers} workers: ${r.wallS.toFixed(1)} s, ${Math.round(eventsPerS)} events/s, ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${r.minorPageFaults} page faults`);
      }
      const base = perS.get(sizes[0]!)!;
      for (const workers of sizes) runs.get(workers)!.ratio.push(perS.get(workers)! / base);
      ctx.log(`round ${round}/${n}: ${sizes.map((w) => `${w} workers ${(perS.get(w)! / base).toFixed(3)}`).join(", ")} of the smallest`);
    }
    const rows: BenchRow[] = [];
    for (const workers of sizes) {
      const x = runs.get(workers)!;
      const ratio = median(x.ratio);
      const rss = median(x.rss);
      rows.push(
        { name: `${workers} workers: wall time (median)`, value: median(x.wallS), unit: "s" },
        { name: `${workers} workers: events/s (median)`, value: median(x.perS), unit: "events/s", ratio, target: `ratio >= ${TARGET_RATIO}`, ok: ratio >= TARGET_RATIO },
        { name: `${workers} workers: peak RSS (median)`, value: rss / 2 ** 20, unit: "MiB" },
        { name: `${workers} workers: RSS per worker (median)`, value: rss / 1024 / workers, unit: "KiB" },
      );
    }
    return rows;
  },
};

/** The issue's hour: 20,001 workers (200,010 tasks), heartbeats, a zone failure and Raft, for a simulated hour. */
const HOUR_WORKERS = 20_001;
const HOUR_TARGET_WALL_S = 60;
const HOUR_TARGET_RSS_BYTES = 2 * 2 ** 30;

/**
 * The scale shape for a simulated hour at 20,001 workers, once, as a whole process: wall time
 * and peak RSS against the issue's targets. It takes a minute or two, and about 2 GB of memory;
 * ORCHSIM_HOUR_WORKERS runs another size (the targets stay those of 20,000 workers).
 */
export const hourBenchmark: Benchmark = {
  name: "hour",
  description: "the scale shape at 20,001 workers for a simulated hour, whole process, once",
  run(ctx) {
    const asked = Number(process.env["ORCHSIM_HOUR_WORKERS"]);
    const workers = Number.isInteger(asked) && asked > 0 ? asked : HOUR_WORKERS;
    const r = runScenarioProcess("bench/scenarios/scale.yaml", scaleArgs(workers, "1h"));
    ctx.log(`${workers} workers, 1 simulated hour: ${r.wallS.toFixed(1)} s, ${Math.round(r.events / r.wallS)} events/s, ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${r.minorPageFaults} page faults`);
    return [
      { name: `${workers} workers x 1 h: wall time`, value: r.wallS, unit: "s", target: `< ${HOUR_TARGET_WALL_S} s`, ok: r.wallS < HOUR_TARGET_WALL_S },
      { name: `${workers} workers x 1 h: peak RSS`, value: r.peakRssBytes / 2 ** 20, unit: "MiB", target: `< ${HOUR_TARGET_RSS_BYTES / 2 ** 30} GiB`, ok: r.peakRssBytes < HOUR_TARGET_RSS_BYTES },
      { name: `${workers} workers x 1 h: events/s`, value: r.events / r.wallS, unit: "events/s" },
      { name: `${workers} workers x 1 h: of which the deployment`, value: r.deployWallS, unit: "s" },
      // Each fault is memory touched for the first time: 10-14 us on the 2-core machines (bench/README.md).
      { name: `${workers} workers x 1 h: minor page faults`, value: r.minorPageFaults, unit: "faults" },
    ];
  },
};
