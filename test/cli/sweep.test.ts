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
  - name: web
    replicas: 4
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: 2}
    request: {cpu: 20ms}
workload:
  - {name: users, service: web, rate: 120/s}
`;

describe("orchsim sweep", () => {
  it("runs every variant on the same seeds and writes the runs and their estimates", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    const out = path.join(dir, "sw");
    const r = orchsim(["sweep", file, "--seeds", "3", "--vary", "cluster.scheduler.strategy=spread,binpack", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 seeds per variant");
    expect(r.stdout).toMatch(/web\s+cluster\.scheduler\.strategy=binpack/);
    const rows = fs.readFileSync(path.join(out, "sweep.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("variant,seed,service,arrivals,errors,error_pct,p50_ms,p99_ms,slo_attained_pct,restarts");
    expect(rows).toHaveLength(1 + 2 * 3);
    // Common random numbers: for each seed, both strategies see exactly the same arrivals.
    const arrivals = (variant: string, seed: number): string => rows.find((l) => l.startsWith(`${variant},${seed},`))!.split(",")[3]!;
    for (const seed of [1, 2, 3]) expect(arrivals("cluster.scheduler.strategy=binpack", seed)).toBe(arrivals("cluster.scheduler.strategy=spread", seed));
    const summary = fs.readFileSync(path.join(out, "sweep-summary.csv"), "utf8").trim().split("\n");
    expect(summary).toHaveLength(1 + 2);
    expect(summary[0]).toContain("p99_ms_mean,p99_ms_ci95,p99_ms_diff,p99_ms_diff_ci95");
    // Same sweep again: the same bytes.
    const again = path.join(dir, "sw2");
    orchsim(["sweep", file, "--seeds", "3", "--vary", "cluster.scheduler.strategy=spread,binpack", "--out", again, "--quiet"]);
    expect(fs.readFileSync(path.join(again, "sweep.csv"), "utf8")).toBe(rows.join("\n") + "\n");
  });

  it("refuses bad seeds and bad variants before running anything", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    expect(orchsim(["sweep", file, "--seeds", "ten"]).stderr).toContain("--seeds");
    const bad = orchsim(["sweep", file, "--vary", "services.web.replicas=two,3", "--out", path.join(dir, "o")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--set services.web.replicas");
    expect(fs.existsSync(path.join(dir, "o"))).toBe(false);
  });
});
