// The cost guard announces a run estimated past 30 s, and tells `orchsim run`, whose young
// generation only node's flags can size, about NODE_OPTIONS (a sweep's threads size their own).
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkCost, YOUNG_GENERATION_TIP } from "../../src/cli/cost-guard.js";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { ROOT } from "./cli.js";

/** The scale benchmark's cluster at 20,001 workers for an hour: minutes of work. */
function bigRun() {
  const sets = ["duration=1h", "cluster.nodeGroups.a.count=6667", "cluster.nodeGroups.b.count=6667", "cluster.nodeGroups.c.count=6667"];
  return loadScenarioFile(path.join(ROOT, "bench/scenarios/scale.yaml"), sets);
}

function announced(run: () => void): string {
  let text = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return text;
}

describe("the cost guard's announcement", () => {
  afterEach(() => vi.restoreAllMocks());

  it("says how long a big run will take, and for orchsim run how node's young generation can make it faster", () => {
    const scenario = bigRun();
    const run = announced(() => expect(checkCost(scenario, 0, 1, false, true)).toBe(null));
    expect(run).toMatch(/^orchsim: an estimated \d+ million events, .* at \d+k events\/s/);
    expect(run).toContain(YOUNG_GENERATION_TIP);
    const sweep = announced(() => expect(checkCost(scenario, 0, 4, false)).toBe(null));
    expect(sweep).toMatch(/^orchsim: an estimated \d+ million events/);
    expect(sweep).not.toContain("max-semi-space-size");
    expect(announced(() => checkCost(scenario, 0, 1, true, true))).toBe("");
  });

  it("says nothing of a short run", () => {
    const scenario = loadScenarioFile(path.join(ROOT, "scenarios/hello-cluster.yaml"));
    expect(announced(() => checkCost(scenario, 0, 1, false, true))).toBe("");
  });
});
