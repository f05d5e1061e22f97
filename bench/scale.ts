// The same cluster shape at growing sizes (bench/scenarios/scale.yaml: ten tasks per worker, light
// traffic through the routing mesh, zone a failing mid-run), each as a whole `orchsim run`
// process: events/s, wall time and peak RSS, and events/s as a ratio to the smallest size's.
// Sizes are total workers; ORCHSIM_SCALE_SIZES="100,1000,10000,20000" runs the big ones (the
// default stays within a few minutes on the 2-core machines).
import type { BenchRow, Benchmark } from "./harness.js";
import { runScenarioProcess } from "./whole-process.js";

const DEFAULT_SIZES = [99, 999];
/** Per-event cost must not grow with the cluster: events/s at any size >= this x events/s at the smallest. */
const TARGET_RATIO = 0.7;

/** `--set` arguments for `workers` workers in three zones, ten one-task-per-worker services, zone a failing. */
export function scaleArgs(workers: number, duration = "10m"): string[] {
  const perZone = Math.max(1, Math.round(workers / 3));
  const total = perZone * 3;
  const args = ["--set", `duration=${duration}`, "--set", "events.0.at=5m"];
  for (const z of ["a", "b", "c"]) args.push("--set", `cluster.nodeGroups.${z}.count=${perZone}`);
  for (let i = 0; i < 10; i++) args.push("--set", `services.s${i}.replicas=${total}`);
  args.push("--set", `events.0.nodeFailure.nodes=[${Array.from({ length: perZone }, (_, i) => `a-${i + 1}`).join(",")}]`);
  return args;
}

export const scaleBenchmark: Benchmark = {
  name: "scale",
  description: "the same shape at growing sizes (ten tasks per worker, a zone failure), whole process",
  run(ctx) {
    const sizes = (process.env["ORCHSIM_SCALE_SIZES"]?.split(",").map(Number) ?? DEFAULT_SIZES).filter((n) => n > 0);
    const rows: BenchRow[] = [];
    let base = 0;
    for (const workers of sizes) {
      const r = runScenarioProcess("bench/scenarios/scale.yaml", scaleArgs(workers));
      const perS = r.events / r.wallS;
      base ||= perS;
      ctx.log(`${workers} workers: ${r.wallS.toFixed(1)} s, ${Math.round(perS)} events/s, ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
      const ratio = perS / base;
      rows.push(
        { name: `${workers} workers: wall time`, value: r.wallS, unit: "s" },
        { name: `${workers} workers: events/s`, value: perS, unit: "events/s", ratio, target: `ratio >= ${TARGET_RATIO}`, ok: ratio >= TARGET_RATIO },
        { name: `${workers} workers: peak RSS`, value: r.peakRssBytes / 2 ** 20, unit: "MiB" },
        { name: `${workers} workers: RSS per worker`, value: r.peakRssBytes / 1024 / workers, unit: "KiB" },
      );
    }
    return rows;
  },
};
