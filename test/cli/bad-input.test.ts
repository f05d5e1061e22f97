import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "./cli.js";

function writeScenario(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const GOOD = `version: 1
name: tiny
duration: 30s
cluster:
  managers: {count: 1}
services:
  - name: web
    replicas: 2
    ports: [{published: 80, target: 80}]
workload:
  - {name: users, service: web, rate: 50/s}
`;

describe("orchsim run and validate on bad input", () => {
  it("a scenario with a bad size exits 2 with file, line, column and field, and writes nothing", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "bad.yaml", GOOD.replace("replicas: 2", "replicas: 2\n    resources: {reservations: {memory: 512 MB}}"));
    const out = path.join(dir, "out");
    const r = orchsim(["run", file, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${file}:9:40 services[web].resources.reservations.memory: "512 MB" is not a size (try 512MiB)\n`);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(["bad.yaml"]);
  });

  it("validate explains every problem, one per line", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "two.yaml", GOOD.replace("replicas: 2", "replics: 2").replace("rate: 50/s", "rate: fast"));
    const r = orchsim(["validate", file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/two\.yaml:8:5 services\[web\]\.replics: unknown field \(did you mean replicas\?\)$/);
    expect(lines[1]).toMatch(/two\.yaml:11:39 workload\[users\]\.rate: .*fast/);
  });

  it("validate accepts a good file and says what it holds", () => {
    const dir = tempDir();
    const r = orchsim(["validate", writeScenario(dir, "good.yaml", GOOD)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok (scenario "tiny": 1 node, 1 service, 1 workload, 0 events)');
  });

  it("a missing file, an unknown command and a bad --set all exit 2", () => {
    expect(orchsim(["run", "no/such/file.yaml"]).code).toBe(2);
    expect(orchsim(["frobnicate"]).code).toBe(2);
    const dir = tempDir();
    const r = orchsim(["run", writeScenario(dir, "g.yaml", GOOD), "--set", "services.nope.replicas=3", "--out", path.join(dir, "o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--set services\.nope/);
    expect(fs.existsSync(path.join(dir, "o"))).toBe(false);
  });

  it("a failure inside the simulation exits 1 with the seed and the command that reproduces it", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "broken.mjs"), `export default { name: "broken", choose() { throw new Error("strategy exploded"); } };\n`);
    const file = writeScenario(dir, "fail.yaml", GOOD.replace("  managers: {count: 1}", "  managers: {count: 1}\n  scheduler: {strategy: ./broken.mjs}"));
    const out = path.join(dir, "out");
    const r = orchsim(["run", file, "--seed", "99", "--set", "services.web.replicas=3", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(seed 99)");
    expect(r.stderr).toContain("strategy exploded");
    expect(r.stderr).toContain(`reproduce with: npx orchsim run ${file} --seed 99 --set services.web.replicas=3`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(["broken.mjs", "fail.yaml"]);
  });
});

describe("orchsim run as a user runs it", () => {
  it("writes to out/<scenario name> by default and --set changes the model", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "tiny.yaml", GOOD);
    const r = orchsim(["run", file, "--set", "services.web.replicas=3", "--set", "workload.users.rate=80/s"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tiny \(seed 1\): 30 s simulated/);
    expect(r.stdout).toContain(`outputs: ${path.join(dir, "out", "tiny")}`);
    const ts = fs.readFileSync(path.join(dir, "out", "tiny", "timeseries.csv"), "utf8").trim().split("\n");
    expect(ts[0]).toBe("t_s,service,arrivals,completed,errors,timeouts,rejected,p50_ms,p95_ms,p99_ms,max_ms,tasks_desired,tasks_running,tasks_starting,tasks_pending,restarts,oom_kills,unhealthy");
    expect(ts).toHaveLength(4); // header + 3 windows of 10 s
    const last = ts[3]!.split(",");
    expect(last[11]).toBe("3");
    expect(last[12]).toBe("3");
    const arrivals = ts.slice(1).reduce((n, line) => n + Number(line.split(",")[2]), 0);
    expect(arrivals).toBeGreaterThan(80 * 30 * 0.85);
    expect(arrivals).toBeLessThan(80 * 30 * 1.15);
  });

  it("-q is --quiet: nothing printed, the files written", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "tiny.yaml", GOOD);
    const r = orchsim(["run", file, "-q", "--out", path.join(dir, "q")]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(fs.existsSync(path.join(dir, "q", "summary.json"))).toBe(true);
  });

  it("a window in which nothing completed has empty latency cells, not 0", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "tiny.yaml", GOOD);
    const out = path.join(dir, "o");
    // The traffic stops at 10 s (a spike to nothing): the window to 20 s completes the last request, the one to 30 s nothing.
    expect(orchsim(["run", file, "--set", "events=[{at: 10s, loadSpike: {workload: users, rate: 0/s, duration: 1m}}]", "--out", out, "--quiet"]).code).toBe(0);
    const rows = fs.readFileSync(path.join(out, "timeseries.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    expect(rows.map((r) => [r[0], Number(r[3]) > 0])).toEqual([["10", true], ["20", true], ["30", false]]);
    for (const r of rows.slice(0, 2)) expect(r.slice(7, 11).every((c) => Number(c) > 0)).toBe(true);
    expect(rows[2]!.slice(7, 11)).toEqual(["", "", "", ""]);
  });
});

describe("a --set that makes another field of the file wrong", () => {
  it("is named in front of that field's line; the file's own problems stay as they are (walkthrough: the file was blamed)", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "s.yaml", GOOD);
    const renamed = orchsim(["validate", file, "--set", "services.web.name=api"]);
    expect([renamed.code, renamed.stderr]).toEqual([2, `--set services.web.name=api: ${file}:11:28 workload[users].service: unknown service "web" (known: api)\n`]);
    const emptied = orchsim(["run", file, "--set", "cluster.managers.count=1", "--set", "workload.users.rate=", "--out", path.join(dir, "o")]);
    expect([emptied.code, emptied.stderr]).toEqual([2, `--set workload.users.rate=: ${file}:11:5 workload[users].rate: missing required field\n`]);
    expect(fs.existsSync(path.join(dir, "o"))).toBe(false);
    const broken = writeScenario(dir, "b.yaml", GOOD.replace("rate: 50/s", "rate: 50"));
    expect(orchsim(["validate", broken, "--set", "services.web.replicas=3"]).stderr).toMatch(/^\S+b\.yaml:11:\d+ workload\[users\]\.rate: /);
  });

  it("is named the same way by a sweep with --vary and by plan, whose values are tried over the --sets (walkthrough: only run, validate and a plain sweep did)", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "s.yaml", GOOD);
    const line = `--set services.web.name=api: ${file}:11:28 workload[users].service: unknown service "web" (known: api)\n`;
    const swept = orchsim(["sweep", file, "--seeds", "1", "--set", "services.web.name=api", "--vary", "services.api.replicas=2,3", "--out", path.join(dir, "o")]);
    expect([swept.code, swept.stderr]).toEqual([2, line]);
    const planned = orchsim(["plan", file, "--seeds", "1", "--set", "services.web.name=api", "--minimize", "services.api.replicas", "--range", "1..4", "--out", path.join(dir, "p")]);
    expect([planned.code, planned.stderr]).toEqual([2, line]);
    expect(fs.existsSync(path.join(dir, "o")) || fs.existsSync(path.join(dir, "p"))).toBe(false);
    // The file's own problem stays as it is, and the variant's own leads with the variant.
    const broken = writeScenario(dir, "b.yaml", GOOD.replace("rate: 50/s", "rate: 50"));
    const both = orchsim(["sweep", broken, "--seeds", "1", "--vary", "services.web.ports=x,y", "--out", path.join(dir, "o")]);
    expect(both.stderr.split("\n")).toEqual([
      "--vary services.web.ports: must be a list (got \"x\")",
      expect.stringMatching(/^--vary services\.web\.ports=x: \S+b\.yaml:11:28 workload\[users\]\.service: service web publishes no port/),
      expect.stringMatching(/^\S+b\.yaml:11:39 workload\[users\]\.rate: 50 is not a rate/),
      "",
    ]);
  });
});

describe("an output directory that holds an input", () => {
  it("is refused before anything runs, and the input survives (a run replaces its output directory)", () => {
    const dir = tempDir();
    const prev = path.join(dir, "prev");
    fs.mkdirSync(prev);
    fs.writeFileSync(path.join(prev, ".orchsim-output"), "written by orchsim\n");
    const file = writeScenario(prev, "s.yaml", GOOD);
    const r = orchsim(["run", file, "--out", prev]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${prev} holds ${file}, which this command reads; the outputs replace that directory, so write them elsewhere (--out)\n`);
    expect(fs.readFileSync(file, "utf8")).toBe(GOOD);
    expect(fs.readdirSync(dir)).toEqual(["prev"]); // no temporary directory either
    expect(orchsim(["sweep", file, "--seeds", "1", "--out", dir]).stderr).toMatch(/holds .*s\.yaml, which this command reads/);
  });

  it("an empty --out is refused: it would be the working directory, the user's files among the outputs", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "s.yaml", GOOD);
    const r = orchsim(["run", file, "--out", ""], dir);
    expect([r.code, r.stderr]).toEqual([2, "--out: the path is empty; name the directory the outputs go to (e.g. --out out/run1)\n"]);
    expect(fs.readdirSync(dir)).toEqual(["s.yaml"]);
  });
});

describe("small mistakes", () => {
  it("--seed that is not a number and `every: 0s` are refused with their own words", () => {
    const dir = tempDir();
    const file = writeScenario(dir, "g.yaml", GOOD);
    const r = orchsim(["run", file, "--seed", "abc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--seed: "abc" is not a whole number\n');
    const negative = orchsim(["run", file, "--seed", "-1"]);
    expect([negative.code, negative.stderr]).toEqual([2, '--seed: "-1" must be 0 or more\n']);
    const every = writeScenario(dir, "e.yaml", `${GOOD}events:\n  - {at: 1s, every: 0s, scale: {service: web, replicas: 3}}\n`);
    const v = orchsim(["validate", every]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain("events[0].every: must be longer than 0");
  });
});
