// The README's startup-storm walk-through, checked against the run it describes (seed 42): the
// table's figures are read from the README itself and compared with the run's summary, and each
// step's claim with the run's events, windows and nodes.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/cli.js";
import { eventsOf, runFile } from "../helpers.js";

const STORM = path.join(ROOT, "scenarios/startup-storm.yaml");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The cells of the README's storm table row that starts with `label`. */
function tableRow(label: string): string[] {
  const line = README.split("\n").find((l) => l.startsWith(`| ${label} |`))!;
  return line.split("|").slice(2, 4).map((c) => c.trim());
}
const count = (cell: string) => Number(/^[\d,]+/.exec(cell)![0].replace(/,/g, ""));

describe("README: the startup-storm story", () => {
  const heavy = runFile(STORM);
  const light = runFile(STORM, ["services.web.startup.cpu=1s"]);
  const web = (o: typeof heavy) => o.summary.services["web"]!;

  it("the table's requests, errors, p99 and unhealthy are the runs'", () => {
    expect(tableRow("requests").map(count)).toEqual([web(heavy).arrivals, web(light).arrivals]);
    expect(tableRow("errors").map(count)).toEqual([web(heavy).errors, web(light).errors]);
    expect(tableRow("containers found unhealthy and replaced").map(count)).toEqual([web(heavy).unhealthy, web(light).unhealthy]);
    const p99 = tableRow("p99 latency").map((c) => Number(/^[\d.]+/.exec(c)![0]));
    expect(p99[0]).toBeCloseTo(web(heavy).latency_ms!.p99 / 1000, 1);
    expect(p99[1]).toBeCloseTo(web(light).latency_ms!.p99 / 1000, 1);
    expect(tableRow("`recovered_s` of the spike")).toEqual([`${heavy.summary.faults[0]!.recovered_s} s: 4 minutes after it ended`, `${light.summary.faults[0]!.recovered_s} s`]);
    expect(heavy.summary.faults[0]!.recovered_s! + 300 - 930).toBeGreaterThanOrEqual(210);
    expect(heavy.summary.faults[0]!.recovered_s! + 300 - 930).toBeLessThanOrEqual(270);
  });

  it("steps 1-3: 12 replicas at 315 s (70%), 16 at 330 s (100%, the starting ones counted idle), first unhealthy at 337 s and six by 341 s, none running at 350 s, all workers full at 360 and 370 s", () => {
    const as = eventsOf(heavy.events, "autoscale");
    expect(as.slice(0, 2).map((e) => [e["t_s"], e["to"], Math.round(100 * (e["cpu"] as number))])).toEqual([[315, 12, 70], [330, 16, 100]]);
    const unhealthy = heavy.events.filter((e) => e["kind"] === "task" && e["reason"] === "unhealthy container").map((e) => e["t_s"] as number);
    expect(Math.floor(unhealthy[0]!)).toBe(337);
    expect(unhealthy.filter((t) => t <= 341)).toHaveLength(6);
    expect(heavy.timeseries.find((r) => r.t_s === 350)!.tasks_running).toBe(0);
    for (const t of [360, 370]) {
      const workers = heavy.nodes.filter((r) => r.t_s === t && r.node.startsWith("worker"));
      expect(workers.every((r) => r.cpu_util > 0.98)).toBe(true);
    }
  });

  it("step 4: the replacements pile onto the worker that failed least lately: from 530 s some worker holds none, and all 16 are on one at 640-650 s and 710-760 s", () => {
    const at = (t: number) => heavy.nodes.filter((r) => r.t_s === t && r.node.startsWith("worker")).map((r) => r.tasks);
    const ends = [...new Set(heavy.nodes.map((r) => r.t_s))].filter((t) => t >= 350 && t <= 910);
    expect(ends.filter((t) => Math.min(...at(t)) === 0)[0]).toBe(530);
    expect(ends.filter((t) => t >= 530).every((t) => Math.min(...at(t)) === 0)).toBe(true);
    const allOnOne = ends.filter((t) => Math.max(...at(t)) === 16);
    expect(allOnOne).toEqual([640, 650, 710, 720, 730, 740, 750, 760]);
    for (const t of allOnOne) expect(at(t).sort()).toEqual([0, 0, 0, 16]);
  });

  it("step 4: from 350 s to 910 s no container serves in about half the windows and seldom more than four in the others; the autoscaler stays at 16", () => {
    const as = eventsOf(heavy.events, "autoscale");
    expect(as.filter((e) => (e["t_s"] as number) > 330 && (e["t_s"] as number) < 915)).toEqual([]);
    const frozen = heavy.timeseries.filter((r) => r.t_s > 350 && r.t_s <= 910);
    const none = frozen.filter((r) => r.tasks_running === 0).length;
    expect(none / frozen.length).toBeGreaterThan(0.4);
    expect(none / frozen.length).toBeLessThan(0.6);
    expect(frozen.filter((r) => r.tasks_running > 4).length / frozen.length).toBeLessThan(0.1);
  });

  it("step 5: at 915 s it halves to 8 on one container at 16%; no request fails from 1170 s, all 8 run at 1220 s, recovered_s 870, 151 killed", () => {
    const as = eventsOf(heavy.events, "autoscale");
    expect(as.filter((e) => (e["t_s"] as number) > 330).map((e) => [e["t_s"], e["from"], e["to"], Math.round(100 * (e["cpu"] as number))])[0]).toEqual([915, 16, 8, 16]);
    expect(heavy.timeseries.filter((r) => r.t_s > 930 && r.t_s < 1160).some((r) => r.errors > 0)).toBe(true);
    expect(heavy.timeseries.find((r) => r.t_s === 1160)!.errors).toBeGreaterThan(0);
    expect(heavy.timeseries.filter((r) => r.t_s >= 1170).every((r) => r.errors === 0)).toBe(true);
    expect(heavy.timeseries.find((r) => r.tasks_running === 8 && r.t_s > 940)!.t_s).toBe(1220);
    expect(heavy.summary.faults[0]!.recovered_s).toBe(870);
    expect(web(heavy).unhealthy).toBe(151);
  });

  it("the light run: 12 at 315 s, 19 at 330 s, 22 at 345 s, 25 at 360 s, and no errors", () => {
    const ups = eventsOf(light.events, "autoscale").filter((e) => (e["to"] as number) > (e["from"] as number));
    expect(ups.map((e) => [e["t_s"], e["to"]])).toEqual([[315, 12], [330, 19], [345, 22], [360, 25]]);
    expect(web(light).errors).toBe(0);
  });

  it("the variants it names: no autoscaler 41% (light) and 54% (heavy); 8 workers 50%; a 60% target 44% (light)", () => {
    const lost = (sets: string[]): number => {
      const s = runFile(STORM, sets).summary.services["web"]!;
      return Math.round((100 * s.errors) / s.arrivals);
    };
    expect(lost(["services.web.autoscale=null", "services.web.startup.cpu=1s"])).toBe(41);
    expect(lost(["services.web.autoscale=null"])).toBe(54);
    expect(lost(["cluster.nodeGroups.worker.count=8"])).toBe(50);
    // With 8 workers the first checks fail at 336 s and the autoscaler stays at 16 until 1470 s.
    const eight = runFile(STORM, ["cluster.nodeGroups.worker.count=8"]);
    const failed = eight.events.find((e) => e["kind"] === "task" && e["reason"] === "unhealthy container")!;
    expect(Math.floor(failed["t_s"] as number)).toBe(336);
    expect(eventsOf(eight.events, "autoscale").map((e) => [e["t_s"], e["to"]])).toEqual([[315, 12], [330, 16], [1470, 9]]);
    expect(lost(["services.web.autoscale.targetCpu=60%", "services.web.startup.cpu=1s"])).toBe(44);
  });

  it("seeds 1-3: the heavy start-up loses 61-81% of requests, never comes back with seeds 1 and 2 and does 940 s in with seed 3; the light one loses none", () => {
    const back: (number | null)[] = [];
    for (const seed of [1, 2, 3]) {
      const heavyRun = runFile(STORM, [`seed=${seed}`]);
      const h = heavyRun.summary.services["web"]!;
      const l = runFile(STORM, [`seed=${seed}`, "services.web.startup.cpu=1s"]).summary.services["web"]!;
      expect(h.errors / h.arrivals).toBeGreaterThanOrEqual(0.605);
      expect(h.errors / h.arrivals).toBeLessThan(0.815);
      back.push(heavyRun.summary.faults[0]!.recovered_s);
      expect(l.errors).toBe(0);
    }
    expect(back).toEqual([null, null, 940]);
  });
});
