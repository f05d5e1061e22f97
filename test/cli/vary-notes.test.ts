import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { fixedFailureNotes } from "../../src/cli/vary-notes.js";

describe("a varied node count against a failure that names its nodes", () => {
  const s = loadScenarioFile("scenarios/zone-failure.yaml");
  it("gets a note naming zones: for the group whose nodes the failure names", () => {
    expect(fixedFailureNotes(s, ["cluster.nodeGroups.a.count", "services.shop.replicas"])).toEqual([
      "the nodeFailure at 3m fails a-1, a-2, a-3 whatever cluster.nodeGroups.a.count is; to fail all of zone a at each value, give it zones: [a]",
    ]);
  });

  it("none for another group, nor for a failure of the whole zone", () => {
    expect(fixedFailureNotes(s, ["cluster.nodeGroups.b.count"])).toEqual([]);
    const zoned = loadScenarioFile("scenarios/zone-failure.yaml", ["events.0.nodeFailure.zones=[a]"]);
    expect(fixedFailureNotes(zoned, ["cluster.nodeGroups.a.count"])).toEqual([]);
  });
});
