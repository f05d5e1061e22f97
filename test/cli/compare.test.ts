// orchsim compare: the two runs' figures side by side, with B - A, per service and per fault,
// each taken from that run's summary.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compareText } from "../../src/report/compare.js";
import type { Summary } from "../../src/metrics/rows.js";
import { orchsim, tempDir } from "./cli.js";
import { scenarioYaml } from "../helpers.js";

const SCENARIO = scenarioYaml({ name: "tiny", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 4, ports: [{published: 80, target: 80}], runtime: {concurrency: 2}, request: {cpu: 20ms}}
workload:
  - {name: users, service: web, rate: 250/s, timeout: 2s}
events:
  - {at: 20s, nodeFailure: {nodes: [w-1]}}
`);

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
    // The latencies are of completed requests: said under the table, since a run that fails more may look faster.
    expect(r.stdout).toContain("(p50 and p99 are of completed requests: a run that fails more may show a lower p99; read them beside errors and SLO attained)");
    const lost = r.stdout.split("\n").find((l) => l.includes("requests lost"))!;
    expect(lost).toContain(n(sa.faults[0].requests_lost));
    expect(lost).toContain(n(sb.faults[0].requests_lost));
    // memberlist's verdict beside the managers' detection (review: compare's new row had no test).
    const dead = r.stdout.split("\n").find((l) => l.trim().startsWith("memberlist dead s"))!.trim().split(/\s{2,}/);
    expect(sa.faults[0].memberlist_dead_s).toBeGreaterThan(0);
    expect(dead.slice(1, 3).map(Number)).toEqual([sa.faults[0].memberlist_dead_s, sb.faults[0].memberlist_dead_s].map((x: number) => Math.round(x * 100) / 100));
    const down = r.stdout.split("\n").find((l) => l.trim().startsWith("first DOWN s"))!.trim().split(/\s{2,}/);
    expect(sa.faults[0].down_s).toBeGreaterThan(sa.faults[0].memberlist_dead_s);
    expect(down.slice(1, 3).map(Number)).toEqual([sa.faults[0].down_s, sb.faults[0].down_s].map((x: number) => Number(x.toFixed(2))));
    // A fault whose tasks never came back, nor the service (null in summary.json): "never", not "-".
    const c = path.join(dir, "c");
    fs.cpSync(b, c, { recursive: true });
    fs.writeFileSync(path.join(c, "summary.json"), JSON.stringify({ ...sb, faults: [{ ...sb.faults[0], tasks_restored_s: null, recovered_s: null }] }));
    const never = orchsim(["compare", a, c]).stdout.split("\n");
    for (const figure of ["tasks restored s", "recovered s"]) {
      const row = never.find((l) => l.trim().startsWith(figure))!.trim().split(/\s{2,}/);
      expect(row.slice(2), figure).toEqual(["never"]);
    }
  });

  it("a directory without summary.json is bad input: exit 2, one line", () => {
    const r = orchsim(["compare", tempDir(), tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("summary.json: no such file\n");
    const missing = path.join(tempDir(), "nope");
    const gone = orchsim(["compare", missing, tempDir()]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`orchsim compare: ${missing} does not exist\n`);
    // A sweep's directory: said as such, not as a file missing.
    const sweep = tempDir();
    fs.writeFileSync(path.join(sweep, "sweep.csv"), "variant,seed\n");
    const swept = orchsim(["compare", sweep, tempDir()]);
    expect(swept.code).toBe(2);
    expect(swept.stderr).toBe(`orchsim compare: ${sweep} is a sweep's outputs: compare takes two runs' (orchsim run --out); a sweep's own table compares its variants with the first\n`);
    const plan = tempDir();
    fs.writeFileSync(path.join(plan, "plan.json"), "{}");
    expect(orchsim(["compare", plan, tempDir()]).stderr).toBe(`orchsim compare: ${plan} is a plan's outputs: compare takes two runs' (orchsim run --out)\n`);
  });

  it("pairs faults by kind and time only (of one instant, by target first), and refuses a summary an older orchsim wrote", () => {
    const service = { arrivals: 10, completed: 10, errors: 0, timeouts: 0, rejected: 0, latency_ms: { mean: 1, p50: 1, p95: 1, p99: 1, max: 1 }, slo: { latency_ms: 250, percentile: 99, attained: 1, met: true }, restarts: 0, oom_kills: 0, unhealthy: 0, tasks_desired: 1, tasks_running: 1, tasks_pending: 0, desired_reached: true };
    const fault = (kind: string, t: number) => ({ t_s: t, fault: kind, target: null, detected_s: null, recovered_s: 0, last_to_recover: null, tasks_restored_s: 0, requests_lost: 0, worst_window: null, services: {} });
    const write = (faults: object[], extra: object = {}) => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify({ scenario: "s", description: "", seed: 1, duration_s: 60, events: 0, services: { web: { ...service, ...extra } }, elections: 0, faults, networks: {}, notes: [] }));
      return dir;
    };
    const r = orchsim(["compare", write([fault("nodeFailure", 30)]), write([fault("loadSpike", 20)])]);
    expect(r.code).toBe(0);
    // Each run's own number (walkthrough: A's only fault read "fault 2"), as its sweeps' f<i> columns count them.
    expect(r.stdout).toContain("B's fault 1: loadSpike at 20 s (only in B)");
    expect(r.stdout).toContain("A's fault 1: nodeFailure at 30 s (only in A)");
    const shifted = orchsim(["compare", write([fault("nodeFailure", 30)]), write([fault("loadSpike", 20), fault("nodeFailure", 30)])]);
    expect(shifted.stdout).toContain("fault 1 of A, 2 of B: nodeFailure at 30 s\n");
    // The same kind and time on other nodes (a zone of another size): both targets, so B's losses do not read as the same fault's.
    const zone = (target: string) => ({ ...fault("nodeFailure", 180), target });
    const two = orchsim(["compare", write([zone("a-1,a-2,a-3,manager-1")]), write([zone("a-1,a-2,a-3,a-4,a-5,manager-1")])]);
    expect(two.stdout).toContain("fault 1: nodeFailure at 180 s (A: a-1,a-2,a-3,manager-1; B: a-1,a-2,a-3,a-4,a-5,manager-1)");
    const old = orchsim(["compare", write([], { desired_reached: undefined }), write([])]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain("older orchsim");
    // Two of one kind at one instant pair in their order, not both with A's first (walkthrough).
    const drains = (a: string, b: string) => [{ ...fault("drain", 30), target: a }, { ...fault("drain", 30), target: b }];
    const twice = orchsim(["compare", write(drains("w-1", "w-2")), write(drains("w-1", "w-3"))]).stdout;
    expect(twice).toContain("fault 1: drain at 30 s (w-1)\n");
    expect(twice).toContain("fault 2: drain at 30 s (A: w-2; B: w-3)\n");
    // ...but those of one target pair first: the same two drains listed the other way round in B.
    const swapped = orchsim(["compare", write(drains("w-1", "w-2")), write(drains("w-2", "w-1"))]).stdout;
    expect(swapped).toContain("fault 1 of A, 2 of B: drain at 30 s (w-1)\n");
    expect(swapped).toContain("fault 2 of A, 1 of B: drain at 30 s (w-2)\n");
    expect(swapped).not.toContain("A: w-");
  });

  it("names the services a fault does not judge, with their own failures: its 'recovered' and 'lost' leave them out (walkthrough: binpack read as good as spread)", () => {
    const dir = tempDir();
    const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
    expect(orchsim(["run", "scenarios/hello-cluster.yaml", "--out", a, "--quiet"]).code).toBe(0);
    expect(orchsim(["run", "scenarios/hello-cluster.yaml", "--set", "cluster.scheduler.strategy=binpack", "--out", b, "--quiet"]).code).toBe(0);
    const sb = JSON.parse(fs.readFileSync(path.join(b, "summary.json"), "utf8")) as Summary;
    const web = sb.faults[0]!.services["web"]!;
    expect(web.already_unhealthy).toBe(true);
    expect(web.requests_lost).toBeGreaterThan(1000);
    const rows = orchsim(["compare", a, b]).stdout.split("\n").filter((l) => l.trim().startsWith("not judged"));
    expect(rows[0]!.trim().split(/\s{2,}/)).toEqual(["not judged", "-", `web (${web.requests_lost.toLocaleString("en-US")} failed)`]);
  });

  it("names what each run set on the command line (summary.json's overrides), so two runs of one file say why they differ", () => {
    const dir = tempDir();
    const run = (out: string, ...args: string[]) => expect(orchsim(["run", "scenarios/hello-cluster.yaml", "--set", "metrics.interval=5s", ...args, "--out", path.join(dir, out), "--quiet"]).code).toBe(0);
    run("a");
    run("b", "--set", "services.web.replicas=5", "--seed", "3");
    const overrides = (out: string) => JSON.parse(fs.readFileSync(path.join(dir, out, "summary.json"), "utf8")).overrides;
    expect(overrides("a")).toEqual(["metrics.interval=5s"]);
    expect(overrides("b")).toEqual(["metrics.interval=5s", "services.web.replicas=5", "seed=3"]);
    const r = orchsim(["compare", path.join(dir, "a"), path.join(dir, "b")]);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([
      `A: ${path.join(dir, "a")} (hello-cluster, seed 42; --set metrics.interval=5s)`,
      `B: ${path.join(dir, "b")} (hello-cluster, seed 3; --set metrics.interval=5s --set services.web.replicas=5 --set seed=3)`,
    ]);
  });
});


describe("compare's change column", () => {
  const summary = (errors: number): Summary =>
    ({
      scenario: "t",
      seed: 1,
      faults: [],
      services: { web: { arrivals: 100_000, errors, latency_ms: { p50: 10, p99: 50 }, slo: { attained: 0.99, met: true }, restarts: 0, oom_kills: 0, unhealthy: 0, tasks_pending: 0, desired_reached: true } },
    }) as unknown as Summary;
  const line = (text: string, figure: string): string => text.split("\n").find((l) => new RegExp(`^\\S*\\s+${figure}\\s`).test(l))!;

  it("says '=' only when neither the figure nor its share of A moved", () => {
    const text = compareText(summary(19), summary(20), "a", "b");
    // 0.019% and 0.020% both print as 0.02, but the rate rose by a twentieth.
    expect(line(text, "error %")).toMatch(/0\.02\s+0\.02\s+\+0\.001$/); // a share's change in points, not also relative (walkthrough)
    expect(line(text, "errors")).toMatch(/19\s+20\s+\+1 \(\+5\.3%\)$/);
    expect(line(text, "restarts")).toMatch(/0\s+0\s+=$/);
    expect(line(compareText(summary(19), summary(19), "a", "b"), "error %")).toMatch(/\s=$/);
    // From none: any change is one (one error in 100,000 requests), and B's share is not 0.
    expect(line(compareText(summary(0), summary(1), "a", "b"), "error %")).toMatch(/ 0\s+<0\.01\s+\+0\.001$/);
    // Plain decimals however small: one error in 10 billion requests is +0.00000001 points.
    const huge = (errors: number) => ({ ...summary(errors), services: { web: { ...summary(errors).services["web"]!, arrivals: 1e10 } } }) as Summary;
    expect(line(compareText(huge(0), huge(1), "a", "b"), "error %")).toMatch(/\+0\.00000001$/);
  });
});
