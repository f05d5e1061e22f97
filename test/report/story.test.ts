// story.md on the shipped stories: each narrative must name the mechanism its scenario's
// comment claims, found by rules that know nothing of the scenario, with figures that match
// the run's own outputs. hello-cluster's comment is checked against its run here too.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "../cli/cli.js";

/** Runs a shipped scenario with --report; its story.md, summary.json and timeseries.csv rows. */
function story(name: string, sets: string[] = []) {
  const out = path.join(tempDir(), name);
  const r = orchsim(["run", `scenarios/${name}.yaml`, ...sets.flatMap((x) => ["--set", x]), "--report", "--out", out, "--quiet"]);
  expect(r.code).toBe(0);
  const text = fs.readFileSync(path.join(out, "story.md"), "utf8");
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
  const [header, ...lines] = fs.readFileSync(path.join(out, "timeseries.csv"), "utf8").trim().split("\n");
  const cols = header!.split(",");
  const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])) as Record<string, string>);
  const events = fs.readFileSync(path.join(out, "events.jsonl"), "utf8").split("\n");
  return { text, summary, rows, events, html: fs.readFileSync(path.join(out, "report.html"), "utf8") };
}

/** Every `events.jsonl:N` the story cites is a line of that kind. */
function citesRealLines(text: string, events: string[]): void {
  const refs = [...text.matchAll(/events\.jsonl:(\d+)/g)].map((m) => Number(m[1]));
  expect(refs.length).toBeGreaterThan(0);
  for (const n of refs) expect(events[n - 1]).toMatch(/^\{"t_s":/);
}

describe("story.md", () => {
  it("tells the first 100 faults one by one and sums up the rest (an election storm's 17,279 took minutes to tell)", () => {
    const { text, summary } = story("hello-cluster", ["events=[{at: 10s, every: 2s, times: 120, scale: {service: api, replicas: 3}}]"]);
    expect(summary.faults).toHaveLength(120);
    const heads = text.split("\n").filter((l) => l.startsWith("## "));
    expect(heads).toHaveLength(101);
    expect(heads[99]).toBe("## 100. scale at t = 208 s (api)");
    expect(heads[100]).toBe("## 101 to 120. 20 more faults (scale 20), from t = 210 s");
    const absorbed = summary.faults.slice(100).filter((f: { recovered_s: number | null }) => f.recovered_s === 0).length;
    expect(text).toContain(`Not told one by one: summary.json's \`faults\` has each one's figures. Of them, ${absorbed} absorbed`);
  });

  it("startup-storm: the autoscaler, saturated nodes, health checks killing starting containers, and the loop", () => {
    const { text, summary, events } = story("startup-storm");
    expect(text).toMatch(/the autoscaler asks for \d+ replicas of web/);
    expect(text).toMatch(/fails its health checks and is killed as unhealthy/);
    expect(text).toMatch(/nodes run above 95% CPU/);
    // With seed 42 it never comes back in the 30 minutes (the README's story).
    expect(summary.faults[0].recovered_s).toBeNull();
    expect(text).toContain("**Never recovered**");
    // The spike is demand, not a disruption: web's SLO outside the faults is the whole run's, so nothing is said of it.
    expect(summary.services.web.slo.outside_faults).toEqual({ attained: summary.services.web.slo.attained, met: false });
    expect(text).not.toContain("Outside the faults' disruptions");
    citesRealLines(text, events);
  });

  it("a service never back from a crash: its SLO outside the faults is its windows before the crash, and story.md says so", () => {
    const ones = ["a", "b", "c"].map((z) => `cluster.nodeGroups.${z}.count=1`);
    const { text, summary, events } = story("zone-failure", [...ones, "seed=1"]);
    expect(summary.faults[0].recovered_s).toBeNull();
    expect(text).toContain(`catalog met before the nodeFailure at 180 s, from which it never recovered (${(summary.services.catalog.slo.outside_faults.attained * 100).toFixed(2)}% within).`);
    citesRealLines(text, events);
  });

  it("a partition that heals: the heal, and both elections (the cut-off manager's higher term deposes the leader), each with the nodes it marks UNKNOWN", () => {
    const cut = "{at: 2m, partition: {groups: [[manager-1, a-1, a-2, a-3], [manager-2, manager-3, b-1, b-2, b-3, c-1, c-2, c-3]], duration: 3m}}";
    const { text, events, html } = story("zone-failure", [`events=[${cut}]`]);
    expect(html).toContain("the partition (manager-1+a-1+a-2+a-3|");
    const lines = text.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const heal = at(/\*\*t = 300 s\*\*: the partition \(manager-1\+a-1\+a-2\+a-3\|.*\) heals/);
    expect(heal).toBeGreaterThan(0);
    const elected = lines.map((l, i) => [l, i] as const).filter(([l]) => / is elected leader \(term \d+\)/.test(l));
    expect(elected).toHaveLength(2);
    expect(elected[1]![1]).toBeGreaterThan(heal);
    const losses = lines.filter((l) => /the swarm has no leader/.test(l));
    expect(losses).toHaveLength(2);
    // The second loss, just after the heal, says why (walkthrough: it read as unexplained); the first, when the partition struck, needs no such word.
    expect(losses[0]).not.toContain("campaigned");
    // The first, when the partition struck: the leader cut off in the minority stepped down (walkthrough: unexplained).
    expect(losses[0]).toContain(": the swarm has no leader: the partition cut manager-1, the leader, off from most of the managers, and it stepped down (Raft's CheckQuorum)");
    const deposed = /: the swarm has no leader: a manager the partition cut off campaigned on its own, and once heard again its higher term makes the leader of term (\d+) step down \(the next is elected in term (\d+)\)/.exec(losses[1]!);
    expect(deposed).not.toBeNull();
    expect(Number(deposed![2])).toBeGreaterThan(Number(deposed![1]) + 1);
    expect(elected[1]![0]).toContain(`(term ${deposed![2]})`);
    // Both sides ran shop's tasks: the cut-off nodes kept theirs while the leader replaced them (walkthrough: 16 of 12 went unsaid).
    const over = /\*\*t = (\d+) s\*\*: shop runs 16 tasks at (\d+) s, 4 more than its 12 desired: the nodes the partition cut off keep running theirs \(a worker does not stop its tasks when it loses its managers\) while the leader replaces them; back to 12 at (\d+) s, once they re-registered after the heal \(timeseries\.csv:\d+\)/.exec(text);
    expect(over).not.toBeNull();
    expect(over![1]).toBe(over![2]); // dated when the window that counted them ended (review: it said 170 s for the window to 180 s)
    expect(Number(over![3])).toBeGreaterThan(300); // after the heal at 300 s
    // Each new leader's marks, counted once per node: never more than the cluster's 12 nodes.
    const marks = lines.filter((l) => /marks \d+ nodes UNKNOWN/.test(l)).map((l) => Number(/marks (\d+) nodes/.exec(l)![1]));
    expect(marks).toHaveLength(2);
    for (const n of marks) expect(n).toBeLessThanOrEqual(12);
    expect(events.some((l) => /"kind":"heal","fault":"partition","target":"manager-1\+a-1\+a-2\+a-3\|/.test(l))).toBe(true);
    citesRealLines(text, events);
  });

  it("startup-storm with seed 2: it comes back 1110 s after the spike began", () => {
    const { text, summary, events } = story("startup-storm", ["seed=2"]);
    expect(summary.faults[0].recovered_s).toBe(1110);
    expect(text).toContain(`**Recovered** 1110 s after the fault (web last)`);
    citesRealLines(text, events);
  });

  it("startup-storm with seed 1: never recovered, and the loop that kept it down", () => {
    const { text, summary, events } = story("startup-storm", ["seed=1"]);
    expect(text).toContain("**Never recovered**");
    const loop = /of (\d+) container starts only (\d+) ever served: (\d+) were killed while starting, (\d+) still starting when it ended,/.exec(text)!;
    expect(Number(loop[2])).toBeLessThan(Number(loop[1]) / 2);
    // Every start is one of the three (walkthrough: those still starting at the end were said to be killed).
    expect(Number(loop[2]) + Number(loop[3]) + Number(loop[4])).toBe(Number(loop[1]));
    const lastState = new Map<string, string>();
    for (const line of events) if (line.includes('"kind":"task"') && JSON.parse(line).t_s >= 300) lastState.set(JSON.parse(line).task, JSON.parse(line).state);
    const startedInSpan = new Set(events.filter((l) => l.includes('"state":"starting"') && JSON.parse(l).t_s >= 300).map((l) => JSON.parse(l).task as string));
    expect([...startedInSpan].filter((t) => lastState.get(t) === "starting")).toHaveLength(Number(loop[4]));
    expect(text).toContain("starting and serving containers kept starving each other");
    expect(text).toContain(`${summary.services.web.unhealthy} containers are found unhealthy`);
    citesRealLines(text, events);
  });

  it("zone-failure: the leader dies with zone a; a new one, the nodes re-register, the dead ones DOWN, replacements, recovery", () => {
    const { text, summary, events } = story("zone-failure");
    const f = summary.faults[0];
    expect(text).toContain("the swarm has no leader");
    expect(text).toMatch(new RegExp(`\\*\\*t = ${Math.round((f.t_s + f.detected_s) * 10) / 10} s\\*\\*: manager-[23] is elected leader \\(term 2\\)`));
    expect(text).toMatch(/the new leader marks 12 nodes UNKNOWN until they re-register; 8 are READY again by [\d.]+ s/);
    expect(text).toMatch(/mark a-[123] DOWN, 3\d(\.\d)? s after the fault \(it did not re-register with the new leader\); by [\d.]+ s also (a-[123], ){2}manager-1 /);
    // The new leader creates replacements only for nodes it has marked DOWN: none lands on a dead one.
    expect(text).not.toContain("not yet marked DOWN");
    expect(text).toContain(`**Recovered** ${f.recovered_s} s after the fault (${f.last_to_recover} last)`);
    expect(text).toContain(`${f.requests_lost.toLocaleString("en-US")} requests failed`);
    citesRealLines(text, events);
  });

  it("zone-failure: when each service is back within its SLO (its last window outside it), the zone's return, and the SLO outside the faults", () => {
    const { text, summary, rows, events } = story("zone-failure");
    const f = summary.faults[0];
    // shop's recovery is the end of a window whose p99 was over 250 ms long after its errors stopped.
    const end = f.t_s + f.services.shop.recovered_s;
    const line = rows.findIndex((r) => r["service"] === "shop" && Number(r["t_s"]) === end) + 2;
    const last = rows[line - 2]!;
    expect(Number(last["errors"])).toBe(0);
    expect(Number(last["p99_ms"])).toBeGreaterThan(250);
    expect(text).toContain(`- **t = ${end} s**: shop is back within its SLO, ${f.services.shop.recovered_s} s after the fault: its last window outside it, to ${end} s, had p99 ${Number(last["p99_ms"]).toFixed(1)} ms (timeseries.csv:${line})`);
    expect(text).toMatch(/- \*\*t = 190 s\*\*: catalog is back within its SLO, 10 s after the fault: its last window outside it, to 190 s, had p99 [\d.]+ ms and 876 failed requests/);
    // Zone a returns at 9 minutes (recoverAfter: 6m), empty: first the hosts are back up (the heal's line), then READY.
    const heal = events.findIndex((l) => l === '{"t_s":540,"kind":"heal","fault":"nodeFailure","target":"a-1,a-2,a-3,manager-1","after_s":360}') + 1;
    expect(heal).toBeGreaterThan(0);
    expect(text).toContain(`- **t = 540 s**: the nodeFailure ends: a-1,a-2,a-3,manager-1 are back up (events.jsonl:${heal})`);
    expect(text).toMatch(/- \*\*t = 540(\.\d)? s\*\*: a-1\.\.a-3, manager-1 are READY again: Swarm does not move running tasks back to them \(events\.jsonl:\d+\)/);
    // shop misses its SLO over the run and meets it outside the fault's disruption: said, with the share.
    expect(summary.services.shop.slo.met).toBe(false);
    const share = (summary.services.shop.slo.outside_faults.attained * 100).toFixed(2);
    expect(text).toContain(`the SLO's verdict is not the whole run's: shop met (${share}% within).`);
    expect(story("hello-cluster").text).not.toContain("verdict is not the whole run's");
    // What the survivors lacked meanwhile: a third of shop's and catalog's tasks, from the loss until the replacements ran.
    const tasks = (service: string, t: number) => rows.find((r) => r["service"] === service && Number(r["t_s"]) === t)!;
    expect([tasks("shop", 190)["tasks_running"], tasks("shop", 220)["tasks_running"], tasks("shop", 230)["tasks_running"]]).toEqual(["8", "8", "12"]);
    // Both rows cited: the one short of tasks and the one where all run again (walkthrough: only the first was).
    const lineOf = (service: string, t: number) => rows.indexOf(tasks(service, t)) + 2;
    expect(text).toContain(`- **t = 180 s**: shop runs 8 of its 12 desired tasks at 190 s; all 12 run again at 230 s (timeseries.csv:${lineOf("shop", 190)}, ${lineOf("shop", 230)})`);
    expect(text).toMatch(/- \*\*t = 180 s\*\*: catalog runs 4 of its 6 desired tasks at 190 s; all 6 run again at 230 s/);
  });

  it("zone-failure with one late slow window: shop first back at 240 s, its recovery 330 s after the fault (walkthrough)", () => {
    const { text } = story("zone-failure", ["seed=5", "workload.shoppers.rate=500/s"]);
    expect(text).toMatch(/- \*\*t = 510 s\*\*: shop is back within its SLO, 330 s after the fault: its last window outside it, to 510 s, had p99 [\d.]+ ms; it was first back at 240 s, then outside it again in 1 window \(timeseries\.csv:\d+\)/);
  });

  it("nodes back are told once each, in the span of their DOWN, grouped by when they return, whatever fault comes between", () => {
    // b-1 dies at 200 s and is back at 320 s; zone a is marked DOWN in that span too, and is back at 540 s.
    const two = story("zone-failure", ["events.1={at: 200s, nodeFailure: {nodes: [b-1], recoverAfter: 2m}}"]).text;
    const second = two.slice(two.indexOf("## 2."));
    expect(second).toMatch(/- \*\*t = 320\.1 s\*\*: b-1 is READY again: Swarm does not move running tasks back to it/);
    expect(second).toMatch(/- \*\*t = 540\.1 s\*\*: a-1\.\.a-3, manager-1 are READY again/);
    expect(two.match(/READY again:/g)).toHaveLength(2);
    // A fault's end is told under the fault that scheduled it, whatever came between (after_s says which).
    const first = two.slice(0, two.indexOf("## 2."));
    expect(first).toMatch(/- \*\*t = 540 s\*\*: the nodeFailure ends: a-1,a-2,a-3,manager-1 are back up \(events\.jsonl:\d+\)/);
    expect(second).toMatch(/- \*\*t = 320 s\*\*: the nodeFailure ends: b-1 is back up \(events\.jsonl:\d+\)/);
    expect(two.match(/the nodeFailure ends:/g)).toHaveLength(2);
    // Fault 2 came before shop's replacements ran: said so in fault 1's span.
    expect(two.slice(0, two.indexOf("## 2."))).toMatch(/shop runs 8 of its 12 desired tasks at 190 s; not all ran again before the next fault \(timeseries\.csv:\d+\)/);
    // A scale-up at 5 minutes ends the nodeFailure's span before zone a returns: the return is still told, under the nodeFailure.
    const scaled = story("zone-failure", ["events.1={at: 5m, scale: {service: catalog, replicas: 7}}"]).text;
    expect(scaled.slice(0, scaled.indexOf("## 2."))).toMatch(/- \*\*t = 540\.1 s\*\*: a-1\.\.a-3, manager-1 are READY again/);
    expect(scaled.slice(0, scaled.indexOf("## 2."))).toMatch(/- \*\*t = 540 s\*\*: the nodeFailure ends: a-1,a-2,a-3,manager-1 are back up/);
    // Two failures at one instant share their span, but each one's own end is told under it alone.
    const both = story("zone-failure", ["events=[{at: 3m, nodeFailure: {nodes: [a-1], recoverAfter: 1m}}, {at: 3m, nodeFailure: {zones: [a], recoverAfter: 6m}}]"]).text;
    const [one, zone] = [both.slice(both.indexOf("## 1."), both.indexOf("## 2.")), both.slice(both.indexOf("## 2."))];
    expect(one).toMatch(/- \*\*t = 240 s\*\*: the nodeFailure ends: a-1 is back up/);
    expect(one).not.toContain("a-2,a-3,manager-1 are back up");
    expect(zone).toMatch(/- \*\*t = 540 s\*\*: the nodeFailure ends: a-2,a-3,manager-1 are back up/);
    expect(zone).not.toContain("a-1 is back up");
  });

  it("zone-failure behind a balancer probing every 30 s: when it takes zone a's nodes out, and when it puts them back", () => {
    const { text, events } = story("zone-failure", ["workload.shoppers.entryHealthcheck.interval=30s"]);
    const out = events.filter((l) => l.includes('"kind":"balancer"') && l.includes('"state":"out"')).map((l) => JSON.parse(l));
    expect(out.map((e) => e.node).sort()).toEqual(["a-1", "a-2", "a-3", "manager-1"]);
    // Three failed probes 30 s apart, the first within 30 s of the fault at 180 s.
    for (const e of out) expect(e.t_s >= 180 + 60 && e.t_s < 180 + 90).toBe(true);
    const first = Math.min(...out.map((e) => e.t_s));
    expect(text).toContain(`the load balancer of workload shoppers takes a-1..a-3, manager-1 out, ${(Math.round((first - 180) * 10) / 10).toString()} s after the fault`);
    expect(text).toMatch(/the load balancer of workload shoppers puts a-1\.\.a-3, manager-1 in service \(the last at [\d.]+ s\): their probes pass/);
    // Each step cites the first event of its group: the first node out, the first back.
    const cited = [...text.matchAll(/load balancer of workload shoppers (takes|puts)[^\n]*\(events\.jsonl:(\d+)\)/g)].map((m) => JSON.parse(events[Number(m[2]) - 1]!));
    expect(cited.map((e) => [e.kind, e.state, e.t_s])).toEqual([["balancer", "out", first], ["balancer", "in", Math.min(...events.filter((l) => l.includes('"state":"in"')).map((l) => JSON.parse(l).t_s))]]);
    citesRealLines(text, events);
    // The instant balancer (the default) has no such events.
    expect(story("zone-failure").events.some((l) => l.includes('"kind":"balancer"'))).toBe(false);
  });

  it("a node the balancer takes out, puts in service and takes out again is two steps out, not one", () => {
    const out = path.join(tempDir(), "twice");
    expect(orchsim(["run", "scenarios/zone-failure.yaml", "--set", "workload.shoppers.entryHealthcheck.interval=30s", "--out", out, "--quiet"]).code).toBe(0);
    const file = path.join(out, "events.jsonl");
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    // a-1 back in at 300 s and out again at 320 s, in time order among the real events.
    const extra = [{ t_s: 300, kind: "balancer", workload: "shoppers", node: "a-1", state: "in" }, { t_s: 320, kind: "balancer", workload: "shoppers", node: "a-1", state: "out" }];
    const merged = [...lines.map((l) => ({ t: JSON.parse(l).t_s as number, l })), ...extra.map((e) => ({ t: e.t_s, l: JSON.stringify(e) }))].sort((a, b) => a.t - b.t);
    fs.writeFileSync(file, merged.map((x) => x.l).join("\n") + "\n");
    expect(orchsim(["report", out]).code).toBe(0);
    const text = fs.readFileSync(path.join(out, "story.md"), "utf8");
    expect(text.match(/load balancer of workload shoppers takes [^\n]* out/g)).toHaveLength(2);
    expect(text).toContain("the load balancer of workload shoppers takes a-1 out, 140 s after the fault");
    expect(text).toContain("the load balancer of workload shoppers puts a-1 in service: their probes pass");
  });

  it("counts of more than one service's tasks say how many are each's: one service's starts beside another's outcome are not read as its own", () => {
    const out = path.join(tempDir(), "two");
    expect(orchsim(["run", "scenarios/startup-storm.yaml", "--set", "seed=1", "--out", out, "--quiet"]).code).toBe(0);
    const file = path.join(out, "events.jsonl");
    const alone = (() => {
      expect(orchsim(["report", out]).code).toBe(0);
      return fs.readFileSync(path.join(out, "story.md"), "utf8");
    })();
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    const task = (t: number, state: string, reason: string | null = null) => ({ t_s: t, kind: "task", task: "api.1.1", service: "api", slot: 1, node: "worker-1", state, reason });
    // api: a task created, started three times, serving once, and twice killed unhealthy late in the span (after 1300 s).
    // And api.2.1, started before the spike at 300 s, runs in its span: not one of the span's starts.
    const early = (t: number, state: string) => ({ ...task(t, state), task: "api.2.1", slot: 2 });
    const extra = [early(290, "starting"), early(310, "running"), task(400, "new"), task(401, "starting"), task(460, "running"), task(1400, "failed", "unhealthy container"), task(1405, "starting"), task(1500, "failed", "unhealthy container"), task(1505, "starting")];
    const merged = [...lines.map((l) => ({ t: JSON.parse(l).t_s as number, l })), ...extra.map((e) => ({ t: e.t_s, l: JSON.stringify(e) }))].sort((a, b) => a.t - b.t);
    fs.writeFileSync(file, merged.map((x) => x.l).join("\n") + "\n");
    expect(orchsim(["report", out]).code).toBe(0);
    const text = fs.readFileSync(path.join(out, "story.md"), "utf8");
    const n = (re: RegExp, s: string) => Number(re.exec(s)![1]);
    const created = n(/creates new tasks: (\d+) by the end/, alone);
    expect(text).toContain(`creates new tasks: ${created + 1} by the end of this span (web ${created}, api 1), placed on`);
    const unhealthy = n(/(\d+) containers are found unhealthy before the span ends/, alone);
    expect(text).toContain(`${unhealthy + 2} containers are found unhealthy before the span ends (web ${unhealthy}, api 2)`);
    const late = n(/failing their health checks in the last third of it \((\d+)\)/, alone);
    expect(text).toContain(`failing their health checks in the last third of it (${late + 2}: web ${late}, api 2)`);
    const [starts, ran] = [n(/of (\d+) container starts/, alone), n(/container starts only (\d+) ever served/, alone)];
    expect(text).toContain(`of ${starts + 3} container starts only ${ran + 1} ever served (web ${ran} of ${starts}, api 1 of 3): `);
    // One service's counts alone say nothing more.
    expect(alone).not.toMatch(/\(web \d+/);
  });

  it("says what stays short at the end (a recovery or absorption says nothing of tasks that never found a node), and tasks their node's engine rejects", () => {
    const dir = tempDir();
    const write = (name: string, yaml: string) => {
      fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml);
      expect(orchsim(["run", path.join(dir, `${name}.yaml`), "--report", "--out", path.join(dir, name), "--quiet"]).code).toBe(0);
      return { text: fs.readFileSync(path.join(dir, name, "story.md"), "utf8"), events: fs.readFileSync(path.join(dir, name, "events.jsonl"), "utf8").split("\n") };
    };
    const short = write("short", "version: 1\nname: short\nduration: 2m\ncluster:\n  managers: {count: 1, runTasks: false}\n  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 4GiB}]\nservices:\n  - {name: web, replicas: 2, resources: {reservations: {cpu: 1.5}}}\nevents:\n  - {at: 30s, nodeFailure: {nodes: [w-1]}}\n");
    expect(short.text).toContain("**Absorbed**");
    expect(short.text).toMatch(/At the end of the run web runs 1 of its 2 desired tasks, 1 pending: no suitable node \(2 nodes not available for new tasks; insufficient resources on 1 node\) \(events\.jsonl:\d+\)\./);
    citesRealLines(short.text, short.events);
    const refused = write("refused", "version: 1\nname: refused\nduration: 3m\ncluster:\n  managers: {count: 1, runTasks: false}\n  nodeGroups:\n    - {name: big, count: 1, cpu: 16, memory: 32GiB}\n    - {name: small, count: 2, cpu: 4, memory: 32GiB}\nservices:\n  - {name: db, replicas: 3, resources: {limits: {cpu: 2}}}\nevents:\n  - {at: 30s, rollingUpdate: {service: db, resources: {limits: {cpu: 8}}}}\n");
    const n = refused.events.filter((l) => l.includes('"state":"rejected"')).length;
    expect(n).toBeGreaterThan(1);
    expect(refused.text).toMatch(new RegExp(`db\\.\\d\\.\\d on small-\\d is rejected by its node's engine \\(Range of CPUs is from 0\\.01 to 4\\.00, as there are only 4 CPUs available\\); ${n} tasks are rejected before the span ends`));
    // Every task of db ends running (on the big node, or the old ones the paused update left): nothing said.
    expect(refused.text).not.toContain("At the end of the run");
  });

  it("zone-failure's workers alone (the leader lives): DOWN after missed heartbeats, replacements (some on dead nodes), recovery", () => {
    const { text, summary, events } = story("zone-failure", ["events.0.nodeFailure={nodes: [a-1, a-2, a-3], recoverAfter: 6m}"]);
    const f = summary.faults[0];
    expect(text).not.toContain("leader");
    expect(text).toMatch(new RegExp(`mark a-[123] DOWN, ${Math.round(f.detected_s * 10) / 10} s after the fault \\(missed heartbeats\\); by [\\d.]+ s also a-[123], a-[123] `));
    expect(text).toMatch(/placed on [a-c0-9, -]+, already lost \(down or cut off\) but not yet marked DOWN/);
    expect(text).toContain(`**Recovered** ${f.recovered_s} s after the fault (${f.last_to_recover} last)`);
    citesRealLines(text, events);
  });

  it("hello-cluster: no request fails; two windows of the spike are over the SLO, the last most; the scale-up is absorbed (as its comment says)", () => {
    const { text, summary, rows, events } = story("hello-cluster");
    expect(summary.services.web.errors + summary.services.api.errors).toBe(0);
    const [spike, scale] = summary.faults;
    const over = rows.filter((r) => r["service"] === "web" && +r["t_s"]! > spike.t_s && +r["t_s"]! <= scale.t_s && +r["p99_ms"]! > 250);
    expect(over.map((r) => +r["t_s"]!)).toEqual([160, 220]);
    expect(+over[0]!["p99_ms"]!).toBeLessThan(270);
    expect(+over[1]!["p99_ms"]!).toBeGreaterThan(400);
    expect(+over[1]!["p99_ms"]!).toBeLessThan(450);
    expect(spike.recovered_s).toBe(220 - spike.t_s);
    expect(scale.recovered_s).toBe(0);
    expect(text).toMatch(/web's p99 rises to [\d.]+ ms, above its 250 ms SLO \(p99\), in the window to 160 s/);
    expect(text).toContain("**Absorbed**");
    citesRealLines(text, events);
  });
});

describe("story.md's hot nodes on registry-storm", () => {
  it("nodes hot for the same time share one item, as the terminal's warnings do", () => {
    const { text } = story("registry-storm");
    expect(text).toContain("in all, a-1..a-8,b-1..b-8 for 20 s each");
    expect(text).toContain("in all, a-1..a-8,b-1..b-8 for 140 s each");
    // Five-core b nodes: groups of each length, in the order the nodes first got hot.
    const mixed = story("registry-storm", ["cluster.nodeGroups.b.cpu=5"]).text;
    expect(mixed).toContain("in all, a-2..a-5,a-7,a-8 for 10 s each, a-6 for 20 s, b-1,b-4..b-8 for 160 s each, b-2,b-3 for 170 s each");
    expect(mixed).not.toContain("a-2 for");
  });
});

describe("story.md's faults that found a service already outside its SLO", () => {
  it("hello-cluster with binpack: the spike is not judged for web (already out), and not called absorbed", () => {
    const { text, summary } = story("hello-cluster", ["cluster.scheduler.strategy=binpack"]);
    const spike = summary.faults[0];
    expect(spike.recovered_s).toBe(0);
    expect(spike.services.web.already_unhealthy).toBe(true);
    // web's failures are its own, not the spike's: left out of its count, and said so.
    expect(spike.requests_lost).toBe(0);
    expect(spike.services.web.requests_lost).toBeGreaterThan(0);
    expect(text).toContain(`**Not judged**: web already outside its SLO before it (its ${spike.services.web.requests_lost.toLocaleString("en-US")} failed requests since are not counted as the fault's); no other service left its SLO. No other request failed.`);
    expect(text).not.toContain("**Absorbed**");
    // web's failures go on from before the spike: they are not told as the spike's symptom.
    expect(text).not.toMatch(/requests fail: [\d,]+ of web's/);
  });

  it("a leader killed on that run: recovered, and says web was not judged (its losses are its own, not in the count)", () => {
    const { text, summary } = story("hello-cluster", ["cluster.scheduler.strategy=binpack", "events=[{at: 2m, killLeader: {restartAfter: 5s}}]"]);
    const f = summary.faults[0];
    expect(f.services.web.already_unhealthy).toBe(true);
    const others = Object.entries(f.services as Record<string, { requests_lost: number }>).filter(([name]) => name !== "web").reduce((n, [, s]) => n + s.requests_lost, 0);
    expect(f.requests_lost).toBe(others);
    expect(text).toContain(`**Recovered** ${f.recovered_s} s after the fault (leader last). Not judged: web already outside its SLO before it (its ${f.services.web.requests_lost.toLocaleString("en-US")} failed requests since are not counted as the fault's).`);
  });
});

describe("story.md's rolling update", () => {
  it("overlay-exhaustion: says the update was still under way at the end, not only that it was absorbed", () => {
    const { text, summary } = story("overlay-exhaustion");
    const update = summary.faults.find((f: { fault: string }) => f.fault === "rollingUpdate");
    expect(update.update).toEqual({ state: "updating", t_s: expect.any(Number) });
    expect(text).toContain("The update was still under way at the end. **Absorbed**");
  });
});

// One 1-core worker pinned from the first second to the end (2m5s): the story counts each
// nodes.csv row for the time it covers, cut to the fault's span, however often rows come.
describe("story.md's saturated nodes", () => {
  const HOT = `version: 1
name: hot
duration: 2m5s
metrics: {interval: 5s}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 4GiB}]
services:
  - {name: web, replicas: 1, ports: [{published: 80, target: 8080}], runtime: {concurrency: 4, queue: 64}, request: {cpu: 20ms}}
workload:
  - {name: users, service: web, rate: 60/s}
events:
  - {at: 1s, scale: {service: web, replicas: 1}}
`;
  it.each([[[]], [["metrics.nodeInterval=1m"]]])("says w-1 ran hot for 124 s (%j)", (sets) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "hot.yaml"), HOT);
    const out = path.join(dir, "out");
    const r = orchsim(["run", path.join(dir, "hot.yaml"), ...sets.flatMap((x) => ["--set", x]), "--report", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(path.join(out, "story.md"), "utf8");
    expect(text).toMatch(/nodes run above 95% CPU, so every container on them, starting or serving, gets less; in all, w-1 for 124 s/);
    // Dated from the fault, never before it.
    expect(text).not.toMatch(/t = 0 s[^\n]*above 95% CPU/);
  });

  it("says a span a microsecond long holds w-1 hot for under 0.1 s, not for 0 s", () => {
    const dir = tempDir();
    const events = "  - {at: 4999999us, scale: {service: web, replicas: 1}}\n  - {at: 5s, scale: {service: web, replicas: 1}}\n";
    fs.writeFileSync(path.join(dir, "hot.yaml"), HOT.replace(/  - \{at: 1s.*\n/, events));
    const out = path.join(dir, "out");
    expect(orchsim(["run", path.join(dir, "hot.yaml"), "--report", "--out", out, "--quiet"]).code).toBe(0);
    const text = fs.readFileSync(path.join(out, "story.md"), "utf8");
    expect(text).toMatch(/in all, w-1 for under 0\.1 s \(nodes\.csv:3\)/);
    expect(text).toMatch(/in all, w-1 for 120 s \(nodes\.csv:5\)/);
    expect(text).not.toMatch(/for 0 s/);
  });
});
