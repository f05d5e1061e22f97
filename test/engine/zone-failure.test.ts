// `nodeFailure: {zones: [...]}`: a zone dies whole. It stands for every host in the zone when the
// failure strikes, so a sweep or a plan that varies a group's count fails the whole zone at each
// count, where a list of node names would fail the same few nodes.

import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, scenarioYaml, twoZonesYaml } from "../helpers.js";

const ZONES = twoZonesYaml({ managers: 3, heartbeat: "5s", crossZone: "1ms" }).replace("zones: [a]", "zones: [a, b, b]");

function zoneRun(events: string, overrides: string[] = []) {
  return runYaml(scenarioYaml({ duration: "2m" }, `${ZONES}events:\n${events}`), overrides);
}

describe("a zone failure", () => {
  it("takes down every host in the zone, workers then managers, and names them in the fault", () => {
    const out = zoneRun("  - {at: 30s, nodeFailure: {zones: [a]}}");
    expect(eventsOf(out.events, "fault", { fault: "nodeFailure" }).map((e) => e["target"])).toEqual(["a-1,a-2,manager-1"]);
    // The two managers left keep a quorum: the workers are marked DOWN; zone b's are not.
    for (const node of ["a-1", "a-2"]) expect(eventsOf(out.events, "node", { node, status: "down" })).toHaveLength(1);
    for (const node of ["b-1", "b-2"]) expect(eventsOf(out.events, "node", { node, status: "down" })).toHaveLength(0);
  });

  it("follows the group's count (--set), and takes nodes that addNodes brought before it", () => {
    const out = zoneRun("  - {at: 10s, addNodes: {group: b, count: 1}}\n  - {at: 30s, nodeFailure: {zones: [b]}}", ["cluster.nodeGroups.b.count=3"]);
    expect(eventsOf(out.events, "fault", { fault: "nodeFailure" }).map((e) => e["target"])).toEqual(["b-1,b-2,b-3,b-4,manager-2,manager-3"]);
  });

  it("says when removeNodes left the zone no host", () => {
    const out = zoneRun("  - {at: 10s, removeNodes: {nodes: [b-1, b-2]}}\n  - {at: 30s, nodeFailure: {zones: [b]}}", ["cluster.managers.zones=[a]"]);
    expect(eventsOf(out.events, "fault", { fault: "nodeFailure" }).map((e) => e["target"])).toEqual(["zone b (no host left)"]);
  });

  it("with nodes listed too, fails each host once, the listed ones first", () => {
    const out = zoneRun("  - {at: 30s, nodeFailure: {nodes: [b-1, a-2], zones: [a], recoverAfter: 20s}}");
    expect(eventsOf(out.events, "fault", { fault: "nodeFailure" }).map((e) => e["target"])).toEqual(["b-1,a-2,a-1,manager-1"]);
    // All of them come back after 20 s.
    for (const node of ["a-1", "a-2", "b-1"]) expect(eventsOf(out.events, "node", { node, status: "ready" }).some((e) => e["t_s"] > 50)).toBe(true);
  });
});
