import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { fixedFailureNotes, ownStrategyNotes } from "../../src/cli/vary-notes.js";
import { runScenario } from "../helpers.js";

describe("a varied node count against a failure that names its nodes", () => {
  const named = loadScenarioFile("scenarios/zone-failure.yaml", ["events.0.nodeFailure={nodes: [a-1, a-2, a-3, manager-1], recoverAfter: 6m}"]);
  it("gets a note naming zones: for the group whose nodes the failure names", () => {
    expect(fixedFailureNotes(named, ["cluster.nodeGroups.a.count", "services.shop.replicas"])).toEqual([
      "the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is; to fail all of zone a at each value, its managers too, give it zones: [a]",
    ]);
  });

  it("does not advise zones: when the zone holds another group too: that would fail it as well (walkthrough: the whole cluster)", () => {
    const shared = loadScenarioFile("scenarios/zone-failure.yaml", ["cluster.nodeGroups.b.zone=a", "events.0.nodeFailure={nodes: [a-1, a-2, a-3], recoverAfter: 6m}"]);
    expect(fixedFailureNotes(shared, ["cluster.nodeGroups.a.count"])).toEqual([
      "the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is; zone a also holds node group b, so zones: [a] would fail it too: to fail all of a at each value, give a a zone of its own and the failure zones: [that zone]",
    ]);
  });

  it("advises zones: when the failure names the zone's other group whole too: zones: [z] fails what it fails now", () => {
    const both = loadScenarioFile("scenarios/zone-failure.yaml", ["cluster.nodeGroups.b.zone=a", "events.0.nodeFailure={nodes: [a-1, a-2, a-3, b-1, b-2, b-3], recoverAfter: 6m}"]);
    expect(fixedFailureNotes(both, ["cluster.nodeGroups.a.count"])).toEqual([
      "the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is; to fail all of zone a at each value, its managers too, give it zones: [a]",
    ]);
  });

  it("none for a failure of some of the group's nodes: it means those", () => {
    const one = loadScenarioFile("scenarios/zone-failure.yaml", ["events.0.nodeFailure={nodes: [a-1]}"]);
    expect(fixedFailureNotes(one, ["cluster.nodeGroups.a.count"])).toEqual([]);
  });

  it("none for another group, nor for a failure of the whole zone (the shipped scenario's)", () => {
    expect(fixedFailureNotes(named, ["cluster.nodeGroups.b.count"])).toEqual([]);
    expect(fixedFailureNotes(loadScenarioFile("scenarios/zone-failure.yaml"), ["cluster.nodeGroups.a.count"])).toEqual([]);
  });
});

describe("the note, as plan and sweep print it", () => {
  it("compares the named nodes with the group as the file has it, not as the varied value makes it", async () => {
    const { orchsim, tempDir } = await import("./cli.js");
    const dir = tempDir();
    const named = ["--set", "events.0.nodeFailure={nodes: [a-1, a-2, a-3, manager-1], recoverAfter: 6m}"];
    const plan = orchsim(["plan", "scenarios/zone-failure.yaml", ...named, "--minimize", "cluster.nodeGroups.a.count", "--range", "5..5", "--seeds", "1", "--out", `${dir}/p`]);
    expect(plan.stderr).toContain("orchsim: the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is;");
    const sweep = orchsim(["sweep", "scenarios/zone-failure.yaml", ...named, "--vary", "cluster.nodeGroups.a.count=4,5", "--seeds", "1", "--out", `${dir}/s`]);
    expect(sweep.stderr).toContain("orchsim: the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is;");
  });
});

describe("a varied cluster strategy where services name their own (walkthrough: three strategies, three equal rows, unexplained)", () => {
  it("names the services it does not place, or says it changes nothing when it places none", () => {
    const paths = ["cluster.scheduler.strategy"];
    const one = loadScenarioFile("scenarios/hello-cluster.yaml", ["services.web.strategy=spread"]);
    expect(ownStrategyNotes(one, paths)).toEqual([
      "cluster.scheduler.strategy is varied, but a service names its own strategy (services[].strategy), which it does not change: web (spread); it places only the others' tasks (theirs still move with where those go)",
    ]);
    const both = loadScenarioFile("scenarios/hello-cluster.yaml", ["services.web.strategy=spread", "services.api.strategy=binpack"]);
    expect(ownStrategyNotes(both, paths)).toEqual([
      "cluster.scheduler.strategy changes nothing here: every service names its own strategy (services[].strategy), which it does not change: web (spread), api (binpack)",
    ]);
    expect(ownStrategyNotes(both, ["services.web.replicas"])).toEqual([]);
    expect(ownStrategyNotes(loadScenarioFile("scenarios/hello-cluster.yaml"), paths)).toEqual([]);
  });

  it("is true: when every service names its own, their placements are the same under every cluster strategy", () => {
    const placed = (strategy: string, own = ["services.web.strategy=spread", "services.api.strategy=spread"]) => {
      const s = loadScenarioFile("scenarios/hello-cluster.yaml", [...own, `cluster.scheduler.strategy=${strategy}`, "duration=30s", "events=[]"]);
      return runScenario(s).events.filter((e) => e["kind"] === "task" && e["state"] === "assigned").map((e) => `${String(e["task"])}@${String(e["node"])}`);
    };
    expect(placed("binpack")).toEqual(placed("spread"));
    expect(placed("binpack", [])).not.toEqual(placed("spread", []));
  });
});
