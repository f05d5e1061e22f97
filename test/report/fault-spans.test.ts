// A fault's span and what the outputs say of it, where faults come together (walkthrough,
// thirty-fifth session): two at one instant, a drain of a node the managers already hold
// DOWN, and a breach carried into the next fault's span and recovered there.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "../cli/cli.js";
import type { Summary } from "../../src/metrics/rows.js";

/** hello-cluster with these events, run with --report: its terminal, summary.json, story.md and events.jsonl lines. */
function run(events: string) {
  const out = path.join(tempDir(), "o");
  const r = orchsim(["run", "scenarios/hello-cluster.yaml", "--set", events, "--report", "--out", out]);
  expect(r.code).toBe(0);
  const read = (f: string): string => fs.readFileSync(path.join(out, f), "utf8");
  return { stdout: r.stdout, summary: JSON.parse(read("summary.json")) as Summary, story: read("story.md"), events: read("events.jsonl").split("\n"), html: read("report.html") };
}

describe("faults of one instant share their span", () => {
  const r = run("events=[{at: 2m, loadSpike: {workload: users, rate: 450/s, duration: 90s, ramp: 10s}}, {at: 2m, drain: {node: web-2}}]");

  it("each is judged by the windows up to the next instant with a fault: the first was 'absorbed' with none", () => {
    const [spike, drain] = r.summary.faults;
    expect(spike!.recovered_s).toBeGreaterThan(0);
    expect(spike!.recovered_s).toBe(drain!.recovered_s);
    expect(spike!.worst_window).toEqual(drain!.worst_window);
    expect(r.stdout).not.toMatch(/fault loadSpike at 120 s \(users\): absorbed/);
    // The terminal says which faults share a span, whose figures are then the same on each line.
    expect(r.stdout).toContain("fault loadSpike at 120 s (users), its span shared with the drain at 120 s: ");
    expect(r.stdout).toContain("fault drain at 120 s (web-2), its span shared with the loadSpike at 120 s: ");
  });

  it("story.md cites each its own line and tells each span's steps", () => {
    const cited = [...r.story.matchAll(/^- \*\*t = 120 s\*\*: (\w+) hits [^(]*\(events\.jsonl:(\d+)\)$/gm)].map((m) => [m[1], JSON.parse(r.events[Number(m[2]) - 1]!).fault]);
    expect(cited).toEqual([["loadSpike", "loadSpike"], ["drain", "drain"]]);
    const [first, second] = r.story.split(/^## 2\. /m);
    expect(first).toMatch(/web is back within its SLO/);
    expect(second).toMatch(/web is back within its SLO/);
    // Each says it shares the span, so the same steps under both do not read as two disruptions.
    expect(first).toContain("At the same instant as fault 2 (drain): they share this span, so what follows is told under each of them (each one's end, if it has one, under it alone).");
    expect(second).toContain("At the same instant as fault 1 (loadSpike): they share this span");
  });
});

describe("two failures at one instant that name the same node", () => {
  const r = run("events=[{at: 2m, nodeFailure: {nodes: [web-1]}}, {at: 2m, nodeFailure: {nodes: [web-1, web-2]}}]");

  it("credit its DOWN to the one that crashed it, and neither is told a next fault came (review)", () => {
    const [first, second] = r.summary.faults;
    expect(first!.detected_by).toBe("web-1 DOWN");
    expect(second!.detected_by).toBe("web-2 DOWN");
    expect(r.summary.notes).toContain("the nodeFailure at 2m names web-1, which was already down: nothing happened to it");
    expect(r.stdout).not.toMatch(/had not recovered when the next fault came|not recovered when the next fault came/);
    // Their shared span's warning, once.
    expect(r.stdout.split("\n").filter((l) => l.startsWith("warning: the nodeFailure at 120 s never recovered"))).toHaveLength(1);
    // Each carries the span's losses: added together (a sweep's f1_lost + f2_lost), twice (the README).
    expect(first!.requests_lost).toBeGreaterThan(0);
    expect(first!.requests_lost).toBe(second!.requests_lost);
  });
});

describe("a drain of a node the managers hold DOWN", () => {
  // The first failure's recovery and the second failure share 90 s: web-1 is back for no time and
  // never re-registers, so the managers still hold it DOWN when the drain logs its availability.
  const r = run("events=[{at: 1m, nodeFailure: {nodes: [web-1], recoverAfter: 30s}}, {at: 90s, nodeFailure: {nodes: [web-1], recoverAfter: 30s}}, {at: 90s, drain: {node: web-1}}]");

  it("logs its availability with the status it has, which marks no DOWN: the second failure was not 'detected after 0 s'", () => {
    const drainLine = r.events.find((l) => l.startsWith('{"t_s":90.') && l.includes('"kind":"node"'));
    expect(JSON.parse(drainLine!)).toMatchObject({ node: "web-1", status: "down", availability: "drain" });
    const [first, second] = r.summary.faults;
    expect(first!.detected_by).toBe("web-1 DOWN");
    expect(second!.detected_s).toBeNull();
    expect(second!.down_s).toBeNull();
    expect(r.stdout).not.toMatch(/nodeFailure at 90 s \(web-1\): [^\n]*detected after 0 s/);
    expect(r.story.match(/the managers mark web-1 DOWN/g)).toHaveLength(1);
    // report.html's markers: one DOWN, at 72.5 s, none at the drain.
    expect(r.html.match(/"label":"web-1 DOWN"/g)).toHaveLength(1);
  });
});

describe("a breach carried into the next fault's span and recovered there", () => {
  const r = run("events=[{at: 2m, loadSpike: {workload: users, rate: 470/s, duration: 30s}}, {at: 2m, nodeFailure: {nodes: [web-1]}}, {at: 130s, scale: {service: api, replicas: 4}}]");

  it("is not called never recovered in the SLO outside the faults (it said 'before the nodeFailure at 120 s, from which it never recovered')", () => {
    const [, crash, scale] = r.summary.faults;
    expect(crash!.services["web"]!.recovered_s).toBeNull();
    expect(scale!.services["web"]).toMatchObject({ carried_over: true });
    expect(scale!.services["web"]!.recovered_s).toBeGreaterThan(0);
    expect(r.summary.services["web"]!.slo.outside_faults!.met).not.toBe(r.summary.services["web"]!.slo.met);
    expect(r.stdout).toMatch(/web met \([\d.]+% within\)/);
    expect(r.stdout).not.toMatch(/never recovered \(/);
    expect(r.story).not.toMatch(/from which it never recovered/);
  });
});
