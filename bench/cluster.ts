// A 100-node cluster at 10,000 requests/s for a simulated hour (bench/scenarios/cluster-100.yaml),
// run as a whole `orchsim run` process: simulated requests per wall-second and peak memory, with
// the M/M/1 bare loop's requests/s measured in the same run as the baseline.
import type { BenchRow, Benchmark } from "./harness.js";
import { wallNs } from "./harness.js";
import { bareMm1 } from "./mm1.js";
import { runScenarioProcess } from "./whole-process.js";

const TARGET_REQUESTS_PER_S = 500_000;

export const clusterBenchmark: Benchmark = {
  name: "cluster",
  description: "100 nodes, 10,000 requests/s, 1 simulated hour, whole process",
  run(ctx) {
    const t0 = wallNs();
    bareMm1(2_000_000);
    const bare = 2_000_000 / ((wallNs() - t0) / 1e9);
    const r = runScenarioProcess("bench/scenarios/cluster-100.yaml");
    const requests = r.summary.services.web.arrivals as number;
    const perS = requests / r.wallS;
    ctx.log(`${requests} requests in ${r.wallS.toFixed(1)} s`);
    const rows: BenchRow[] = [
      { name: "bare M/M/1 loop (in process)", value: bare, unit: "requests/s" },
      {
        name: "cluster-100: simulated requests per wall-second",
        value: perS,
        unit: "requests/s",
        ratio: perS / bare,
        target: `>= ${TARGET_REQUESTS_PER_S.toLocaleString("en-US")}/s`,
        ok: perS >= TARGET_REQUESTS_PER_S,
      },
      { name: "cluster-100: wall time", value: r.wallS, unit: "s" },
      { name: "cluster-100: events", value: r.events, unit: "" },
      { name: "cluster-100: peak heap", value: r.peakHeapBytes / 2 ** 20, unit: "MiB" },
    ];
    return rows;
  },
};
