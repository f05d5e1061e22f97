// A node that addNodes brings in the middle of a window has had its cores only since it joined:
// its share of them is counted over that time (nodes.csv, and the terminal's CPU watch with it),
// and a stretch of high CPU starts no earlier than its join, in the run and in report.html.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { readRunFiles, reportData } from "../../src/report/data.js";
import { runScenario } from "../helpers.js";
import { orchsim, tempDir } from "../cli/cli.js";
import * as fs from "node:fs";
import * as path from "node:path";

// One core each; a global service whose task burns start-up CPU for far longer than the run, so
// the node that joins at 15 s is pinned from its task's start (about 50 ms later) to the end. The
// deployment waits for w-1's task to finish starting, so w-1 is idle by t = 0.
function scenario(duration: string): string {
  return `version: 1
name: joined-node-cpu
seed: 3
duration: ${duration}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups:
    - {name: w, count: 1, cpu: 1, memory: 4GiB}
services:
  - {name: burn, mode: global, startup: {cpu: 1000s}}
events:
  - {at: 15s, addNodes: {group: w, count: 1}}
`;
}

describe("a node that joins mid-window", () => {
  it("is pinned in its first row as in its later ones, not diluted by the time before it existed", () => {
    const o = runScenario(parseScenario(scenario("40s"), "joined-node-cpu.yaml"));
    const rows = o.nodes.filter((r) => r.node === "w-2");
    expect(rows.map((r) => r.t_s)).toEqual([20, 30, 40]);
    expect(rows[1]!.cpu_util).toBe(1);
    expect(rows[2]!.cpu_util).toBe(1);
    // Over the whole window [10 s, 20 s] it would read below 0.5 (it was busy less than 5 s).
    expect(rows[0]!.cpu_util).toBeGreaterThan(0.9);
    expect(rows[0]!.cpu_util).toBeLessThan(1);
  });

  it("has the managers' status in every row: none before it registered, ready from then on", () => {
    // It joins a hair before the 20 s window closes, so that window's row comes before its node
    // record exists; the rows after must still find the record (node-rows keeps records by host).
    const text = scenario("40s").replace("at: 15s, addNodes", "at: 19999ms, addNodes");
    const o = runScenario(parseScenario(text, "joined-node-cpu.yaml"));
    const rows = o.nodes.filter((r) => r.node === "w-2");
    expect(rows.map((r) => [r.t_s, r.status])).toEqual([
      [20, "down"],
      [30, "ready"],
      [40, "ready"],
    ]);
  });

  // Hot from 15 s: 55 s by 70 s is under the warning's minute, 75 s by 90 s is over it.
  it.each([
    ["70s", []],
    ["90s", ["warning: node w-2 stayed above 95% CPU for 75 s, its longest stretch (from t = 15 s to 90 s)"]],
  ])("is warned about only for its time above 95 percent, in the terminal and the report (a run of %s)", (duration, expected) => {
    const dir = tempDir();
    const file = path.join(dir, "joined.yaml");
    fs.writeFileSync(file, scenario(duration as string));
    const r = orchsim(["run", file, "--out", path.join(dir, "out")]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.includes("stayed above"))).toEqual(expected);
    const report = reportData(readRunFiles(path.join(dir, "out")));
    expect(report.warnings.filter((w) => w.includes("stayed above")).map((w) => `warning: ${w}`)).toEqual(expected);
  });
});
