// The end a fault schedules is logged when it comes (engine/injections.ts): a nodeFailure's
// recoverAfter and a killed manager's restartAfter as a partition's heal always was, a `heal`
// line naming what came back. Before the thirty-seventh session only partitions had one, and a
// node's return could be read only from the managers' READY, seconds later. And a node removed
// while a failure has it down stays removed: removeNodes did nothing to a down node, silently,
// and its recoverAfter brought it back READY.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, scenarioYaml, THREE_WORKERS_API } from "../helpers.js";

const base = scenarioYaml({ name: "heals", duration: "40s", interval: "5s" }, THREE_WORKERS_API);

const heals = (r: ReturnType<typeof runYaml>): string[] => eventsOf(r.events, "heal").map((e) => `${e["t_s"]} ${e["fault"]} ${e["target"]}`);

describe("a fault's end has its line in events.jsonl", () => {
  it("a nodeFailure's recoverAfter: one line for the nodes it took down, when they are back up", () => {
    const r = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1]}}, {at: 6s, nodeFailure: {nodes: [web-1, web-2], recoverAfter: 4s}}]"]);
    // web-1 was down already: the second failure took only web-2 down, and only web-2 comes back.
    expect(heals(r)).toEqual(["10 nodeFailure web-2"]);
    expect(eventsOf(r.events, "heal")[0]!["after_s"]).toBe(4); // since the fault it ends struck
    expect(r.run.world.hostByName.get("web-2")!.up).toBe(true);
    expect(r.run.world.hostByName.get("web-1")!.up).toBe(false);
  });

  it("a failure that took nothing down has no end to log", () => {
    const r = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1]}}, {at: 6s, nodeFailure: {nodes: [web-1], recoverAfter: 4s}}]"]);
    expect(heals(r)).toEqual([]);
  });

  it("a nodeFailure without recoverAfter stays down and logs no end", () => {
    const r = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1, web-2]}}]"]);
    expect(heals(r)).toEqual([]);
  });

  it("a killed leader's and a killed manager's restartAfter: the manager restarted", () => {
    const r = runYaml(base, ["events=[{at: 5s, killLeader: {restartAfter: 10s}}, {at: 8s, killManager: {manager: manager-3, restartAfter: 4s}}]"]);
    const killed = eventsOf(r.events, "fault", { fault: "killLeader" })[0]!["target"];
    expect(killed).toBe("manager-1");
    expect(heals(r)).toEqual(["12 killManager manager-3", "15 killLeader manager-1"]);
  });

  it("an end at the instant a fault begins is logged first, as it strikes first", () => {
    const r = runYaml(base, ["events=[{at: 6s, nodeFailure: {nodes: [web-1], recoverAfter: 4s}}, {at: 10s, killManager: {manager: manager-2}}]"]);
    const at10 = r.events.filter((e) => e["t_s"] === 10 && (e["kind"] === "heal" || e["kind"] === "fault")).map((e) => `${e["kind"]} ${e["target"]}`);
    expect(at10).toEqual(["heal web-1", "fault manager-2"]);
  });

  it("a node removed while down is removed (status removed, no more nodes.csv rows) and its recoverAfter does not bring it back", () => {
    const r = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1, web-2], recoverAfter: 20s}}, {at: 10s, removeNodes: {nodes: [web-1]}}]"]);
    expect(eventsOf(r.events, "node", { node: "web-1", status: "removed" })).toHaveLength(1);
    expect(eventsOf(r.events, "node", { node: "web-1", status: "ready" }).filter((e) => (e["t_s"] as number) > 0)).toEqual([]);
    expect(r.run.world.hostByName.get("web-1")!.up).toBe(false);
    expect(heals(r)).toEqual(["25 nodeFailure web-2"]);
    expect(r.nodes.filter((n) => n.node === "web-1" && n.t_s > 10)).toEqual([]);
    expect(r.nodes.filter((n) => n.node === "web-2" && n.t_s > 30).length).toBeGreaterThan(0);
    expect(r.summary.notes.filter((n) => n.includes("removeNodes"))).toEqual([]);
  });

  it("nodes removed while down are left out of their failure's end, the last of the batch included; all of them removed, no end", () => {
    const last = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1, web-2], recoverAfter: 20s}}, {at: 10s, removeNodes: {nodes: [web-2]}}]"]);
    expect(heals(last)).toEqual(["25 nodeFailure web-1"]);
    const all = runYaml(base, ["events=[{at: 5s, nodeFailure: {nodes: [web-1, web-2], recoverAfter: 20s}}, {at: 10s, removeNodes: {nodes: [web-1, web-2]}}]"]);
    expect(heals(all)).toEqual([]);
  });

  it("a removeNodes without a leader removes nothing: the node a failure has down comes back, as docker node rm fails", () => {
    const r = runYaml(base, ["events=[{at: 2s, killLeader: {}}, {at: 3s, killManager: {manager: manager-2}}, {at: 5s, nodeFailure: {nodes: [web-1], recoverAfter: 20s}}, {at: 10s, removeNodes: {nodes: [web-1]}}]"]);
    expect(eventsOf(r.events, "api", { call: "node rm" })).toHaveLength(1);
    expect(heals(r)).toEqual(["25 nodeFailure web-1"]);
    expect(r.run.world.hostByName.get("web-1")!.removed).toBe(false);
  });

  it("an end in the run's last instant is not logged: it strikes after the last window, and the run's notes say it never comes", () => {
    const r = runYaml(base, ["events=[{at: 10s, partition: {groups: [[web-1], [web-2, web-3]], duration: 30s}}, {at: 20s, nodeFailure: {nodes: [web-2], recoverAfter: 20s}}]"]);
    expect(heals(r)).toEqual([]);
    expect(r.summary.notes.filter((n) => /never (heals|come back) in the run/.test(n))).toHaveLength(2);
  });
});
