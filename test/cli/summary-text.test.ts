// The terminal summary says when a network ran out of addresses: tasks left NEW are otherwise
// invisible there (requests may all succeed on the tasks that did get an address).
import { describe, expect, it } from "vitest";
import { summaryText } from "../../src/cli/summary-text.js";
import { NodeCpuWatch } from "../../src/metrics/warnings.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { orchsim, tempDir } from "./cli.js";
import type { Summary } from "../../src/metrics/rows.js";
import { fileURLToPath } from "node:url";
import { runFile, runYaml, scenarioYaml } from "../helpers.js";

describe("summary text", () => {
  it("tells a rolling update's outcome, which its SLO alone does not: rolled back, or still under way", () => {
    const update = (failureAction: string, duration: string) =>
      runYaml(scenarioYaml({ name: "rb", duration }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 6, ports: [{published: 80, target: 80}], startup: {pull: 1s, cpu: 1s}, update: {parallelism: 2, failureAction: ${failureAction}}}
workload: [{name: u, service: web, rate: 50/s}]
events:
  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 1}}}
`));
    const back = update("rollback", "3m");
    const fault = back.summary.faults[0]!;
    expect(fault.update?.state).toBe("rollback_completed");
    expect(fault.recovered_s).toBe(0);
    expect(summaryText(back.summary, back.run.world.recorder.cpu, null, 1)).toMatch(new RegExp(`fault rollingUpdate at 20 s \\(web\\): rolled back after ${fault.update!.t_s.toFixed(1)} s, absorbed`));
    // Cut short before the first new tasks fail: the update is still under way.
    const cut = update("rollback", "21s");
    expect(cut.summary.faults[0]!.update?.state).toBe("updating");
    expect(summaryText(cut.summary, cut.run.world.recorder.cpu, null, 1)).toMatch(/fault rollingUpdate at 20 s \(web\): the update was still under way at the end/);
  });

  it("an update replaced by the next rollingUpdate of its service says so, not 'still under way at the end'", () => {
    const out = runYaml(scenarioYaml({ name: "twice", duration: "2m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 6, startup: {pull: 5s, cpu: 1s}, update: {parallelism: 1}}
events:
  - {at: 20s, rollingUpdate: {service: web, image: web:2}}
  - {at: 25s, rollingUpdate: {service: web, image: web:3}}
`));
    const [first, second] = out.summary.faults;
    expect(first!.update).toEqual({ state: "superseded", t_s: 5 });
    expect(second!.update?.state).toBe("completed");
    expect(summaryText(out.summary, out.run.world.recorder.cpu, null, 1)).toMatch(/fault rollingUpdate at 20 s \(web\): replaced by the next rollingUpdate after 5 s, still under way,/);
  });

  it("names a network that ran out, with what failed", () => {
    const out = runYaml(scenarioYaml({ name: "full", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 8, memory: 16GiB}]
networks: [{name: back, subnet: 10.0.9.0/28}]
services:
  - {name: web, replicas: 20, networks: [back], ports: [{published: 80, target: 80}]}
workload:
  - {name: u, service: web, rate: 10/s}
`));
    const text = summaryText(out.summary, out.run.world.recorder.cpu, null, 1);
    expect(text).toMatch(/network back \(10\.0\.9\.0\/28, 13 addresses\) ran out: 10 task\(s\), VIP\(s\) or node endpoint\(s\) got no address/);
    expect(text).not.toMatch(/network ingress/);
  });

  it("never says met about a service that could not run all its tasks, and says why in words", () => {
    // 20 replicas of 1 core each on 4 cores: 4 run, 16 stay pending; the 4 answer quickly.
    const out = runYaml(scenarioYaml({ name: "short", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 4, memory: 16GiB}]
services:
  - {name: web, replicas: 20, resources: {reservations: {cpu: 1}}, ports: [{published: 80, target: 80}], request: {cpu: 1ms}}
workload:
  - {name: u, service: web, rate: 10/s}
`));
    const web = out.summary.services["web"]!;
    expect(web).toMatchObject({ tasks_desired: 20, tasks_running: 4, tasks_pending: 16, desired_reached: false, errors: 0 });
    expect(web.slo.met).toBeNull();
    const text = summaryText(out.summary, out.run.world.recorder.cpu, null, 1);
    expect(text).not.toMatch(/\bmet\b/);
    expect(text).toMatch(/not judged/);
    expect(text).toMatch(/warning: web never reached its desired 20 tasks \(4 running, 16 pending at the end\)/);
  });

  it("warns about a node above 95% CPU for more than a minute, and not about one that was busy for less", () => {
    // One 1-core node serving 110/s of 10 ms requests: saturated from the start to the end.
    const run = (duration: string) =>
      runYaml(scenarioYaml({ name: "hot", duration }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 8GiB}]
services:
  - {name: web, replicas: 1, ports: [{published: 80, target: 80}], runtime: {concurrency: 4, queue: 10000}, request: {cpu: 10ms, distribution: constant}}
workload:
  - {name: u, service: web, rate: 110/s, timeout: 0s}
`));
    const long = run("2m");
    expect(summaryText(long.summary, long.run.world.recorder.cpu, null, 1)).toMatch(/warning: node w-1 stayed above 95% CPU for 1[12]\d s, its longest stretch \(from t = \d+ s to 120 s\)/);
    const short = run("50s");
    expect(summaryText(short.summary, short.run.world.recorder.cpu, null, 1)).not.toMatch(/stayed above/);
  });

  it("gives the peak CPU's span: a window, or the node interval's rows", () => {
    const cpu = NodeCpuWatch.of([
      { t_s: 10, node: "w-1", cpu_util: 0.2 },
      { t_s: 10, node: "w-2", cpu_util: 0.3 },
      { t_s: 20, node: "w-1", cpu_util: 0.25 },
      { t_s: 20, node: "w-2", cpu_util: 0.5 },
    ]);
    expect(summaryText(emptySummary(), cpu, null, 1)).toContain("peak CPU: 50.0% on w-2 from 10 s to 20 s");
    const coarse = NodeCpuWatch.of([{ t_s: 60, node: "w-1", cpu_util: 0.9 }, { t_s: 65, node: "w-1", cpu_util: 0.1 }]);
    expect(summaryText(emptySummary(), coarse, null, 1)).toContain("peak CPU: 90.0% on w-1 from 0 s to 60 s");
  });

  it("tells each fault's course in one line", () => {
    const text = summaryText(
      {
        ...emptySummary(),
        faults: [
          { t_s: 180, fault: "nodeFailure", target: "a-1", detected_s: 11.28, detected_by: "a-1 DOWN", memberlist_dead_s: 5.67, memberlist_last_dead_s: 5.67, down_s: 11.28, recovered_s: 30, last_to_recover: "shop", tasks_restored_s: 20, requests_lost: 1779, worst_window: { t_s: 190, service: "shop", errors: 1096, p99_ms: 4135.48 }, services: {} },
        ],
      },
      new NodeCpuWatch(),
      null,
      1,
    );
    expect(text).toContain("fault nodeFailure at 180 s (a-1): declared dead by memberlist after 5.7 s, detected after 11.3 s (a-1 DOWN), tasks restored after 20 s, recovered after 30 s (shop last), 1,779 requests lost, counted at each service (one failing through two services counts twice); worst window ending 190 s: shop p99 4135.5 ms, 1096 errors");
  });

  it("says when the first node went DOWN if an election noticed the fault first: the replacements start there", () => {
    const base = { t_s: 180, fault: "nodeFailure", target: "a-1,manager-1", memberlist_dead_s: 5.82, recovered_s: 50, last_to_recover: "shop", tasks_restored_s: 50, requests_lost: 2140, worst_window: null, services: {} };
    const line = (f: Record<string, unknown>) => summaryText({ ...emptySummary(), faults: [{ ...base, ...f }] } as never, new NodeCpuWatch(), null, 1);
    expect(line({ detected_s: 11.09, detected_by: "manager-3 elected", down_s: 38.64 })).toContain("detected after 11.1 s (manager-3 elected), first node DOWN after 38.6 s, tasks restored after 50 s");
    expect(line({ detected_s: 11.09, detected_by: "manager-3 elected", down_s: null })).toContain("detected after 11.1 s (manager-3 elected), tasks restored");
  });

  it("says when memberlist declared the last of a fault's nodes dead, when it was apart from the first (walkthrough: 5.03 to 7.43 s read '5 s')", () => {
    const base = { t_s: 180, fault: "nodeFailure", target: "a-1,a-2", detected_s: 11.09, detected_by: "manager-3 elected", down_s: 38.64, recovered_s: 50, last_to_recover: "shop", tasks_restored_s: 50, requests_lost: 2140, worst_window: null, services: {} };
    const line = (f: Record<string, unknown>) => summaryText({ ...emptySummary(), faults: [{ ...base, ...f }] } as never, new NodeCpuWatch(), null, 1);
    expect(line({ memberlist_dead_s: 5.03, memberlist_last_dead_s: 7.43 })).toContain("declared dead by memberlist after 5 s (the last after 7.4 s), detected after 11.1 s");
    expect(line({ memberlist_dead_s: 5.03, memberlist_last_dead_s: 5.04 })).toContain("declared dead by memberlist after 5 s, detected");
    expect(line({ memberlist_dead_s: 5.03 })).toContain("declared dead by memberlist after 5 s, detected"); // an earlier version's summary.json
  });

  it("says which services were already outside their SLO before a fault, and never calls their losses absorbed", () => {
    const svc = (already: boolean, lost: number) => ({ already_unhealthy: already, carried_over: false, recovered_s: 0, requests_lost: lost, p99_during_ms: null, p99_after_ms: null });
    // As faults.ts counts it: the services already outside their SLO keep their failures.
    const lostOf = (services: Record<string, ReturnType<typeof svc>>) => Object.values(services).reduce((n, s) => n + (s.already_unhealthy ? 0 : s.requests_lost), 0);
    const fault = (services: Record<string, ReturnType<typeof svc>>) => ({ t_s: 120, fault: "loadSpike", target: "users", detected_s: null, detected_by: null, memberlist_dead_s: null, memberlist_last_dead_s: null, down_s: null, recovered_s: 0, last_to_recover: null, tasks_restored_s: 0, requests_lost: lostOf(services), worst_window: null, services });
    const text = (services: Record<string, ReturnType<typeof svc>>) => summaryText({ ...emptySummary(), faults: [fault(services)] }, new NodeCpuWatch(), null, 1);
    expect(text({ web: svc(true, 3529), api: svc(false, 0) })).toContain(
      "fault loadSpike at 120 s (users): web already outside its SLO before it (not judged; its 3,529 failed requests since are not counted as the fault's), no other service left its SLO, no other request lost",
    );
    expect(text({ web: svc(true, 3529), api: svc(true, 1) })).toContain("fault loadSpike at 120 s (users): web, api already outside their SLO before it (not judged; their 3,530 failed requests since are not counted as the fault's), no other request lost");
    expect(text({ web: svc(true, 3529) })).not.toContain("absorbed");
    // The other services' losses are "other" requests beside the ones not counted (walkthrough: "no request lost" read as none at all).
    expect(text({ web: svc(true, 3529), api: svc(false, 7) })).toContain(", 7 other requests lost, counted at each service");
    expect(text({ web: svc(false, 12) })).toContain("fault loadSpike at 120 s (users): absorbed (no service left its SLO), 12 requests lost");
  });
});

function emptySummary(): Parameters<typeof summaryText>[0] {
  return { scenario: "s", description: "", seed: 1, overrides: [], duration_s: 60, events: 0, services: {}, elections: 0, faults: [], networks: {}, notes: [] };
}

describe("a fault that strikes while the one before still has a service outside its SLO", () => {
  // Two one-core workers serve 100/s of 10 ms; a spike to 400/s for 40 s overloads them, and a
  // scale-up 10 s into it, which can place nothing new (a whole core reserved each), changes nothing.
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "overlap.yaml"), scenarioYaml({ name: "overlap", duration: "3m" }, `
metrics: {interval: 10s, slo: {latency: 100ms, percentile: 99}}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 1, memory: 4GiB}]
services:
  - {name: web, replicas: 2, ports: [{published: 80, target: 80}], resources: {reservations: {cpu: 1}}, request: {cpu: 10ms}}
workload: [{name: u, service: web, rate: 100/s, timeout: 2s}]
events:
  - {at: 60s, loadSpike: {workload: u, rate: 400/s, duration: 40s}}
  - {at: 70s, scale: {service: web, replicas: 3}}
`));
  const r = orchsim(["run", "overlap.yaml", "--report", "--out", "o"], dir);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "o", "summary.json"), "utf8")) as Summary;
  const [spike, scale] = summary.faults;

  it("the first says it had not recovered when the next came; the second, whose breach it carries", () => {
    expect(r.code).toBe(0);
    expect(spike!.services["web"]!.recovered_s).toBeNull();
    expect(scale!.recovered_s).toBeGreaterThan(20);
    expect(r.stdout).toMatch(/fault loadSpike at 60 s \(u\): not recovered when the next fault came \(web\),/);
    expect(r.stdout).toMatch(/fault scale at 70 s \(web\): tasks never all back, web still outside its SLO from the loadSpike at 60 s, recovered after \d+ s \(web last\),/);
    expect(r.stdout).toMatch(/requests lost, counted at each service \(one failing through two services counts twice\)/);
  });

  it("a service never back from a crash after a spike it had not recovered from is judged before the crash, not the spike, whose windows count (review)", () => {
    const out = path.join(tempDir(), "spike-crash");
    const events = "events=[{at: 2m, loadSpike: {workload: users, rate: 470/s}}, {at: 3m, nodeFailure: {nodes: [web-1, web-2]}}]";
    const run = orchsim(["run", "scenarios/hello-cluster.yaml", "--set", events, "--out", out]);
    const s = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as Summary;
    expect(s.faults.map((f) => f.services["web"]!.recovered_s)).toEqual([null, null]);
    expect(run.stdout).toContain(`web met before the nodeFailure at 180 s, from which it never recovered (${(s.services["web"]!.slo.outside_faults!.attained! * 100).toFixed(2)}% within)`);
  });

  it("a fault that strikes mid-window is not told it carries the breach it causes itself (the window it shares with the one before)", () => {
    const quiet = runYaml(scenarioYaml({ name: "mid", duration: "3m" }, `
metrics: {interval: 10s, slo: {latency: 100ms, percentile: 99}}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 1, memory: 4GiB}]
services:
  - {name: web, replicas: 2, ports: [{published: 80, target: 80}], request: {cpu: 10ms}}
workload: [{name: u, service: web, rate: 100/s, timeout: 2s}]
events:
  - {at: 60s, scale: {service: web, replicas: 2}}
  - {at: 95s, loadSpike: {workload: u, rate: 400/s, duration: 40s}}
`));
    const [noop, spike] = quiet.summary.faults;
    // The window 90-100 s is both spans': the scale's ends unhealthy because of the spike.
    expect(noop!.services["web"]!.recovered_s).toBeNull();
    expect(spike!.services["web"]!.carried_over).toBe(false);
    expect(summaryText(quiet.summary, quiet.run.world.recorder.cpu, null, 1)).not.toContain("still outside its SLO from");
    expect(scale!.services["web"]!.carried_over).toBe(true);
  });

  it("story.md says the breach is counted in the second, but was not caused there", () => {
    const story = fs.readFileSync(path.join(dir, "o", "story.md"), "utf8");
    expect(story).toContain("**Not recovered** when the next fault came: web was still outside its SLO.");
    expect(story).toContain(`**Recovered** ${scale!.recovered_s} s after the fault (web last). When it struck, web still outside its SLO from the loadSpike at 60 s: that breach is counted here, but was not caused here.`);
  });
});

describe("a service no request reaches", () => {
  it("has '-' for its SLO, and the footnote says why; not when every service was reached", () => {
    const run = (services: string) => runYaml(scenarioYaml({ name: "idle", duration: "30s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 2, memory: 4GiB}]
services: ${services}
workload: [{name: u, service: web, rate: 10/s}]
`));
    const both = run("[{name: web, ports: [{published: 80, target: 80}]}, {name: db}]");
    const text = summaryText(both.summary, both.run.world.recorder.cpu, null, 1);
    expect(text).toMatch(/\ndb .* - \(p99 <= 250 ms\)/);
    expect(text).toContain("; SLO - : no request reached the service)");
    const one = run("[{name: web, ports: [{published: 80, target: 80}]}]");
    expect(summaryText(one.summary, one.run.world.recorder.cpu, null, 1)).not.toContain("no request reached");
  });

  it("says a failed request counts as a miss when a service missed its SLO with its completed requests within it", () => {
    const service = (errors: number, p99: number, met: boolean) => ({ arrivals: 1000, completed: 1000 - errors, errors, timeouts: 0, rejected: 0, latency_ms: { mean: 20, p50: 10, p95: 50, p99, max: 900 }, slo: { latency_ms: 250, percentile: 99, attained: 0.96, met }, restarts: 0, oom_kills: 0, unhealthy: 0, tasks_desired: 1, tasks_running: 1, tasks_starting: 0, tasks_pending: 0, desired_reached: true });
    const text = (s: ReturnType<typeof service>) => summaryText({ ...emptySummary(), services: { web: s } }, new NodeCpuWatch(), null, 1);
    const note = "; the SLO counts a failed request as a miss, so a service whose completed requests are within it can still miss it)";
    expect(text(service(33, 111.9, false))).toContain(note);
    expect(text(service(33, 400, false))).not.toContain(note); // its latency missed it
    expect(text(service(0, 111.9, true))).not.toContain(note);
  });
});

describe("a fault that costs no request", () => {
  it("says so plainly, without the note on how losses are counted", () => {
    const out = runYaml(scenarioYaml({ name: "calm", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 4GiB}]
services: [{name: web, replicas: 2, ports: [{published: 80, target: 80}]}]
workload: [{name: u, service: web, rate: 10/s}]
events: [{at: 30s, scale: {service: web, replicas: 3}}]
`));
    expect(out.summary.faults[0]!.requests_lost).toBe(0);
    expect(summaryText(out.summary, out.run.world.recorder.cpu, null, 1)).toMatch(/fault scale at 30 s \(web\): [^\n]*absorbed \(no service left its SLO\), no request lost\n/);
  });
});

describe("a fault whose API call fails", () => {
  // Three managers cut from each other at 10 s: manager-1 leads on until CheckQuorum deposes it
  // an election timeout later, so a scale at 15 s times out ("context deadline exceeded"), and one
  // at 30 s, with no leader, is refused at once, as `docker service scale` is.
  const run = (scaleAt: string) => runYaml(scenarioYaml({ name: "noquorum", seed: 3, duration: "2m" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 3, ports: [{published: 80, target: 80}]}
workload:
  - {name: users, service: web, rate: 50/s}
events:
  - {at: 10s, partition: {groups: [[manager-1], [manager-2], [manager-3]], duration: 50s}}
  - {at: ${scaleAt}, scale: {service: web, replicas: 6}}
`));
  const refused = run("30s");
  const text = summaryText(refused.summary, refused.run.world.recorder.cpu, null, 1);

  it("carries the API's error in summary.json and says nothing changed, beside the events.jsonl line", () => {
    const [partition, scale] = refused.summary.faults;
    expect(scale!.api_error).toBe("The swarm does not have a leader");
    expect(partition!.api_error).toBeUndefined();
    expect(refused.events.filter((e) => e["kind"] === "api")).toEqual([{ t_s: 30, kind: "api", call: "scale", error: "The swarm does not have a leader" }]);
    expect(text).toMatch(/fault scale at 30 s \(web\): its API call failed \(The swarm does not have a leader\): nothing changed,/);
    expect(refused.summary.services["web"]!.tasks_desired).toBe(3);
  });

  it("a call the deposed leader took and never committed timed out: it may still take effect", () => {
    const late = run("15s");
    expect(late.summary.faults[1]!.api_error).toBe("context deadline exceeded");
    expect(summaryText(late.summary, late.run.world.recorder.cpu, null, 1)).toMatch(/fault scale at 15 s \(web\): its API call timed out \(context deadline exceeded\): the change may still have been made,/);
  });

  it("a span the leader was last to leave says the swarm had no leader, not that the leader missed an SLO", () => {
    expect(refused.summary.faults[0]!.last_to_recover).toBe("leader");
    expect(text).toContain("warning: the partition at 10 s had not recovered when the next fault came: the swarm was without a leader in its last window");
    expect(text).not.toMatch(/leader was still outside its SLO/);
  });

  it("a leader elected in the span's last window is not called missing: the swarm was without one in that window", () => {
    const r = runYaml(scenarioYaml({ name: "late-leader", duration: "1m", interval: "10s", seed: 3 }, `
cluster:
  managers: {count: 3}
  nodeGroups: [{name: w, count: 3, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 3, ports: [{published: 80, target: 8080}], request: {cpu: 5ms}}
workload:
  - {name: u, service: web, rate: 50/s}
events:
  - {at: 20s, killLeader: {}}
  - {at: 30s, killManager: {manager: manager-3}}
`));
    const f = r.summary.faults[0]!;
    // Elected less than a second before the next fault: inside the window that ends at it.
    expect(f.detected_by).toMatch(/elected$/);
    expect(f.t_s + f.detected_s!).toBeGreaterThan(29);
    expect(f.t_s + f.detected_s!).toBeLessThan(30);
    expect(f.last_to_recover).toBe("leader");
    const text = summaryText(r.summary, r.run.world.recorder.cpu, null, 1);
    expect(text).toContain("warning: the killLeader at 20 s had not recovered when the next fault came: the swarm was without a leader in its last window");
    expect(text).not.toContain("still had no leader");
  });
});

describe("the SLO outside the faults' disruptions", () => {
  it("is said for a service whose verdict there differs from the whole run's: zone-failure's shop misses over the run, and meets it outside the zone's loss", () => {
    const out = runFile(fileURLToPath(new URL("../../scenarios/zone-failure.yaml", import.meta.url)));
    const shop = out.summary.services["shop"]!;
    expect([shop.slo.met, shop.slo.outside_faults!.met]).toEqual([false, true]);
    const text = summaryText(out.summary, new NodeCpuWatch(), null, 1);
    expect(text).toContain(`SLO outside the faults' disruptions (each fault's windows until the service recovered left out, all the rest of the run when it never did, a load spike's never; plan --recover-within judges it with the recovery times): shop met (${(shop.slo.outside_faults!.attained! * 100).toFixed(2)}% within)\n`);
    expect(text).not.toMatch(/recovery times\): .*catalog/); // met both ways: not repeated
  });

  it("is not said when no verdict differs, or without faults", () => {
    expect(summaryText(emptySummary(), new NodeCpuWatch(), null, 1)).not.toContain("outside the faults");
  });
});
