// Faults that share a microsecond: what ends there (a recovery, a restart, a heal) strikes
// before what begins there, and the scenario's firings of one instant strike in file order,
// a repeat's included (engine/injections.ts). Review, thirty-fourth session: a failure at the
// instant an earlier failure of the same node recovered struck first, found the node down,
// did nothing, and the node then came back up.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, scenarioYaml, THREE_WORKERS_API } from "../helpers.js";

const base = scenarioYaml({ name: "instants", duration: "30s", interval: "5s" }, THREE_WORKERS_API);

const up = (r: ReturnType<typeof runYaml>, name: string): boolean => r.run.world.hostByName.get(name)!.up;

describe("what ends at an instant strikes before what begins there", () => {
  it("a node failing at the instant its earlier failure recovers fails again and stays down", () => {
    const r = runYaml(base, ["events=[{at: 6s, nodeFailure: {nodes: [web-1], recoverAfter: 4s}}, {at: 10s, nodeFailure: {nodes: [web-1]}}]"]);
    expect(up(r, "web-1")).toBe(false);
    expect(r.summary.notes.filter((n) => n.includes("already down"))).toEqual([]);
    // Down from 10 s: memberlist declares it dead some 5 s later (its suspicion timeout), and the managers mark it down.
    const deadAt = (x: ReturnType<typeof runYaml>): number[] => eventsOf(x.events, "memberlist", { node: "web-1", state: "dead" }).map((e) => e["t_s"] as number);
    expect(deadAt(r)).toHaveLength(1);
    expect(deadAt(r)[0]).toBeGreaterThan(13);
    expect(deadAt(r)[0]).toBeLessThan(16);
    expect(eventsOf(r.events, "node", { node: "web-1", status: "down" })).toHaveLength(1);
    // As if it had failed again a microsecond after coming back.
    const later = runYaml(base, ["events=[{at: 6s, nodeFailure: {nodes: [web-1], recoverAfter: 4s}}, {at: 10000001us, nodeFailure: {nodes: [web-1]}}]"]);
    expect(up(later, "web-1")).toBe(false);
    expect(Math.abs(deadAt(later)[0]! - deadAt(r)[0]!)).toBeLessThan(0.01);
  });

  it("a manager killed at the instant it restarts is down at the end", () => {
    const r = runYaml(base, ["events=[{at: 6s, killManager: {manager: manager-2, restartAfter: 4s}}, {at: 10s, killManager: {manager: manager-2}}]"]);
    expect(up(r, "manager-2")).toBe(false);
    expect(r.summary.notes.filter((n) => n.includes("already down"))).toEqual([]);
  });

  it("a partition that heals at the instant another begins: the heal's line comes first", () => {
    const r = runYaml(base, [
      "events=[{at: 12s, partition: {groups: [[web-1], [manager-1, manager-2, manager-3, web-2, web-3]]}}, {at: 6s, partition: {groups: [[web-2], [manager-1, manager-2, manager-3, web-1, web-3]], duration: 6s}}]",
    ]);
    const at12 = r.events.filter((e) => e["t_s"] === 12 && (e["kind"] === "heal" || e["kind"] === "fault")).map((e) => `${e["kind"]} ${e["target"]}`);
    expect(at12).toEqual(["heal web-2|manager-1+manager-2+manager-3+web-1+web-3", "fault web-1|manager-1+manager-2+manager-3+web-2+web-3"]);
  });
});

describe("the firings of one instant strike in file order", () => {
  it("a repeat's second firing and another event's first, at the same instant", () => {
    const first = runYaml(base, ["events=[{at: 5s, every: 5s, times: 2, activate: {node: web-1}}, {at: 10s, drain: {node: web-1}}]"]);
    const second = runYaml(base, ["events=[{at: 10s, drain: {node: web-1}}, {at: 5s, every: 5s, times: 2, activate: {node: web-1}}]"]);
    const faultsAt10 = (r: ReturnType<typeof runYaml>): string[] => r.events.filter((e) => e["kind"] === "fault" && e["t_s"] === 10).map((e) => e["fault"] as string);
    expect(faultsAt10(first)).toEqual(["activate", "drain"]);
    expect(faultsAt10(second)).toEqual(["drain", "activate"]);
    // The last to strike decides the node's availability.
    const availability = (r: ReturnType<typeof runYaml>): string => r.run.world.control.viewStore().nodes.get("web-1")!.availability;
    expect(availability(first)).toBe("drain");
    expect(availability(second)).toBe("active");
  });
});
