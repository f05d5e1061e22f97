// metrics.nodeInterval: nodes.csv every few windows, for clusters whose node rows would dwarf the
// rest (20,000 workers write 373 MB of them per simulated hour). A coarse row must say what the
// windows it covers say together, and nothing else in the outputs may change.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { ROOT } from "../cli/cli.js";
import { runScenario, type RunOutputs } from "../helpers.js";
import type { NodeRow } from "../../src/metrics/rows.js";

const FILE = path.join(ROOT, "scenarios/zone-failure.yaml");
// The zone dies at 3 min and its nodes go DOWN within the next half minute; 4m5s leaves a last
// stretch of 5 s, shorter than the node interval.
const BASE = ["duration=4m5s"];

function run(overrides: string[], quietSessions = true): RunOutputs {
  return runScenario(loadScenarioFile(FILE, [...BASE, ...overrides]), { quietSessions });
}

/** summary.json without `events`, the kernel's count (held heartbeats and node rows change it, not the outputs). */
function summaryOf(o: RunOutputs): string {
  // The overrides name the nodeInterval itself: what differs by construction.
  const { events: _kernelEvents, overrides: _overrides, ...summary } = o.summary;
  return JSON.stringify(summary);
}

/** What the terminal's CPU lines read: the peak and every hot stretch. */
function cpuWatch(o: RunOutputs): string {
  return JSON.stringify({ peak: o.run.world.recorder.cpu.peak, hot: o.run.world.recorder.cpu.hotNodes() });
}

function rowsAt(rows: readonly NodeRow[], tS: number): NodeRow[] {
  return rows.filter((r) => r.t_s === tS);
}

describe("metrics.nodeInterval", () => {
  let fine: RunOutputs;
  let coarse: RunOutputs;
  beforeAll(() => {
    fine = run([]);
    coarse = run(["metrics.nodeInterval=30s"]);
  }, 120_000);

  it("writes nodes.csv every 30 s and at the end, one row per node", () => {
    const times = [...new Set(coarse.nodes.map((r) => r.t_s))];
    expect(times).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 245]);
    const nodes = rowsAt(fine.nodes, 10).map((r) => r.node);
    for (const t of times) expect(rowsAt(coarse.nodes, t).map((r) => r.node)).toEqual(nodes);
  });

  it("leaves every other output as it was", () => {
    expect(summaryOf(coarse)).toBe(summaryOf(fine));
    expect(JSON.stringify(coarse.events)).toBe(JSON.stringify(fine.events));
    expect(JSON.stringify(coarse.timeseries)).toBe(JSON.stringify(fine.timeseries));
    expect(JSON.stringify(coarse.elections)).toBe(JSON.stringify(fine.elections));
    expect(JSON.stringify(coarse.run.world.recorder.networks)).toBe(JSON.stringify(fine.run.world.recorder.networks));
  });

  // A node pinned for 70 s is hot though its minutes average less: the warnings judge windows.
  it("leaves the terminal's CPU warnings and peak as every window's rows give them", () => {
    expect(cpuWatch(coarse)).toBe(cpuWatch(fine));
    // The peak is one window's: no coarse row, a mean over three windows, reaches it.
    expect(Math.max(...coarse.nodes.map((r) => r.cpu_util))).toBeLessThan(fine.run.world.recorder.cpu.peak!.cpu_util);
  });

  it("gives each row what the windows it covers give together", () => {
    let prev = 0;
    let checked = 0;
    for (const t of [...new Set(coarse.nodes.map((r) => r.t_s))]) {
      const windows = [...new Set(fine.nodes.filter((r) => r.t_s > prev && r.t_s <= t).map((r) => r.t_s))];
      for (const c of rowsAt(coarse.nodes, t)) {
        const parts = windows.map((w) => fine.nodes.find((r) => r.t_s === w && r.node === c.node)!);
        const last = parts[parts.length - 1]!;
        // The state at the row's end is the last window's.
        expect({ ...c, cpu_util: 0, net_tx_bytes: 0, net_rx_bytes: 0 }).toEqual({ ...last, cpu_util: 0, net_tx_bytes: 0, net_rx_bytes: 0 });
        // Traffic adds up (each row rounds its bytes, so up to half a byte per window apart).
        const tx = parts.reduce((n, p) => n + p.net_tx_bytes, 0);
        const rx = parts.reduce((n, p) => n + p.net_rx_bytes, 0);
        expect(Math.abs(c.net_tx_bytes - tx)).toBeLessThanOrEqual(parts.length / 2);
        expect(Math.abs(c.net_rx_bytes - rx)).toBeLessThanOrEqual(parts.length / 2);
        // CPU is the time-weighted mean of the windows' (each rounded to 4 digits).
        let busy = 0;
        let from = prev;
        for (const p of parts) {
          busy += p.cpu_util * (p.t_s - from);
          from = p.t_s;
        }
        expect(c.cpu_util).toBeCloseTo(busy / (t - prev), 3);
        if (c.cpu_util > 0 && c.net_tx_bytes > 0) checked++;
      }
      prev = t;
    }
    // Rows with traffic and load were compared, and the zone's nodes went DOWN in one of them.
    expect(checked).toBeGreaterThan(40);
    expect(coarse.nodes.some((r) => r.node === "a-1" && r.status === "down")).toBe(true);
  });

  // A sweep reads only summaries: its runs make no node rows, which it would otherwise hold in memory.
  it("without node rows (a sweep's runs), gives the same summary and terminal warnings and keeps no rows", () => {
    const none = runScenario(loadScenarioFile(FILE, BASE), { nodeRows: false });
    expect(none.nodes).toEqual([]);
    expect(summaryOf(none)).toBe(summaryOf(fine));
    expect(JSON.stringify(none.timeseries)).toBe(JSON.stringify(fine.timeseries));
    expect(cpuWatch(none)).toBe(cpuWatch(fine));
  });

  // Held heartbeats count their bytes when a node row needs them: now every third window.
  it("gives the same outputs with heartbeats held and sent", () => {
    const full = run(["metrics.nodeInterval=30s"], false);
    expect(JSON.stringify(coarse.nodes)).toBe(JSON.stringify(full.nodes));
    expect(JSON.stringify(coarse.timeseries)).toBe(JSON.stringify(full.timeseries));
  });
});
