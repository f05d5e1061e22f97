// Runs `orchsim run` on a bench scenario as a whole process (the real CLI, as a user runs it)
// and reads its perf.json and summary.json.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { wallNs } from "./harness.js";

export interface ProcessRun {
  wallS: number;
  /** perf.json's deploy_wall_s: the initial deployment's part of the process's run. */
  deployWallS: number;
  events: number;
  peakHeapBytes: number;
  peakRssBytes: number;
  /** perf.json's minor_page_faults: pages first touched (10-14 us each on the 2-core machines). */
  minorPageFaults: number;
  summary: Record<string, any>;
}

export function runScenarioProcess(scenario: string, extraArgs: string[] = []): ProcessRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-bench-"));
  const out = path.join(dir, "out");
  try {
    const start = wallNs();
    const r = spawnSync(process.execPath, ["dist/bin/main.js", "run", scenario, "--out", out, "--quiet", "--no-checks", ...extraArgs], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const wallS = (wallNs() - start) / 1e9;
    if (r.status !== 0) throw new Error(`orchsim run ${scenario} exited with ${r.status}`);
    const perf = JSON.parse(fs.readFileSync(path.join(out, "perf.json"), "utf8"));
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    return { wallS, deployWallS: perf.deploy_wall_s, events: summary.events, peakHeapBytes: perf.peak_heap_bytes, peakRssBytes: perf.peak_rss_bytes, minorPageFaults: perf.minor_page_faults, summary };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
