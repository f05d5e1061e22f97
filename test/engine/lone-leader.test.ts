// A lone manager stops ticking once it leads (RaftNode.alone): its ticks change nothing. These
// check that an idle single-manager cluster then costs no event per simulated second, and that a
// lone leader that crashes and comes back ticks again, campaigns and leads.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { runScenario, scenarioYaml } from "../helpers.js";

function lone(duration: string, events = ""): string {
  return scenarioYaml(
    { duration, interval: "1h" },
    `
cluster:
  managers: {count: 1}
  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 4GiB}]
services:
  - {name: s, replicas: 2}
${events}`,
  );
}

describe("a lone manager", () => {
  it("costs no event per simulated second once it leads: a day costs about what an hour does", () => {
    const hour = runScenario(parseScenario(lone("1h"), "lone.yaml"), { checks: false });
    const day = runScenario(parseScenario(lone("24h"), "lone.yaml"), { checks: false });
    // 23 more hours: 23 more windows and nothing per second (ticking, it was 82,800 more ticks).
    expect(day.summary.events - hour.summary.events).toBeLessThan(1_000);
  });

  it("back from a crash it campaigns at once (swarmkit's campaignWhenAble for the only member), wins and leads to the end", () => {
    const out = runScenario(parseScenario(lone("10m", "events:\n  - {at: 2m, killLeader: {restartAfter: 30s}}\n"), "lone.yaml"));
    expect(out.elections.length).toBe(2);
    const second = out.elections[1]!;
    expect(second.leader).toBe("manager-1");
    // Restarted at 150 s: elected within its disk write, not an election timeout (10-20 s) later.
    expect(second.elected_s).toBeGreaterThanOrEqual(150);
    expect(second.elected_s).toBeLessThan(150.1);
    expect(out.run.world.control.leader()?.name).toBe("manager-1");
  });
});
