import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { orchsim, tempDir } from "./cli.js";
import { scenarioYaml } from "../helpers.js";

const SCENARIO = scenarioYaml({ name: "tiny", duration: "1m" }, `
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
`);

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
    // The table cuts each path to its last two parts (sweep.csv has it whole): a terminal holds the row.
    expect(r.stdout).toMatch(/web\s+…scheduler\.strategy=binpack/);
    const rows = fs.readFileSync(path.join(out, "sweep.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("variant,seed,service,arrivals,errors,error_pct,p50_ms,p99_ms,slo_attained_pct,slo_met,slo_attained_outside_faults_pct,slo_met_outside_faults,all_tasks_ran,restarts");
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

  it("a service no request reached has no error rate: an empty cell and '-', not 0.00 ± 0.00", () => {
    const dir = tempDir();
    const file = path.join(dir, "idle.yaml");
    fs.writeFileSync(file, SCENARIO.replace("workload:", "  - {name: idle, replicas: 1}\nworkload:"));
    const r = orchsim(["sweep", file, "--seeds", "2", "--out", path.join(dir, "sw")]);
    expect(r.code).toBe(0);
    const rows = fs.readFileSync(path.join(dir, "sw", "sweep.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const col = rows[0]!.indexOf("error_pct");
    expect(rows.filter((c) => c[2] === "idle").map((c) => c[col])).toEqual(["", ""]);
    expect(rows.filter((c) => c[2] === "web").every((c) => c[col] !== "")).toBe(true);
    expect(r.stdout).toMatch(/^idle\s+scenario\s+-\s+-\s+-/m);
  });

  it("refuses bad seeds and bad variants before running anything", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    expect(orchsim(["sweep", file, "--seeds", "ten"]).stderr).toContain("--seeds");
    const bad = orchsim(["sweep", file, "--vary", "services.web.replicas=two,3", "--out", path.join(dir, "o")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`--vary services.web.replicas: "two" is not a whole number\n`);
    // A value given twice would be one variant less than asked, silently; the name, runs that differ in nothing.
    const twice = orchsim(["sweep", file, "--vary", "services.web.replicas=2,2", "--out", path.join(dir, "o")]);
    expect([twice.code, twice.stderr]).toEqual([2, `--vary: "services.web.replicas=2,2" lists 2 twice; each value is one variant\n`]);
    // With no --vary, a --set that breaks another field leads its line, as on run.
    const renamed = orchsim(["sweep", file, "--seeds", "1", "--set", "services.web.name=api", "--out", path.join(dir, "o")]);
    expect([renamed.code, renamed.stderr]).toEqual([2, expect.stringMatching(/^--set services\.web\.name=api: \S+tiny\.yaml:\d+:\d+ workload\[users\]\.service: unknown service "web" \(known: api\)\n$/)]);
    const named = orchsim(["sweep", file, "--vary", "name=a,b", "--out", path.join(dir, "o")]);
    expect([named.code, named.stderr]).toEqual([2, "--vary: name labels the outputs and changes no run; its variants would be the same runs\n"]);
    // A field the variant names wrong: its own line, once.
    const wrong = orchsim(["sweep", file, "--vary", "services.wbe.replicas=2,3", "--out", path.join(dir, "o")]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(`--vary services.wbe.replicas: no service named "wbe" (known: web)\n`);
    // A field elsewhere that the variant makes wrong: its line, with the variant in front.
    const timed = path.join(dir, "timed.yaml");
    fs.writeFileSync(timed, `${SCENARIO}events: [{at: 30s, scale: {service: web, replicas: 5}}]\n`);
    const short = orchsim(["sweep", timed, "--vary", "duration=20s,1m", "--out", path.join(dir, "o")]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^--vary duration=20s: \S+timed\.yaml:\d+:\d+ events\[0\]\.at: 30s is after the end of the run \(duration 20s\)[^\n]*\n$/);
    // Every variant valid where the file alone is not (its event after its own end): it runs.
    const timedShort = path.join(dir, "timed-short.yaml");
    fs.writeFileSync(timedShort, fs.readFileSync(timed, "utf8").replace("duration: 1m", "duration: 20s"));
    expect(orchsim(["validate", timedShort]).code).toBe(2);
    const ok = orchsim(["sweep", timedShort, "--vary", "duration=40s,1m", "--seeds", "1", "--out", path.join(dir, "ok"), "--quiet"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    // The scenario's own problem is no variant's: said as it is.
    const broken = path.join(dir, "broken.yaml");
    fs.writeFileSync(broken, SCENARIO.replace("rate: 120/s", "rate: 120"));
    const own = orchsim(["sweep", broken, "--vary", "services.web.replicas=2,3", "--out", path.join(dir, "o")]);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/^\S+broken\.yaml:\d+:\d+ workload\[users\]\.rate: [^\n]*\n$/);
    expect(fs.existsSync(path.join(dir, "o"))).toBe(false);
  });

  it("gives each fault's windows per service as columns, the same figures a run of that seed reports", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO + "events:\n  - {at: 20s, nodeFailure: {nodes: [w-1]}}\n");
    const out = path.join(dir, "sw");
    const r = orchsim(["sweep", file, "--seeds", "2", "--vary", "cluster.nodeGroups.w.count=3,4", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const [header, ...rows] = fs.readFileSync(path.join(out, "sweep.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(header!.slice(14)).toEqual(["f1_detected_s", "f1_memberlist_dead_s", "f1_down_s", "f1_tasks_restored_s", "f1_judged", "f1_recovered_s", "f1_lost", "f1_p99_during_ms", "f1_p99_after_ms"]);
    const summaryHeader = fs.readFileSync(path.join(out, "sweep-summary.csv"), "utf8").split("\n")[0]!;
    expect(summaryHeader).toContain("f1_p99_after_ms_mean,f1_p99_after_ms_ci95,f1_p99_after_ms_diff,f1_p99_after_ms_diff_ci95");
    const run = path.join(dir, "run");
    orchsim(["run", file, "--set", "seed=2", "--set", "cluster.nodeGroups.w.count=4", "--out", run, "--quiet"]);
    const fault = JSON.parse(fs.readFileSync(path.join(run, "summary.json"), "utf8")).faults[0];
    const row = rows.find((x) => x[0] === "cluster.nodeGroups.w.count=4" && x[1] === "2")!;
    const cell = (v: number | null): string => (v === null ? "" : String(v));
    expect(fault.memberlist_dead_s).toBeGreaterThan(0); // the crashed worker, declared dead by the mesh's gossip
    expect(row.slice(14)).toEqual([fault.detected_s, fault.memberlist_dead_s, fault.down_s, fault.tasks_restored_s, fault.services.web.already_unhealthy ? 0 : 1, fault.services.web.recovered_s, fault.services.web.requests_lost, fault.services.web.p99_during_ms, fault.services.web.p99_after_ms].map(cell));
  });

  it("--report draws each metric of each service as a forest plot of the estimates in sweep-summary.csv", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    const out = path.join(dir, "sw");
    expect(orchsim(["sweep", file, "--seeds", "3", "--vary", "cluster.scheduler.strategy=spread,binpack", "--out", out, "--quiet", "--report"]).code).toBe(0);
    const html = fs.readFileSync(path.join(out, "sweep-report.html"), "utf8");
    expect(html.match(/<svg /g)).toHaveLength(3); // error_pct, p99_ms, slo_attained_pct of web
    const [header, , binpack] = fs.readFileSync(path.join(out, "sweep-summary.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const p99 = Number(binpack![header!.indexOf("p99_ms_mean")]);
    const ci = Number(binpack![header!.indexOf("p99_ms_ci95")]);
    const round = (x: number) => String(Math.round(x * 1000) / 1000);
    expect(html).toContain(`<title>${round(p99)} (${round(p99 - ci)} to ${round(p99 + ci)})</title>`);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it("orchsim report draws a finished sweep's report, the same as --report would have; a shard's and --compare are refused with what to do", () => {
    const dir = tempDir();
    const file = path.join(dir, "tiny.yaml");
    fs.writeFileSync(file, SCENARIO);
    const sweep = (out: string, ...args: string[]) => orchsim(["sweep", file, "--seeds", "2", "--vary", "cluster.scheduler.strategy=spread,binpack", "--set", "duration=50s", "--out", path.join(dir, out), "--quiet", ...args]);
    expect(sweep("with", "--report").code).toBe(0);
    expect(sweep("without").code).toBe(0);
    expect(fs.existsSync(path.join(dir, "without", "sweep-report.html"))).toBe(false);
    const r = orchsim(["report", path.join(dir, "without")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`report: ${path.join(dir, "without", "sweep-report.html")}\n`);
    const html = (out: string) => fs.readFileSync(path.join(dir, out, "sweep-report.html"), "utf8");
    expect(html("without")).toBe(html("with"));
    expect(JSON.parse(fs.readFileSync(path.join(dir, "with", "sweep.json"), "utf8"))).toMatchObject({ orchsim_sweep: 1, scenario: "tiny", seeds: [1, 2], variants: ["cluster.scheduler.strategy=spread", "cluster.scheduler.strategy=binpack"], set: ["duration=50s"] });
    // What every run was set to, in the report as well: its figures are of that cluster.
    expect(html("with")).toContain("<p>Every run with <code>--set duration=50s</code>.</p>");
    // A sweep another orchsim made: its report is drawn all the same, and said to be this one's.
    const manifestFile = path.join(dir, "without", "sweep.json");
    fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, "utf8").replace(/"orchsim": "[^"]*"/, '"orchsim": "0.0.1-old"'));
    const old = orchsim(["report", path.join(dir, "without")]);
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/^orchsim report: note: orchsim 0\.0\.1-old made the sweep; its report is drawn by \d/);
    const compare = orchsim(["report", path.join(dir, "without"), "--compare", path.join(dir, "with")]);
    expect([compare.code, compare.stderr]).toEqual([2, `orchsim report: --compare is for two runs; ${path.join(dir, "without")} is a sweep, whose report compares its variants\n`]);
    expect(sweep("shard", "--shard", "1/2").code).toBe(0);
    const shard = orchsim(["report", path.join(dir, "shard")]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain("is one shard of a sweep: orchsim merge --report writes the sweep's report from every shard");
    expect(fs.readdirSync(path.join(dir, "shard")).sort()).toEqual([".orchsim-output", "sweep-shard.json", "sweep.csv"]); // nothing written by the refusal
  });
});


describe("a fault that found a service already outside its SLO", () => {
  it("has f1_judged 0 in sweep.csv where the run's summary.json says already_unhealthy (hello-cluster with binpack: web 0, api 1)", () => {
    const dir = tempDir();
    const out = path.join(dir, "sw");
    expect(orchsim(["sweep", "scenarios/hello-cluster.yaml", "--set", "cluster.scheduler.strategy=binpack", "--seeds", "1", "--out", out, "--quiet"]).code).toBe(0);
    const [header, ...rows] = fs.readFileSync(path.join(out, "sweep.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const judged = Object.fromEntries(rows.map((r) => [r[header!.indexOf("service")], r[header!.indexOf("f1_judged")]]));
    const run = path.join(dir, "run");
    expect(orchsim(["run", "scenarios/hello-cluster.yaml", "--set", "cluster.scheduler.strategy=binpack", "--set", "seed=1", "--out", run, "--quiet"]).code).toBe(0);
    const fault = JSON.parse(fs.readFileSync(path.join(run, "summary.json"), "utf8")).faults[0];
    expect(judged).toEqual({ web: fault.services.web.already_unhealthy ? "0" : "1", api: fault.services.api.already_unhealthy ? "0" : "1" });
    expect(judged).toEqual({ web: "0", api: "1" });
  });
});

describe("--jobs past the machine's cores", () => {
  it("gets a note (unless --quiet), as many threads as cores none", async () => {
    const { availableParallelism } = await import("node:os");
    const { jobsNote } = await import("../../src/cli/sweep-command.js");
    const cores = availableParallelism();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s) => written.push(String(s)) > 0);
    try {
      jobsNote(cores, false);
      jobsNote(cores + 62, true);
      expect(written).toEqual([]);
      jobsNote(cores + 62, false);
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual([`orchsim: --jobs ${cores + 62} on ${cores} core${cores === 1 ? "" : "s"}: the threads take turns on the cores, each holding a run in memory; --jobs ${cores} is as fast\n`]);
  });
});
