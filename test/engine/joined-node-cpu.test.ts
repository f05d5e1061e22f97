// A node that addNodes brings in the middle of a window has had its cores only since it joined:
// its share of them is counted over that time (nodes.csv, and the terminal's CPU watch with it).
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { runScenario } from "../helpers.js";

// One core each; a global service whose task burns start-up CPU for far longer than the run, so
// the node that joins at 15 s is pinned from its task's start (about 50 ms later) to the end. The
// deployment waits for w-1's task to finish starting, so w-1 is idle by t = 0.
const SCENARIO = `version: 1
name: joined-node-cpu
seed: 3
duration: 40s
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups:
    - {name: w, count: 1, cpu: 1, memory: 4GiB}
services:
  - {name: burn, mode: global, startup: {cpu: 1000s}}
events:
  - {at: 15s, addNodes: {group: w, count: 1}}
`;

describe("a node that joins mid-window", () => {
  const o = runScenario(parseScenario(SCENARIO, "joined-node-cpu.yaml"));
  const rows = o.nodes.filter((r) => r.node === "w-2");

  it("is pinned in its first row as in its later ones, not diluted by the time before it existed", () => {
    expect(rows.map((r) => r.t_s)).toEqual([20, 30, 40]);
    expect(rows[1]!.cpu_util).toBe(1);
    expect(rows[2]!.cpu_util).toBe(1);
    // Over the whole window [10 s, 20 s] it would read below 0.5 (it was busy less than 5 s).
    expect(rows[0]!.cpu_util).toBeGreaterThan(0.9);
    expect(rows[0]!.cpu_util).toBeLessThan(1);
  });
});
