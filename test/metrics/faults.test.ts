// Fault windows from synthetic metrics windows: recovery per service and for the cluster, p99
// during and after from the merged latencies, detection from the event log.
import { describe, expect, it } from "vitest";
import { FaultWindows } from "../../src/metrics/faults.js";
import { LatencyHistogram } from "../../src/metrics/histogram.js";
import type { TimeseriesRow } from "../../src/metrics/rows.js";
import type { ClosedWindow } from "../../src/metrics/windows.js";

const S = 1_000_000;
const SLO = { latencyUs: 100_000, percentile: 99 };

/** A window of one service: `n` requests of `latencyMs` each, `errors` failures, `running` of `desired` tasks. */
function win(service: string, n: number, latencyMs: number, errors = 0, running = 2, desired = 2): ClosedWindow {
  const latency = new LatencyHistogram();
  for (let i = 0; i < n; i++) latency.record(latencyMs * 1000);
  const row = { service, completed: n, errors, tasks_running: running, tasks_desired: desired, p99_ms: latencyMs } as TimeseriesRow;
  return { row, latency, slo: SLO, atSloUs: latency.quantileUs(SLO.percentile / 100), withinSlo: latencyMs * 1000 <= SLO.latencyUs ? n : 0 };
}

describe("fault windows", () => {
  it("a service slow for two windows recovers at the end of the second; p99 during and after come from those requests", () => {
    const f = new FaultWindows(["web", "api"]);
    f.inject(5 * S, "nodeFailure", "w-1");
    f.closeWindow(10 * S, [win("web", 100, 500, 3, 1), win("api", 100, 20)]);
    f.closeWindow(20 * S, [win("web", 100, 300, 0, 1), win("api", 100, 20)]);
    f.closeWindow(30 * S, [win("web", 100, 10), win("api", 100, 20)]);
    f.closeWindow(40 * S, [win("web", 100, 12), win("api", 100, 20)]);
    const [s] = f.summaries();
    expect(s!.recovered_s).toBe(15); // end of the window ending at 20 s, 5 s after the fault
    expect(s!.last_to_recover).toBe("web");
    expect(s!.requests_lost).toBe(3);
    expect(s!.tasks_restored_s).toBe(25); // web ran 1 of 2 until the window ending at 30 s
    expect(s!.services["web"]!.p99_during_ms).toBeCloseTo(500, -1); // 200 requests at 500 and 300 ms: p99 is 500
    expect(s!.services["web"]!.p99_after_ms).toBeCloseTo(12, 0);
    expect(s!.services["api"]).toEqual({ already_unhealthy: false, carried_over: false, recovered_s: 0, requests_lost: 0, p99_during_ms: null, p99_after_ms: expect.closeTo(20, 0) });
    expect(s!.worst_window).toEqual({ t_s: 10, service: "web", errors: 3, p99_ms: 500 });
  });

  it("the window in which the next fault comes belongs to both; a fault unhealthy to the end of its span never recovered", () => {
    const f = new FaultWindows(["web"]);
    f.inject(0, "loadSpike", "users");
    f.closeWindow(10 * S, [win("web", 10, 500)]);
    f.inject(15 * S, "scale", "web");
    f.closeWindow(20 * S, [win("web", 10, 10)]);
    f.inject(25 * S, "loadSpike", "users");
    f.closeWindow(30 * S, [win("web", 10, 500)]);
    const [spike, scale, again] = f.summaries();
    expect(spike!.recovered_s).toBe(10); // its windows: to 10 s (slow) and to 20 s (fast)
    expect(spike!.services["web"]!.p99_after_ms).toBeCloseTo(10, 0);
    // web was slow when the scale came, because of the spike: the scale must see it recover too.
    expect(scale!.services["web"]).toMatchObject({ already_unhealthy: false, recovered_s: null });
    expect(scale!.recovered_s).toBeNull();
    expect(again!.recovered_s).toBeNull();
    expect(again!.services["web"]!.p99_after_ms).toBeNull();
  });

  it("a window without a leader at any moment is unhealthy for the cluster, not for the services; the leader is then last", () => {
    const f = new FaultWindows(["web"]);
    f.inject(0, "killLeader", "manager-1");
    f.observe(1 * S, { kind: "leader", term: 1, leader: null });
    f.observe(8 * S, { kind: "leader", term: 2, leader: "manager-2" }); // back before the window ends
    f.closeWindow(10 * S, [win("web", 10, 10)]);
    f.closeWindow(20 * S, [win("web", 10, 10)]);
    const [s] = f.summaries();
    expect(s!.recovered_s).toBe(10);
    expect(s!.last_to_recover).toBe("leader");
    expect(s!.services["web"]!.recovered_s).toBe(0);
  });

  it("two faults inside one window both see it", () => {
    const f = new FaultWindows(["web"]);
    f.closeWindow(10 * S, [win("web", 10, 10)]);
    f.inject(12 * S, "nodeFailure", "w-1");
    f.inject(15 * S, "killManager", "manager-2");
    f.closeWindow(20 * S, [win("web", 10, 500, 40)]);
    f.closeWindow(30 * S, [win("web", 10, 10)]);
    const [node, manager] = f.summaries();
    expect(node!.requests_lost).toBe(40);
    expect(node!.recovered_s).toBeNull(); // still outside its SLO when the next fault came
    expect(manager!.requests_lost).toBe(40);
    expect(manager!.recovered_s).toBe(5);
  });

  it("a service already outside its SLO before the fault is not blamed on it", () => {
    const f = new FaultWindows(["web", "batch"]);
    f.closeWindow(10 * S, [win("web", 10, 10), win("batch", 10, 900)]);
    f.inject(15 * S, "loadSpike", "users");
    f.closeWindow(20 * S, [win("web", 10, 500), win("batch", 10, 900)]);
    f.closeWindow(30 * S, [win("web", 10, 10), win("batch", 10, 900)]);
    const [s] = f.summaries();
    expect(s!.services["batch"]!.already_unhealthy).toBe(true);
    expect(s!.services["web"]!.already_unhealthy).toBe(false);
    expect(s!.recovered_s).toBe(5);
    expect(s!.last_to_recover).toBe("web");
    // A second fault while batch is still slow: batch is still not the faults' doing.
    f.inject(35 * S, "nodeFailure", "w-1");
    f.closeWindow(40 * S, [win("web", 10, 10), win("batch", 10, 900)]);
    expect(f.summaries()[1]!.services["batch"]!.already_unhealthy).toBe(true);
  });

  describe("the requests a fault disrupted (what the SLO outside the faults leaves out)", () => {
    it("are those of each service's windows from the fault to its recovery", () => {
      const f = new FaultWindows(["web", "api"]);
      f.closeWindow(5 * S, [win("web", 100, 10), win("api", 100, 20)]); // before any fault: never disrupted
      f.inject(5 * S, "nodeFailure", "w-1");
      f.closeWindow(10 * S, [win("web", 100, 500, 3, 1), win("api", 100, 20)]);
      f.closeWindow(20 * S, [win("web", 100, 300, 0, 1), win("api", 100, 20)]);
      f.closeWindow(30 * S, [win("web", 100, 10), win("api", 100, 20)]);
      // web: its two slow windows (203 ended, none within); api absorbed the fault.
      expect(f.disrupted()).toEqual([{ ended: 203, within: 0 }, { ended: 0, within: 0 }]);
    });

    it("count a window two faults share once, and all of a span its service never recovered in", () => {
      const f = new FaultWindows(["web"]);
      f.inject(12 * S, "nodeFailure", "w-1");
      f.inject(15 * S, "killManager", "manager-2");
      f.closeWindow(20 * S, [win("web", 10, 500, 40)]); // both spans' (the first never recovered)
      f.closeWindow(30 * S, [win("web", 10, 10)]);
      expect(f.disrupted()).toEqual([{ ended: 50, within: 0 }]);
    });

    it("of a service already outside its SLO before the fault, are those up to its recovery too: its windows before the fault are judged", () => {
      const f = new FaultWindows(["web", "batch"]);
      f.closeWindow(10 * S, [win("web", 10, 10), win("batch", 10, 900)]);
      f.inject(15 * S, "nodeFailure", "w-1");
      f.closeWindow(20 * S, [win("web", 10, 500), win("batch", 10, 900)]);
      f.closeWindow(30 * S, [win("web", 10, 10), win("batch", 10, 50)]);
      expect(f.summaries()[0]!.services["batch"]!.already_unhealthy).toBe(true);
      expect(f.disrupted()).toEqual([{ ended: 10, within: 0 }, { ended: 10, within: 0 }]);
    });

    it("are none of a load spike's: it is demand to serve, not a disruption (walkthrough: plan --recover-within forgave a spike's whole breach)", () => {
      const f = new FaultWindows(["web"]);
      f.inject(5 * S, "loadSpike", "users");
      f.closeWindow(10 * S, [win("web", 100, 500, 20)]);
      f.inject(12 * S, "nodeFailure", "w-1");
      f.closeWindow(20 * S, [win("web", 100, 500, 5)]); // the spike's and the crash's: left out for the crash
      f.closeWindow(30 * S, [win("web", 100, 10)]);
      // The spike's span ends at the crash, still outside the SLO; the crash's is back in 8 s.
      expect(f.summaries().map((s) => [s.fault, s.recovered_s])).toEqual([["loadSpike", null], ["nodeFailure", 8]]);
      expect(f.disrupted()).toEqual([{ ended: 105, within: 0 }]);
    });
  });

  it("tasks are restored only after the last window short of them; short at the end is never", () => {
    const f = new FaultWindows(["web"]);
    f.inject(0, "nodeFailure", "w-1");
    f.closeWindow(10 * S, [win("web", 10, 10, 0, 1)]);
    f.closeWindow(20 * S, [win("web", 10, 10, 0, 2)]);
    f.closeWindow(30 * S, [win("web", 10, 10, 0, 1)]);
    expect(f.summaries()[0]!.tasks_restored_s).toBeNull();
  });

  it("detection: the first of the fault's nodes marked down, or a new leader for faults that can take the leader", () => {
    const f = new FaultWindows(["web"]);
    f.inject(100 * S, "nodeFailure", "w-1,w-2");
    f.observe(101 * S, { kind: "node", node: "w-9", status: "down" }); // not the fault's
    f.observe(112 * S, { kind: "node", node: "w-2", status: "down" });
    f.observe(113 * S, { kind: "node", node: "w-1", status: "down" });
    f.inject(200 * S, "loadSpike", "users");
    f.observe(201 * S, { kind: "leader", term: 3, leader: "manager-2" }); // a spike does not take the leader
    f.inject(300 * S, "killLeader", "manager-2");
    f.observe(300 * S, { kind: "leader", term: 3, leader: null });
    f.observe(301.5 * S, { kind: "leader", term: 4, leader: "manager-1" });
    expect(f.summaries().map((s) => s.detected_s)).toEqual([12, null, 1.5]);
  });

  it("a fault is still detected after another one was injected", () => {
    const f = new FaultWindows(["web"]);
    f.inject(100 * S, "nodeFailure", "w-1");
    f.inject(105 * S, "loadSpike", "users");
    f.observe(111 * S, { kind: "node", node: "w-1", status: "down" });
    expect(f.summaries().map((s) => s.detected_s)).toEqual([11, null]);
  });

  it("memberlist's verdict on the first of a fault's nodes is its own figure: the managers' DOWN does not set it, nor a node the fault did not crash", () => {
    const f = new FaultWindows(["web"]);
    f.inject(100 * S, "nodeFailure", "w-1,w-2");
    f.inject(200 * S, "nodeFailure", "w-3");
    f.observe(105.5 * S, { kind: "memberlist", node: "w-2", state: "dead", after_s: 5.5 });
    f.observe(105.5 * S, { kind: "memberlist", node: "w-1", state: "dead", after_s: 5.5 });
    f.observe(111 * S, { kind: "node", node: "w-1", status: "down" });
    f.observe(206 * S, { kind: "memberlist", node: "w-9", state: "dead", after_s: 6 });
    const [first, second] = f.summaries();
    expect([first!.memberlist_dead_s, first!.detected_s, first!.detected_by]).toEqual([5.5, 11, "w-1 DOWN"]);
    expect(second!.memberlist_dead_s).toBeNull();
    expect([first!.memberlist_last_dead_s, second!.memberlist_last_dead_s]).toEqual([5.5, null]);
  });

  it("memberlist's verdict on the last of a fault's nodes is its own figure too: each node's first probe is its own draw", () => {
    const f = new FaultWindows(["web"]);
    f.inject(100 * S, "nodeFailure", "a-1,a-2,a-3");
    f.observe(105.03 * S, { kind: "memberlist", node: "a-2", state: "dead", after_s: 5.03 });
    f.observe(106 * S, { kind: "memberlist", node: "a-1", state: "dead", after_s: 6 });
    f.observe(107.43 * S, { kind: "memberlist", node: "a-3", state: "dead", after_s: 7.43 });
    f.observe(109 * S, { kind: "memberlist", node: "b-1", state: "dead", after_s: 1 }); // not the fault's
    const [s] = f.summaries();
    expect([s!.memberlist_dead_s, s!.memberlist_last_dead_s]).toEqual([5.03, 7.43]);
  });

  it("a fault an election noticed first has its first DOWN apart: the replacements start there, not at the election", () => {
    const f = new FaultWindows(["web"]);
    f.inject(180 * S, "nodeFailure", "a-1,a-2,manager-1");
    f.observe(180 * S, { kind: "leader", term: 1, leader: null });
    f.observe(191.1 * S, { kind: "leader", term: 2, leader: "manager-3" });
    f.observe(218.6 * S, { kind: "node", node: "a-2", status: "down" });
    f.observe(219.7 * S, { kind: "node", node: "a-1", status: "down" });
    f.observe(219.8 * S, { kind: "node", node: "b-1", status: "down" }); // named by no fault
    const [s] = f.summaries();
    expect([s!.detected_s, s!.detected_by, s!.down_s]).toEqual([11.1, "manager-3 elected", 38.6]);
  });

  it("each of a long run of killLeaders is detected by its own election, a window at a time (the faults an event may detect are indexed)", () => {
    const f = new FaultWindows(["web"]);
    for (let k = 0; k < 1_000; k++) {
      const t = 10 * S * (k + 1);
      f.inject(t, "killLeader", `manager-${(k % 3) + 1}`);
      if (k % 10 === 0) f.inject(t + 1 * S, "loadSpike", "users"); // never detected
      f.observe(t + 2 * S, { kind: "leader", term: 2 * k + 1, leader: null });
      f.observe(t + 3.5 * S, { kind: "leader", term: 2 * k + 2, leader: `manager-${((k + 1) % 3) + 1}` });
      f.closeWindow(t + 5 * S, [win("web", 10, 10)]);
      f.closeWindow(t + 10 * S, [win("web", 10, 10)]);
    }
    const all = f.summaries();
    expect(all).toHaveLength(1_100);
    expect(new Set(all.filter((s) => s.fault === "killLeader").map((s) => `${s.detected_s} ${/elected$/.test(s.detected_by!)}`))).toEqual(new Set(["3.5 true"]));
    expect(all.filter((s) => s.fault === "loadSpike").every((s) => s.detected_s === null)).toBe(true);
    // Each span holds its windows: the kill's two, the first leaderless for 1.5 s, so back 5 s after it; a spike 1 s
    // after the kill ends that kill's span in its leaderless window (never back) and is back 4 s after it.
    const outcomes = new Map<string, number>();
    for (const s of all) outcomes.set(`${s.fault} ${s.recovered_s}`, (outcomes.get(`${s.fault} ${s.recovered_s}`) ?? 0) + 1);
    expect(outcomes).toEqual(new Map([["killLeader 5", 900], ["killLeader null", 100], ["loadSpike 4", 100]]));
  });

  it("a node's DOWN and memberlist's verdict are the fault's that took it down: not a drain's that named it before, nor a crash's it came back from (review)", () => {
    const f = new FaultWindows(["web"]);
    f.inject(60 * S, "drain", "w-1");
    f.inject(120 * S, "nodeFailure", "w-1");
    f.observe(125.5 * S, { kind: "memberlist", node: "w-1", state: "dead", after_s: 5.5 });
    f.observe(133 * S, { kind: "node", node: "w-1", status: "down" });
    // w-2 crashes and is back within 2 s (no verdict, no DOWN), then crashes for good just before a scale-up.
    f.inject(150 * S, "nodeFailure", "w-2");
    f.inject(200 * S, "nodeFailure", "w-2");
    f.inject(203 * S, "scale", "web");
    f.observe(205.5 * S, { kind: "memberlist", node: "w-2", state: "dead", after_s: 5.5 });
    f.observe(213 * S, { kind: "node", node: "w-2", status: "down" });
    const figures = f.summaries().map((s) => [s.fault, s.memberlist_dead_s, s.detected_s, s.down_s]);
    // The verdict after the scale-up is still the crash's: its span ended, its nodes' news did not.
    expect(figures).toEqual([["drain", null, null, null], ["nodeFailure", 5.5, 13, 13], ["nodeFailure", null, null, null], ["nodeFailure", 5.5, 13, 13], ["scale", null, null, null]]);
  });
});
