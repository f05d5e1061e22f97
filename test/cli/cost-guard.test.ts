// The cost guard announces a run estimated past 30 s of work, and how long it will take.
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { announcePlan, checkCost } from "../../src/cli/cost-guard.js";
import { estimateCost, wallText } from "../../src/engine/cost.js";
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

  it("for a plan counts every value it may try, not one", () => {
    const scenario = bigRun();
    const per = 3 * estimateCost(scenario).wallS;
    expect(announced(() => announcePlan(scenario, 3, 5, false, 1))).toBe(`orchsim: up to 5 values of 3 seeds, each at most ${wallText(per)} (the range's top) on one core: at most ${wallText(5 * per)} in all\n`);
    expect(announced(() => announcePlan(scenario, 3, 5, true, 1))).toBe("");
  });

  it("says how long a big run will take, for a sweep all its runs, and nothing when quiet", () => {
    const scenario = bigRun();
    const wallS = estimateCost(scenario).wallS;
    const run = announced(() => expect(checkCost(scenario, 0, 1, false)).toBe(null));
    expect(run).toMatch(/^orchsim: an estimated \d+ million events, about \d+ (s|minutes) on one core\n$/);
    expect(run).toContain(`, ${wallText(wallS)} on one core`);
    const sweep = announced(() => expect(checkCost(scenario, 0, 4, false)).toBe(null));
    expect(sweep).toContain(`, ${wallText(4 * wallS)} on one core`);
    expect(wallText(4 * wallS)).not.toBe(wallText(wallS));
    const [one, four] = [run, sweep].map((t) => Number(/estimated (\d+) million/.exec(t)?.[1]));
    expect(Math.abs(four! / one! - 4)).toBeLessThan(0.1); // "N million", rounded
    expect(announced(() => checkCost(scenario, 0, 1, true))).toBe("");
    // On threads, no more of them than runs and cores.
    const threads = Math.min(4, availableParallelism());
    const shared = announced(() => checkCost(scenario, 0, 4, false, 8));
    expect(shared).toContain(threads === 1 ? `, ${wallText(4 * wallS)} on one core` : `, ${wallText((4 * wallS) / threads)} on ${threads} threads`);
  });

  it("refuses a run past --max-events with its events, its time, what costs most and the flag that allows it", () => {
    const scenario = bigRun();
    const est = estimateCost(scenario);
    const refusal = checkCost(scenario, 1e6, 2, false);
    expect(refusal).toContain(`scale.yaml: this would take an estimated ${(2 * est.events).toExponential(1).replace("e+", "e")} events (2 runs), ${wallText(2 * est.wallS)}; most of it from requests`);
    expect(refusal).toMatch(/The limit is 1\.0e6 events: make the run smaller, or allow it with --max-events \d\.\de7$/);
  });

  it("says nothing of a short run", () => {
    const scenario = loadScenarioFile(path.join(ROOT, "scenarios/hello-cluster.yaml"));
    expect(announced(() => checkCost(scenario, 0, 1, false))).toBe("");
  });
});
