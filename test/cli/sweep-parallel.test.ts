// A sweep in one thread, on worker threads, and as shards in separate processes merged: the
// same bytes. And what merge refuses: a missing shard, a shard twice, a shard of another sweep.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "./cli.js";
import { scenarioYaml } from "../helpers.js";

const SCENARIO = scenarioYaml({ name: "tiny", duration: "40s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 2, memory: 4GiB}]
services:
  - name: web
    replicas: 4
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: 2}
    request: {cpu: 20ms, calls: [{service: db}]}
  - name: db
    replicas: 2
workload:
  - {name: users, service: web, rate: 100/s}
events:
  - {at: 20s, nodeFailure: {nodes: [w-1]}}
`);

describe("parallel and sharded sweeps", () => {
  const dir = tempDir();
  const file = path.join(dir, "tiny.yaml");
  fs.writeFileSync(file, SCENARIO);
  const sweep = (out: string, ...args: string[]) => {
    const r = orchsim(["sweep", file, "--seeds", "3", "--vary", "cluster.scheduler.strategy=spread,binpack", "--out", path.join(dir, out), "--quiet", ...args]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  };
  const read = (out: string, name: string) => fs.readFileSync(path.join(dir, out, name), "utf8");
  sweep("one", "--jobs", "1");
  sweep("two", "--jobs", "2");
  for (const k of [1, 2, 3, 4]) sweep(`shard${k}`, "--shard", `${k}/4`, "--jobs", "1");

  it("--jobs 2 writes the same bytes as --jobs 1", () => {
    for (const name of ["sweep.csv", "sweep-summary.csv", "sweep.json"]) expect(read("two", name)).toBe(read("one", name));
    expect(read("one", "sweep.csv").trim().split("\n")).toHaveLength(1 + 2 * 3 * 2); // variants x seeds x services
  });

  it("a shard holds every 4th run, and merging the four (in any order) gives the single sweep's files", () => {
    const shard2 = read("shard2", "sweep.csv").trim().split("\n");
    expect(shard2.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["S=spread,2", "S=spread,2", "S=binpack,3", "S=binpack,3"].map((x) => x.replace("S", "cluster.scheduler.strategy")));
    const r = orchsim(["merge", ...["shard3", "shard1", "shard4", "shard2"].map((s) => path.join(dir, s)), "--out", path.join(dir, "merged"), "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const name of ["sweep.csv", "sweep-summary.csv", "sweep.json"]) expect(read("merged", name)).toBe(read("one", name));
    // The merged directory is a sweep's like any other: orchsim report draws its charts.
    expect(orchsim(["report", path.join(dir, "merged")]).code).toBe(0);
    expect(read("merged", "sweep-report.html")).toContain("orchsim sweep: ");
  });

  it("merge refuses a missing shard, a shard given twice and a shard of another sweep, writing nothing", () => {
    const merge = (...shards: string[]) => orchsim(["merge", ...shards.map((s) => path.join(dir, s)), "--out", path.join(dir, "bad")]);
    expect(merge("shard1", "shard2", "shard3").stderr).toBe("shard 4/4 missing: merge needs every shard\n");
    const twice = merge("shard1", "shard2", "shard3", "shard3");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`${path.join(dir, "shard3")} is given twice: give each shard once\n`);
    // A copy under another name is the same shard: said as that, not as rows gone wrong (walkthrough).
    fs.cpSync(path.join(dir, "shard3"), path.join(dir, "shard3-copy"), { recursive: true });
    expect(merge("shard1", "shard3", "shard2", "shard3-copy").stderr).toBe(`${path.join(dir, "shard3-copy")}: shard 3/4 is also in ${path.join(dir, "shard3")}\n`);
    sweep("other", "--seeds", "4", "--shard", "1/4", "--jobs", "1");
    expect(merge("shard1", "other").stderr).toBe(`${path.join(dir, "other")}: a shard of another sweep: its seeds are 1-4, not 1-3 (against ${path.join(dir, "shard1")})\n`);
    expect(merge("one").stderr).toMatch(/not a sweep shard \(no sweep-shard\.json/);
    expect(merge("nowhere").stderr).toBe(`${path.join(dir, "nowhere")} does not exist\n`);
    expect(merge("shard1/sweep.csv").stderr).toBe(`${path.join(dir, "shard1/sweep.csv")} is not a directory: a shard is the directory orchsim sweep --shard wrote\n`);
    sweep("otherset", "--shard", "4/4", "--jobs", "1", "--set", "services.web.replicas=3");
    expect(merge("shard1", "shard2", "shard3", "otherset").stderr).toMatch(/otherset: a shard of another sweep: its scenario file, stack files, strategy modules, --set or \$\{VAR\} values differ/);
    sweep("morevary", "--shard", "4/4", "--jobs", "1", "--vary", "services.web.replicas=1,2");
    expect(merge("shard1", "shard2", "shard3", "morevary").stderr).toMatch(/morevary: a shard of another sweep: its variant 1 is cluster\.scheduler\.strategy=spread services\.web\.replicas=1, not cluster\.scheduler\.strategy=spread \(against/);
    expect(fs.existsSync(path.join(dir, "bad"))).toBe(false);
  });

  it("merge refuses a shard whose sweep.csv lost, doubled or gained rows, writing nothing", () => {
    const copy = (name: string, edit: (lines: string[]) => string[]) => {
      fs.cpSync(path.join(dir, "shard2"), path.join(dir, name), { recursive: true });
      const lines = read("shard2", "sweep.csv").trim().split("\n");
      fs.writeFileSync(path.join(dir, name, "sweep.csv"), edit(lines).join("\n") + "\n");
    };
    const merge = (damaged: string) => orchsim(["merge", ...["shard1", damaged, "shard3", "shard4"].map((s) => path.join(dir, s)), "--out", path.join(dir, "bad")]);
    const S = "cluster.scheduler.strategy";
    copy("cut", (lines) => lines.slice(0, 3));
    expect(merge("cut").stderr).toBe(`${path.join(dir, "cut", "sweep.csv")}: it has no rows for the run of ${S}=binpack, seed 3, which sweep-shard.json lists: it is not the file the shard wrote (copy the shard again, or run it again)\n`);
    copy("doubled", (lines) => [...lines, ...lines.slice(1)]);
    expect(merge("doubled").stderr).toMatch(/doubled\/sweep\.csv: it has 4 rows \(one per service is 2\) for the run of cluster\.scheduler\.strategy=spread, seed 2, which/);
    copy("halved", (lines) => lines.filter((_, i) => i !== 2));
    expect(merge("halved").stderr).toMatch(/halved\/sweep\.csv: it has rows for web only for the run of cluster\.scheduler\.strategy=spread, seed 2/);
    const one = read("shard1", "sweep.csv").trim().split("\n");
    copy("mixed", (lines) => [...lines, ...one.slice(1)]);
    expect(merge("mixed").stderr).toMatch(/mixed\/sweep\.csv: it has rows for the run of cluster\.scheduler\.strategy=spread, seed 1, which sweep-shard\.json does not list/);
    expect(merge("cut").code).toBe(2);
    // Only its header, or no file at all: the runs it lacks, or the file it lacks, named (walkthrough: "its columns differ", the intact shard blamed).
    copy("header", (lines) => lines.slice(0, 1));
    const header = orchsim(["merge", ...["header", "shard1", "shard3", "shard4"].map((s) => path.join(dir, s)), "--out", path.join(dir, "bad")]);
    expect(header.stderr).toMatch(/^[^\n]*header\/sweep\.csv: it has no rows for the run of cluster\.scheduler\.strategy=spread, seed 2, which sweep-shard\.json lists/);
    fs.rmSync(path.join(dir, "header", "sweep.csv"));
    expect(merge("header").stderr).toBe(`${path.join(dir, "header")}/sweep.csv is missing: the shard did not finish, or was copied without it (copy it again, or run it again)\n`);
    // Every shard emptied to its header: still damage, not an empty sweep merged (review).
    for (const k of [1, 2, 3, 4]) {
      fs.cpSync(path.join(dir, `shard${k}`), path.join(dir, `bare${k}`), { recursive: true });
      fs.writeFileSync(path.join(dir, `bare${k}`, "sweep.csv"), read(`shard${k}`, "sweep.csv").split("\n")[0] + "\n");
    }
    const bare = orchsim(["merge", ...[1, 2, 3, 4].map((k) => path.join(dir, `bare${k}`)), "--out", path.join(dir, "bad")]);
    expect(bare.stderr).toMatch(/^[^\n]*bare1\/sweep\.csv: it has no rows for the run of cluster\.scheduler\.strategy=spread, seed 1, which sweep-shard\.json lists/);
    // Two shards whose columns differ: which is wrong cannot be told, so both are named.
    for (const k of [1, 2]) sweep(`half${k}`, "--shard", `${k}/2`, "--jobs", "1");
    const renamed = read("half2", "sweep.csv").replace(/^variant,seed,service,/, "variant,seed,svc,");
    expect(renamed).not.toBe(read("half2", "sweep.csv"));
    fs.writeFileSync(path.join(dir, "half2", "sweep.csv"), renamed);
    const halves = orchsim(["merge", path.join(dir, "half1"), path.join(dir, "half2"), "--out", path.join(dir, "bad")]);
    expect(halves.stderr).toBe(`${path.join(dir, "half2")}/sweep.csv and ${path.join(dir, "half1")}/sweep.csv have different columns: one of them is not the file its shard wrote\n`);
    // Given first, the damaged copy is still the one named: the other shards are not measured by it.
    const first = orchsim(["merge", ...["doubled", "shard1", "shard3", "shard4"].map((s) => path.join(dir, s)), "--out", path.join(dir, "bad")]);
    expect(first.stderr).toMatch(/^[^\n]*doubled\/sweep\.csv: it has 4 rows/);
    expect(fs.existsSync(path.join(dir, "bad"))).toBe(false);
  });

  it("merge refuses shards run with different code in the same strategy module", () => {
    const module = path.join(dir, "first.mjs");
    const write = (pick: string) => fs.writeFileSync(module, `export default { name: "first", choose(task, candidates) { return candidates[${pick}]; } };\n`);
    const shard = (k: number) => {
      const r = orchsim(["sweep", file, "--seeds", "2", "--vary", "cluster.scheduler.strategy=spread,./first.mjs", "--shard", `${k}/2`, "--jobs", "1", "--out", path.join(dir, `edited${k}`), "--quiet"]);
      expect(r.stderr).toBe("");
    };
    write("0");
    shard(1);
    write("candidates.length - 1");
    shard(2);
    const r = orchsim(["merge", path.join(dir, "edited1"), path.join(dir, "edited2"), "--out", path.join(dir, "badedit")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/edited2: a shard of another sweep: its scenario file, stack files, strategy modules/);
  });

  it("more shards than runs: the extra ones are empty and merge takes them (an Indexed Job sized above a small sweep still completes)", () => {
    const small = ["--seeds", "1", "--jobs", "2"]; // 2 runs: the variants spread and binpack
    sweep("small", ...small);
    const shard = (k: number) => orchsim(["sweep", file, "--vary", "cluster.scheduler.strategy=spread,binpack", ...small, "--shard", `${k}/3`, "--out", path.join(dir, `small${k}`)]);
    for (const k of [1, 2]) expect(shard(k).code).toBe(0);
    const empty = shard(3);
    expect([empty.code, empty.stderr]).toEqual([0, ""]);
    expect(empty.stdout).toContain("shard 3/3: 0 of 2 runs (more shards than runs: this one is empty, and merge takes it)");
    // Given first or last, the empty shard changes nothing in the merged files.
    for (const order of [[3, 1, 2], [1, 2, 3]]) {
      const out = `smallmerged${order[0]}`;
      const r = orchsim(["merge", ...order.map((k) => path.join(dir, `small${k}`)), "--out", path.join(dir, out), "--quiet"]);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      for (const f of ["sweep.csv", "sweep-summary.csv", "sweep.json"]) expect(read(out, f), f).toBe(read("small", f));
    }
  });

  it("--shard and --jobs refuse what they cannot mean", () => {
    expect(orchsim(["sweep", file, "--shard", "5/4"]).stderr).toMatch(/--shard: "5\/4" is not K\/N/);
    expect(orchsim(["sweep", file, "--jobs", "0"]).code).toBe(2);
    // One list per field: given twice, the last value would win under a label naming both.
    const twice = orchsim(["sweep", file, "--vary", "cluster.scheduler.strategy=spread", "--vary", "cluster.scheduler.strategy=binpack"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe("--vary: cluster.scheduler.strategy is varied twice; give its values in one list (--vary cluster.scheduler.strategy=a,b,c)\n");
    expect(orchsim(["sweep", file, "--set", "services.web.replicas=2", "--vary", "services.web.replicas=3,4"]).stderr).toBe("--vary: services.web.replicas is also given by --set, which the variants would override\n");
    expect(orchsim(["sweep", file, "--shard", "1/2", "--report"]).stderr).toBe("--report: a shard has no estimates to draw; give --report to orchsim merge\n");
    expect(orchsim(["sweep", file, "--vary", "services.web.replicas,services.web.replicas=3,4"]).stderr).toBe("--vary: services.web.replicas is varied twice; give its values in one list (--vary services.web.replicas=a,b,c)\n");
    expect(orchsim(["sweep", file, "--vary", "services.web.replicas,=3,4"]).stderr).toBe('--vary: "services.web.replicas," is not a field, or fields separated by commas\n');
  });

  it("--vary with fields joined by commas sets them together: one variant per value, each the runs --set would make", () => {
    const joined = path.join(dir, "joined");
    const r = orchsim(["sweep", file, "--seeds", "1", "--vary", "services.web.replicas,services.db.replicas=1,3", "--out", joined, "--quiet"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const rows = fs.readFileSync(path.join(joined, "sweep.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(2 * 2); // two variants (not four) x two services
    expect(new Set(rows.map((l) => /^"?([^"]*=\d)"?,/.exec(l)?.[1]))).toEqual(new Set(["services.web.replicas,services.db.replicas=1", "services.web.replicas,services.db.replicas=3"]));
    const set = path.join(dir, "set3");
    expect(orchsim(["sweep", file, "--seeds", "1", "--set", "services.web.replicas=3", "--set", "services.db.replicas=3", "--out", set, "--quiet"]).code).toBe(0);
    // The figures after the label and seed: the variant of 3 is the run with both set to 3.
    const figures = (line: string) => line.replace(/^("[^"]*"|[^,]*),/, "");
    const three = rows.filter((l) => l.includes("=3"));
    expect(three.map(figures)).toEqual(fs.readFileSync(path.join(set, "sweep.csv"), "utf8").trim().split("\n").slice(1).map(figures));
  });
});

describe("examples/distributed/sweep-job.yaml", () => {
  it("runs as many shards as --shard's n, with flags orchsim has, and merges them all", async () => {
    const { parseAllDocuments } = await import("yaml");
    const text = fs.readFileSync(path.join(import.meta.dirname, "../../examples/distributed/sweep-job.yaml"), "utf8");
    const [claim, shards, merge, reader] = parseAllDocuments(text).map((d) => d.toJS()) as [any, any, any, any];
    const args = shards.spec.template.spec.containers[0].args[0] as string;
    const n = Number(/--shard \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/(\d+)/.exec(args)?.[1]);
    expect(shards.spec.completionMode).toBe("Indexed");
    expect(shards.spec.completions).toBe(n);
    // The shard's command, with the index a pod gets, is a sweep orchsim accepts.
    const help = orchsim(["sweep", "--help"]).stdout;
    for (const flag of args.match(/--[a-z-]+/g) ?? []) expect(help, flag).toContain(flag);
    expect(merge.spec.template.spec.initContainers[0].command[2]).toContain(`-eq ${n} ]`);
    // orchsim itself is the container's first process, so the kubelet's SIGTERM reaches it (a
    // shell in between, as PID 1, ignores it; npx does not pass it on).
    const bin = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")).bin.orchsim as string;
    expect(args.startsWith(`exec node ${bin} sweep `)).toBe(true);
    expect(merge.spec.template.spec.containers[0].args[0].startsWith(`exec node ${bin} merge /results/shard-[0-9][0-9] `)).toBe(true);
    expect(args).toContain("--out /results/shard-$(printf %02d $JOB_COMPLETION_INDEX)");
    // A failed shard Job does not leave the merge waiting for ever.
    expect(merge.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    // The results are copied out of the reader pod, which holds the same claim.
    expect(text).toContain(`kubectl cp ${reader.metadata.name}:/results/merged`);
    for (const pod of [shards, merge]) expect(pod.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    expect(reader.spec.volumes[0].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
  });
});

describe("a sweep whose variants fire different numbers of faults", () => {
  const dir = tempDir();
  const file = path.join(dir, "tiny.yaml");
  // The node failure comes back after 5 s and strikes again every 10 s: `times` is varied.
  fs.writeFileSync(file, SCENARIO.replace("{at: 20s, nodeFailure: {nodes: [w-1]}}", "{at: 15s, every: 10s, times: 1, nodeFailure: {nodes: [w-1], recoverAfter: 5s}}"));
  const sweep = (out: string, times: string, ...args: string[]) => {
    const r = orchsim(["sweep", file, "--seeds", "2", "--vary", `events.0.times=${times}`, "--out", path.join(dir, out), "--quiet", ...args]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  };
  const read = (out: string, name: string) => fs.readFileSync(path.join(dir, out, name), "utf8");

  it("keeps every fault's columns, empty for the runs that had fewer, whichever variant comes first", () => {
    for (const [out, times] of [["few-first", "1,2"], ["many-first", "2,1"]] as const) {
      sweep(out, times, "--jobs", "1");
      const [header, ...rows] = read(out, "sweep.csv").trim().split("\n");
      const cols = header!.split(",");
      expect(cols.filter((c) => /^f\d+_recovered_s$/.test(c))).toEqual(["f1_recovered_s", "f2_recovered_s"]);
      const at = cols.indexOf("f2_lost");
      for (const row of rows) {
        const cells = row.split(",");
        expect(cells[at] === "").toBe(cells[0] === "events.0.times=1");
      }
      expect(read(out, "sweep-summary.csv").split("\n")[0]).toContain("f2_detected_s_mean");
    }
  });

  it("its shards merge into the same files, though each shard's runs fired a different number of faults", () => {
    sweep("whole", "1,2", "--jobs", "1");
    sweep("s1", "1,2", "--shard", "1/2", "--jobs", "1", "--seeds", "1");
    sweep("s2", "1,2", "--shard", "2/2", "--jobs", "1", "--seeds", "1");
    sweep("whole1", "1,2", "--jobs", "1", "--seeds", "1");
    const r = orchsim(["merge", path.join(dir, "s1"), path.join(dir, "s2"), "--out", path.join(dir, "merged"), "--quiet"]);
    expect(r.stderr).toBe("");
    for (const name of ["sweep.csv", "sweep-summary.csv"]) expect(read("merged", name)).toBe(read("whole1", name));
    // A shard an older build wrote (no f<i>_memberlist_dead_s) is refused, not merged with empty cells (review).
    fs.cpSync(path.join(dir, "s2"), path.join(dir, "s2-old"), { recursive: true });
    const csv = read("s2-old", "sweep.csv").trim().split("\n").map((l) => l.split(","));
    const drop = new Set(csv[0]!.flatMap((c, i) => (/^f\d+_memberlist_dead_s$/.test(c) ? [i] : [])));
    expect(drop.size).toBe(2);
    fs.writeFileSync(path.join(dir, "s2-old", "sweep.csv"), csv.map((cells) => cells.filter((_, i) => !drop.has(i)).join(",")).join("\n") + "\n");
    const old = orchsim(["merge", path.join(dir, "s1"), path.join(dir, "s2-old"), "--out", path.join(dir, "merged-old"), "--quiet"]);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/s2-old\/sweep\.csv: its fault columns are not this orchsim's \(each fault's detected_s, memberlist_dead_s, .*\): another build wrote it; run its shard again\n$/);
    expect(fs.existsSync(path.join(dir, "merged-old"))).toBe(false);
  });
});
