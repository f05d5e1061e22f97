// The control plane at scale: an election storm (five managers, the leader killed every 5 s
// for a simulated day) and 1,000 workers heartbeating for a simulated hour, each run as a whole
// `orchsim run` process. events/s is compared with a bare fastpriorityqueue hold loop at 10,000
// pending events measured in the same run.
import type { BenchRow, Benchmark } from "./harness.js";
import { bareHoldEventsPerS } from "./kernel.js";
import { runScenarioProcess } from "./whole-process.js";

const SCENARIOS = [
  { file: "bench/scenarios/election-storm.yaml", label: "election storm, 1 simulated day" },
  { file: "bench/scenarios/heartbeats-1000.yaml", label: "1,000 workers heartbeating, 1 simulated hour" },
];

export const controlPlaneBenchmark: Benchmark = {
  name: "control-plane",
  description: "election storm and 1,000-worker heartbeats, whole process",
  run(ctx) {
    const bare = bareHoldEventsPerS(10_000);
    const rows: BenchRow[] = [{ name: "bare FPQ hold loop, 10k pending", value: bare, unit: "events/s" }];
    for (const s of SCENARIOS) {
      const r = runScenarioProcess(s.file);
      ctx.log(`${s.label}: ${r.wallS.toFixed(2)} s, ${r.summary.elections} elections`);
      const perS = r.events / r.wallS;
      rows.push(
        { name: `${s.label}: wall time`, value: r.wallS, unit: "s" },
        { name: `${s.label}: events/s`, value: perS, unit: "events/s", ratio: perS / bare },
        { name: `${s.label}: simulated s per wall s`, value: r.summary.duration_s / r.wallS, unit: "x" },
        { name: `${s.label}: peak heap`, value: r.peakHeapBytes / 2 ** 20, unit: "MiB" },
      );
      if (s.file.includes("election")) rows.push({ name: `${s.label}: elections`, value: r.summary.elections, unit: "" });
    }
    return rows;
  },
};
