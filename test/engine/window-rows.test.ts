// A run that writes its files keeps none of timeseries.csv's and networks.csv's rows in memory
// (its memory must not grow with its length, as nodes.csv's rows do not): the summary folds what
// it reads of them (each service's last row and whether one had every desired task running, each
// network's peak addresses and bytes) as windows close, and says what the kept rows would say.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Run } from "../../src/engine/run.js";
import { loadScenarioFile } from "../../src/scenario/index.js";
import type { OutputDir } from "../../src/metrics/output.js";
import { NETWORK_COLUMNS, TIMESERIES_COLUMNS } from "../../src/metrics/rows.js";
import { ROOT } from "../cli/cli.js";
import { runScenario } from "../helpers.js";

const FILE = path.join(ROOT, "scenarios/overlay-exhaustion.yaml");

/** An output directory that keeps what the run streams to each file. */
function fakeOut() {
  const rows = new Map<string, object[]>();
  const out = {
    lineWriter: () => ({ writeJson: () => undefined, putAscii: () => undefined, putInt: () => undefined, putBytes: () => undefined, close: () => undefined }),
    csvWriter: (name: string) => (given: readonly object[]) => void rows.set(name, [...(rows.get(name) ?? []), ...given]),
    writeCsv: () => undefined,
    writeJson: () => undefined,
  } as unknown as OutputDir;
  return { out, rows };
}

describe("a run with output files", () => {
  it("streams its window rows without keeping them, and its summary is the one the kept rows give", () => {
    const { out, rows } = fakeOut();
    const run = new Run(loadScenarioFile(FILE), { out });
    while (!run.advance(2_000_000));
    const streamed = run.finish().summary;
    expect(run.world.recorder.timeseries).toHaveLength(0);
    expect(run.world.recorder.networks).toHaveLength(0);
    const kept = runScenario(loadScenarioFile(FILE));
    expect(kept.timeseries.length).toBeGreaterThan(10);
    // Streamed as their cells in the files' column order (rows.ts timeseriesCells, networkCells).
    expect(rows.get("timeseries.csv")).toEqual(kept.timeseries.map((r) => TIMESERIES_COLUMNS.map((c) => r[c])));
    expect(rows.get("networks.csv")).toEqual(kept.run.world.recorder.networks.map((r) => NETWORK_COLUMNS.map((c) => r[c])));
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(kept.summary)); // the kernel's event count included
    // And what the summary read of the rows themselves (both runs fold the same way: the rows are the check).
    for (const [name, s] of Object.entries(streamed.services)) {
      const rows = kept.timeseries.filter((r) => r.service === name);
      expect([s.tasks_desired, s.tasks_running, s.tasks_pending]).toEqual([rows.at(-1)!.tasks_desired, rows.at(-1)!.tasks_running, rows.at(-1)!.tasks_pending]);
      expect(s.desired_reached).toBe(rows.some((r) => r.tasks_running >= r.tasks_desired));
    }
    for (const [name, n] of Object.entries(streamed.networks)) {
      const rows = kept.run.world.recorder.networks.filter((r) => r.network === name);
      expect(n.addresses_peak).toBe(Math.max(0, ...rows.map((r) => r.addresses_used)));
      expect(n.bytes).toBe(rows.reduce((sum, r) => sum + r.bytes, 0));
    }
    // The scenario's overlay fills: a peak below the usable addresses would say nothing.
    expect(Object.values(streamed.networks).some((n) => n.addresses_peak > 0 && n.allocation_failures > 0)).toBe(true);
  });
});
