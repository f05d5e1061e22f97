// orchsim compare: the two runs' figures side by side, with B - A, per service and per fault,
// each taken from that run's summary.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "./cli.js";

const SCENARIO = `version: 1
name: tiny
duration: 1m
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 4, ports: [{published: 80, target: 80}], runtime: {concurrency: 2}, request: {cpu: 20ms}}
workload:
  - {name: users, service: web, rate: 250/s, timeout: 2s}
events:
  - {at: 20s, nodeFailure: {nodes: [w-1]}}
`;

describe("orchsim compare", () => {
  it("lists each figure of A and B with the change, per service and per fault", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
    expect(orchsim(["run", file, "--out", a, "--quiet"]).code).toBe(0);
    expect(orchsim(["run", file, "--set", "services.web.replicas=6", "--out", b, "--quiet"]).code).toBe(0);
    const r = orchsim(["compare", a, b]);
    expect(r.code).toBe(0);
    const sa = JSON.parse(fs.readFileSync(path.join(a, "summary.json"), "utf8"));
    const sb = JSON.parse(fs.readFileSync(path.join(b, "summary.json"), "utf8"));
    const n = (x: number) => x.toLocaleString("en-US");
    const errors = r.stdout.split("\n").find((l) => /^\s+errors\s/.test(l))!;
    expect(errors.trim().split(/\s{2,}/).slice(1, 3)).toEqual([n(sa.services.web.errors), n(sb.services.web.errors)]);
    expect(sa.services.web.errors).not.toBe(sb.services.web.errors);
    const d = sb.services.web.errors - sa.services.web.errors;
    expect(errors).toContain(`${d > 0 ? "+" : ""}${n(d)}`);
    expect(r.stdout).toContain("fault 1: nodeFailure at 20 s (w-1)");
    const lost = r.stdout.split("\n").find((l) => l.includes("requests lost"))!;
    expect(lost).toContain(n(sa.faults[0].requests_lost));
    expect(lost).toContain(n(sb.faults[0].requests_lost));
  });

  it("a directory without summary.json is bad input: exit 2, one line", () => {
    const r = orchsim(["compare", tempDir(), tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("summary.json");
  });
});
