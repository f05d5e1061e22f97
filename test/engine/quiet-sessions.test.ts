// Held heartbeats (manager/quiet-sessions.ts) are a shortcut, not a model: every output must be
// the same byte for byte as when every heartbeat is sent, received and answered.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "../../src/scenario/index.js";
import { chaosScenario } from "./chaos-schedules.js";
import { ROOT } from "../cli/cli.js";
import { runScenario, scenarioYaml, twoZonesYaml, type RunOutputs } from "../helpers.js";
import { HeartbeatEvent, expiryKey, heartbeatKey } from "../../src/api/messages.js";

function outputs(o: RunOutputs): Record<string, string> {
  const r = o.run.world.recorder;
  // summary.json's `events` is the kernel's count of events run: what the shortcut saves.
  const { events: _kernelEvents, ...summary } = o.summary;
  return {
    summary: JSON.stringify(summary),
    events: JSON.stringify(o.events),
    elections: JSON.stringify(o.elections),
    timeseries: JSON.stringify(o.timeseries),
    nodes: JSON.stringify(o.nodes),
    networks: JSON.stringify(r.networks),
  };
}

/** "" if equal, else where they part and what each says there. */
function firstDifference(a: string, b: string): string {
  if (a === b) return "";
  let i = 0;
  while (a[i] === b[i]) i++;
  return `at ${i}: held ${a.slice(Math.max(0, i - 300), i + 100)}\n full ${b.slice(Math.max(0, i - 300), i + 100)}`;
}

function compare(held: RunOutputs, full: RunOutputs): void {
  const a = outputs(held);
  const b = outputs(full);
  for (const k of Object.keys(a)) expect(firstDifference(a[k]!, b[k]!), k).toBe("");
}

/** 20 workers and one manager, with `heartbeat` periods and windows of `interval`, then `body`. */
function tie(head: { seed: number; duration: string; interval: string; heartbeat: string }, body: string): string {
  return scenarioYaml({ name: "tie", seed: head.seed, duration: head.duration, interval: head.interval }, `cluster:
  managers: {count: 1, runTasks: false}
  dispatcher: {heartbeatPeriod: ${head.heartbeat}}
  nodeGroups: [{name: w, count: 20, cpu: 2, memory: 4GiB}]
${body}`);
}

/** Runs the scenario held and full and compares every output. */
function bothWays(yaml: string): void {
  const run = (quietSessions: boolean) => runScenario(parseScenario(yaml, "tie.yaml"), { quietSessions });
  compare(run(true), run(false));
}

describe("held heartbeats give the same outputs as the full path", () => {
  // Every shipped scenario (node and zone failures, a spike, storms of restarts and pulls) and
  // both stack examples, cut short where long: the outputs must match to the byte, summary's
  // event count aside.
  for (const [file, overrides] of [
    ["scenarios/hello-cluster.yaml", []],
    ["scenarios/zone-failure.yaml", []],
    ["scenarios/startup-storm.yaml", ["duration=12m"]],
    ["scenarios/registry-storm.yaml", []],
    ["scenarios/overlay-exhaustion.yaml", []],
    ["scenarios/mtu-blackhole.yaml", []],
    ["examples/stacks/queue/queue.yaml", []],
    ["examples/stacks/webshop/webshop.yaml", []],
  ] as const) {
    it(`${file} ${overrides.join(" ")}`, () => {
      const load = () => loadScenarioFile(path.join(ROOT, file), [...overrides]);
      const held = runScenario(load(), { quietSessions: true });
      const full = runScenario(load(), { quietSessions: false });
      compare(held, full);
      // The shortcut was taken: fewer events for the same outputs.
      expect(held.run.world.sim.eventsProcessed).toBeLessThan(full.run.world.sim.eventsProcessed);
    });
  }

  // A review's case: with a window every 2 ms and a heartbeat every 100 ms, some held send falls
  // in the very microsecond a window closes. The full path sends it before the close (closes come
  // last in their instant, kernel lastAt): so must the shortcut, whose bytes would otherwise land
  // in the next window. Faults come last too, for the same reason; a send in the microsecond of a
  // partition or crash is rarer than a test can hit, so the kernel's own test checks that order.
  it("a send in the microsecond of a window close or a fault", () => {
    bothWays(tie({ seed: 7, duration: "60s", interval: "2ms", heartbeat: "100ms" }, `services: [{name: web, replicas: 20}]
events:
  - {at: 10s, every: 7ms, times: 400, partition: {groups: [[w-1], [manager-1]], duration: 3ms}}
  - {at: 30s, nodeFailure: {nodes: [w-2], recoverAfter: 5s}}
`));
  });

  // A review's case: a task report (restartAll every 311 ms, 2 ms heartbeats) in the very
  // microsecond a held node's heartbeat is due. The heartbeat comes after the instant's ordinary
  // events (kernel atKeyed), so it carries the report: the held path must not count it as sent
  // empty before (it did, and 256 bytes moved to the next window of nodes.csv).
  it("a report in the microsecond a held heartbeat is due", () => {
    bothWays(tie({ seed: 3, duration: "20s", interval: "5ms", heartbeat: "2ms" }, `services:
  - {name: web, mode: global, startup: {pull: 37ms, cpu: 113ms}}
events:
  - {at: 1s, every: 311ms, restartAll: {service: web}}
`));
  });

  // A heartbeat's round trip (2.5 s each way, between zones) longer than the agent's 5 s wait
  // for the answer: such a session is not held, because the held cycle assumes every answer
  // comes in time (a review's case crashed the held path during the deployment).
  it("a round trip longer than the agent waits for an answer", () => {
    bothWays(scenarioYaml({ name: "rtt", seed: 12, duration: "30s", interval: "1s" }, `${twoZonesYaml({ managers: 1, heartbeat: "2s", crossZone: "2500ms" })}events:
  - {at: 10s, restartAll: {service: web}}
`));
  });

  // A review's case: 100 ms heartbeats and 95 ms each way between the zones. The next heartbeat
  // arrives a round trip and a period after the last, past the DOWN deadline (3 periods) when
  // the jitter draws short periods: the far nodes flap DOWN and back on the full path, so they
  // are not held (they were, once the agent's wait became 5 s, and never went DOWN).
  it("a round trip longer than two periods", () => {
    bothWays(scenarioYaml({ name: "slow-link", seed: 3, duration: "20s" }, twoZonesYaml({ managers: 1, heartbeat: "100ms", crossZone: "95ms" })));
  });

  // More hosts than the held state's arrays start with: they grow (16, 32, 64, then 128 slots)
  // while sessions are held, and nodes that leave (removeNodes) or fail are woken from slots past
  // 64, as nodes join.
  it("past 64 slots of held state: nodes join, leave and fail while others are held", () => {
    bothWays(scenarioYaml({ name: "grow", seed: 5, duration: "40s", interval: "1s" }, `cluster:
  managers: {count: 1, runTasks: false}
  dispatcher: {heartbeatPeriod: 1s}
  nodeGroups: [{name: w, count: 70, cpu: 2, memory: 4GiB}]
services: [{name: web, replicas: 70}]
events:
  - {at: 5s, addNodes: {group: w, count: 10}}
  - {at: 15s, removeNodes: {nodes: [w-3, w-66]}}
  - {at: 20s, nodeFailure: {nodes: [w-68], recoverAfter: 6s}}
`));
  });

  // Random schedules of leader kills, partitions, node failures, drains, scale-ups, rolling
  // updates, restarts and joins: each wakes held sessions in its own way.
  for (const [seed, managersRunTasks] of [[1, false], [2, false], [3, false], [4, false], [5, false], [6, false], [1, true], [2, true]] as const) {
    it(`chaos schedule ${seed}${managersRunTasks ? ", managers running tasks" : ""}`, () => {
      const load = () => parseScenario(chaosScenario(seed, managersRunTasks), "chaos.yaml");
      compare(runScenario(load(), { quietSessions: true }), runScenario(load(), { quietSessions: false }));
    });
  }
});

describe("a heartbeat-cycle event's place in its microsecond", () => {
  it("is the node's, then the cycle's order, then each manager's DOWN deadline", () => {
    const places = [
      heartbeatKey(7, HeartbeatEvent.BEAT), heartbeatKey(7, HeartbeatEvent.AT_MANAGER), heartbeatKey(7, HeartbeatEvent.AT_AGENT),
      heartbeatKey(7, HeartbeatEvent.TIMEOUT), expiryKey(7, 0), expiryKey(7, 1), expiryKey(7, 98), heartbeatKey(8, HeartbeatEvent.BEAT),
    ];
    for (let i = 1; i < places.length; i++) expect(places[i]!).toBeGreaterThan(places[i - 1]!);
    // Two dispatchers of a split brain never share a place; a scenario allows 99 managers.
    expect(() => expiryKey(7, 124)).toThrow(/no place/);
  });
});
