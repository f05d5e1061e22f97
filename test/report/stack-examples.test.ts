// What the comments of examples/stacks/*.yaml say, checked against their runs. The stacks read
// ${TAG} and ${WORKERS}: the runs get an explicit environment, never the machine's.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { ROOT } from "../cli/cli.js";
import { eventsOf, runScenario, type RunOutputs } from "../helpers.js";

const run = (name: string, overrides: string[] = [], env: Record<string, string> = {}): RunOutputs =>
  runScenario(loadScenarioFile(path.join(ROOT, "examples", "stacks", name, `${name}.yaml`), overrides, { env }));

/** The nodes `service`'s tasks were running on just before `t`. */
function nodesAt(out: RunOutputs, service: string, t: number): string[] {
  const last = new Map<string, { state: string; node: string }>();
  for (const e of eventsOf(out.events, "task", { service })) {
    if ((e["t_s"] as number) < t) last.set(e["task"] as string, { state: e["state"] as string, node: e["node"] as string });
  }
  return [...last.values()].filter((x) => x.state === "running").map((x) => x.node);
}

describe("examples/stacks/webshop (seed 3)", () => {
  const out = run("webshop");
  const web = out.summary.services["web"]!;
  const fault = out.summary.faults[0]!;

  it("zone b's workers take two web tasks and one api task with them", () => {
    const inB = (s: string) => nodesAt(out, s, 180).filter((n) => n.startsWith("b-")).length;
    expect([inB("web"), inB("api"), inB("cache"), inB("db")]).toEqual([2, 1, 0, 0]);
  });

  it("the nodes are DOWN about 10 s later and every task runs again within about 40 s", () => {
    expect(fault.detected_s).toBeGreaterThan(9);
    expect(fault.detected_s).toBeLessThan(12);
    expect(fault.tasks_restored_s).toBe(40);
  });

  it("web loses about 600 requests, all in its worst window, whose p99 is about 1.5 s, and 99.02% within 250 ms just meets p99", () => {
    expect(fault.services["web"]!.requests_lost).toBeGreaterThan(550);
    expect(fault.services["web"]!.requests_lost).toBeLessThan(650);
    expect(fault.worst_window!.service).toBe("web");
    expect(fault.worst_window!.errors).toBe(fault.services["web"]!.requests_lost);
    expect(fault.worst_window!.p99_ms).toBeGreaterThan(1_400);
    expect(fault.worst_window!.p99_ms).toBeLessThan(1_600);
    expect(web.slo.met).toBe(true);
    expect((web.slo.attained! * 100).toFixed(2)).toBe("99.02");
  });

  it("failing only the node that holds cache (a-2) loses about 7,400 of web's requests, twelve times as many", () => {
    const holder = nodesAt(out, "cache", 180);
    expect(holder).toEqual(["a-2"]);
    const one = run("webshop", ["events.0.nodeFailure.nodes=[a-2]"]).summary.services["web"]!;
    expect(one.errors).toBeGreaterThan(6_500);
    expect(one.errors).toBeLessThan(8_500);
    expect(Math.round(one.errors / fault.services["web"]!.requests_lost)).toBe(12);
  });
});

describe("examples/stacks/queue (seed 5)", () => {
  const out = run("queue");
  const ingest = out.summary.services["ingest"]!;
  const [spike, failure] = out.summary.faults;

  it("eight workers run, on the five worker nodes and the broker's node", () => {
    const nodes = nodesAt(out, "worker", 0);
    expect(nodes).toHaveLength(8);
    expect(new Set(nodes)).toEqual(new Set(["worker-1", "worker-2", "worker-3", "worker-4", "worker-5", "broker-1"]));
  });

  it("the spike to 45/s is absorbed", () => {
    expect(spike!.fault).toBe("loadSpike");
    expect(spike!.recovered_s).toBe(0);
    expect(spike!.requests_lost).toBe(0);
  });

  it("after three workers die, two worker tasks stay pending with Swarm's reason until the nodes are back at 6 minutes", () => {
    const waiting = eventsOf(out.events, "task", { service: "worker", state: "pending" })
      .filter((e) => (e["t_s"] as number) > 180 && String(e["reason"]).includes("max replicas per node limit exceed"));
    expect(new Set(waiting.map((e) => e["task"])).size).toBe(2);
    expect(Math.max(...waiting.map((e) => e["t_s"] as number))).toBeLessThan(361);
    expect(failure!.tasks_restored_s).toBeGreaterThan(180); // back after 180 + 180 = 360 s
    expect(failure!.tasks_restored_s).toBeLessThan(230);
  });

  it("ingest misses its objective for about 100 s and about 800 jobs fail, most by timing out", () => {
    expect(failure!.services["ingest"]!.recovered_s).toBe(100);
    expect(ingest.errors).toBeGreaterThan(750);
    expect(ingest.errors).toBeLessThan(850);
    expect(ingest.timeouts).toBeGreaterThan(ingest.errors / 2);
  });

  it("with WORKERS=10 about 160 jobs fail instead", () => {
    const ten = run("queue", [], { WORKERS: "10" });
    expect(ten.summary.services["worker"]!.tasks_desired).toBe(10);
    expect(ten.summary.services["ingest"]!.errors).toBeGreaterThan(120);
    expect(ten.summary.services["ingest"]!.errors).toBeLessThan(200);
  });
});
