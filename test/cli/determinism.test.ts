import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, readOutputs, tempDir } from "./cli.js";

const SCENARIO = "scenarios/hello-cluster.yaml";

describe("determinism: same scenario and seed give byte-identical outputs", () => {
  it("two runs with seed 7 write identical files (but perf.json); seed 8 differs", () => {
    const dir = tempDir();
    const runs = ["a", "b", "c"].map((name, i) => {
      const out = path.join(dir, name);
      const r = orchsim(["run", SCENARIO, "--seed", i < 2 ? "7" : "8", "--out", out, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return readOutputs(out);
    });
    const [a, b, c] = runs as [Map<string, Buffer>, Map<string, Buffer>, Map<string, Buffer>];
    expect([...a.keys()]).toEqual([".orchsim-output", "elections.csv", "events.jsonl", "networks.csv", "nodes.csv", "perf.json", "summary.json", "timeseries.csv"]);
    for (const [name, bytes] of a) {
      if (name === "perf.json") continue;
      expect(bytes.equals(b.get(name)!), `${name} differs between two runs with the same seed`).toBe(true);
    }
    expect(a.get("timeseries.csv")!.equals(c.get("timeseries.csv")!)).toBe(false);
    expect(a.get("events.jsonl")!.length).toBeGreaterThan(1000);
    const summary = JSON.parse(c.get("summary.json")!.toString());
    expect(summary.seed).toBe(8);
    // perf.json: the deployment's wall time is part of the whole run's.
    const perf = JSON.parse(a.get("perf.json")!.toString());
    expect(perf.deploy_wall_s).toBeGreaterThan(0);
    expect(perf.deploy_wall_s).toBeLessThan(perf.wall_s);
    // ...and the pages the process first touched: a process cannot run without some (Linux and macOS count them).
    expect(Number.isInteger(perf.minor_page_faults)).toBe(true);
    if (process.platform === "linux" || process.platform === "darwin") expect(perf.minor_page_faults).toBeGreaterThan(100);
  });
});

describe("determinism with a stack file", () => {
  it("a scenario built on a docker stack file gives byte-identical outputs twice", () => {
    const dir = tempDir();
    const [a, b] = ["a", "b"].map((name) => {
      const out = path.join(dir, name);
      const r = orchsim(["run", "examples/stacks/queue/queue.yaml", "--out", out, "--quiet"]);
      expect(r.code).toBe(0);
      return readOutputs(out);
    }) as [Map<string, Buffer>, Map<string, Buffer>];
    for (const [name, bytes] of a) if (name !== "perf.json") expect(bytes.equals(b.get(name)!), name).toBe(true);
    expect(JSON.parse(a.get("summary.json")!.toString()).notes.some((n: string) => n.includes("hostname: not simulated"))).toBe(true);
  });
});

describe("determinism with a health-checking balancer", () => {
  it("a node failure behind entryHealthcheck gives byte-identical outputs twice with one seed, and another run with another", () => {
    const dir = tempDir();
    const scenario = path.join(dir, "lb.yaml");
    fs.writeFileSync(scenario, `version: 1
name: lb
duration: 90s
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: a, count: 3, cpu: 2, memory: 4GiB}, {name: b, count: 3, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 3, placement: {constraints: ["node.hostname != b-1", "node.hostname != b-2", "node.hostname != b-3"]}, ports: [{published: 80, target: 80}], request: {cpu: 2ms}}
workload:
  - {name: users, service: web, rate: 300/s, timeout: 2s, retries: {max: 1}, entryHealthcheck: {interval: 5s, unhealthyThreshold: 3}}
events:
  - {at: 20s, nodeFailure: {nodes: [b-1, b-2, b-3], recoverAfter: 30s}}
`);
    const [a, b, c] = ["a", "b", "c"].map((name, i) => {
      const out = path.join(dir, name);
      const r = orchsim(["run", scenario, "--seed", i < 2 ? "7" : "8", "--out", out, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return readOutputs(out);
    }) as [Map<string, Buffer>, Map<string, Buffer>, Map<string, Buffer>];
    for (const [name, bytes] of a) if (name !== "perf.json") expect(bytes.equals(b.get(name)!), name).toBe(true);
    const timeouts = (m: Map<string, Buffer>): number => JSON.parse(m.get("summary.json")!.toString()).services.web.timeouts;
    // Connections the balancer sent to the dead nodes (which hold no task) hung, and some of their retries too.
    expect(timeouts(a)).toBeGreaterThan(0);
    expect(timeouts(c)).not.toBe(timeouts(a));
  });
});
