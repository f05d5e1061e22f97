// Settings that validate but cannot matter in the scenario as written get a note before the run
// (walkthrough: each of these changed nothing, silently), and the note is true: the run with the
// setting and the run without it are the same, event for event and row for row.
import { describe, expect, it } from "vitest";
import { scenarioWarnings } from "../../src/engine/unsupported.js";
import { parseScenario } from "../../src/scenario/index.js";
import { runYaml, scenarioYaml } from "../helpers.js";

const base = scenarioYaml({ name: "inert", duration: "30s", interval: "5s" }, `
cluster:
  managers: {count: 3, zones: [a, b]}
  nodeGroups: [{name: web, count: 3, cpu: 2, memory: 4GiB, zone: a}]
networks: [{name: front}]
services:
  - {name: api, replicas: 3, networks: [front], ports: [{published: 80, target: 8080}], request: {cpu: 20ms}}
workload:
  - {name: users, service: api, rate: 40/s}
`);

const notesOf = (sets: string[]): string[] => scenarioWarnings(parseScenario(base, "inert.yaml", sets));

/** What a run shows: every event, window and node row (summary.json also lists the notes). */
function shown(sets: string[]): unknown {
  const r = runYaml(base, sets);
  return { events: r.events, timeseries: r.timeseries, nodes: r.nodes };
}

describe("settings that act only past the run's end", () => {
  const cases: [string, string, string, string][] = [
    ["a node's recovery", "events=[{at: 10s, nodeFailure: {nodes: [web-1], recoverAfter: 20s}}]", "events=[{at: 10s, nodeFailure: {nodes: [web-1]}}]", "the nodeFailure at 10s: its recoverAfter (20s) reaches past the run's end (duration 30s), so its nodes never come back in the run"],
    ["a manager's restart", "events=[{at: 10s, killLeader: {restartAfter: 1h}}]", "events=[{at: 10s, killLeader: {}}]", "the killLeader at 10s: its restartAfter (1h) reaches past the run's end (duration 30s), so the manager never restarts in the run"],
    ["a partition's heal", "events=[{at: 10s, partition: {groups: [[web-1], [web-2, web-3]], duration: 1h}}]", "events=[{at: 10s, partition: {groups: [[web-1], [web-2, web-3]]}}]", "the partition at 10s: its duration (1h) reaches past the run's end (duration 30s), so it never heals in the run"],
  ];
  for (const [what, event, without, note] of cases) {
    it(`${what}: a note, and the run is the one without it`, () => {
      expect(notesOf([event])).toEqual([note]);
      expect(notesOf([without])).toEqual([]);
      expect(shown([event])).toEqual(shown([without]));
    });
  }

  it("one that ends inside the run gets none: it acts", () => {
    expect(notesOf(["events=[{at: 10s, nodeFailure: {nodes: [web-1], recoverAfter: 19s}}]"])).toEqual([]);
  });

  it("a ramp that never reaches its rate, and an autoscaler that never looks, are said", () => {
    expect(notesOf(["events=[{at: 10s, loadSpike: {workload: users, rate: 80/s, duration: 5s, ramp: 1h}}]"])).toEqual([
      "the loadSpike at 10s: its ramp (1h) reaches past the run's end (duration 30s), so the spike never reaches its full rise (to 80/s) in the run",
    ]);
    expect(notesOf(["services.api.autoscale={min: 3, max: 6, interval: 31s}"])).toEqual([
      "services[api].autoscale never scales in the run: its first look at the CPU comes after its interval (31s), past the run's end (duration 30s) (its min still sets the replicas it starts with, when replicas is not given)",
    ]);
    expect(shown(["services.api.autoscale={min: 3, max: 6, interval: 31s}"])).toEqual(shown([]));
    // Its first look at the end's very instant still runs (an ordinary event, before the last window): no note (review).
    expect(notesOf(["services.api.autoscale={min: 3, max: 6, interval: 30s}"])).toEqual([]);
  });
});

describe("settings another setting makes moot", () => {
  it("a restart delay, attempts and window when the condition is none", () => {
    const policy = "services.api.restartPolicy={condition: none, delay: 30s, maxAttempts: 3, window: 1m}";
    expect(notesOf([policy])).toEqual(["services[api].restartPolicy.delay, maxAttempts, window change nothing: its condition is none, so no task is restarted"]);
    // A node lost and its tasks' slots refilled by the orchestrator, not the restart supervisor.
    const failure = "events=[{at: 10s, nodeFailure: {nodes: [web-1]}}]";
    expect(shown([policy, failure])).toEqual(shown(["services.api.restartPolicy={condition: none}", failure]));
  });

  it("managers' zones past their count", () => {
    expect(notesOf(["cluster.managers.zones=[a, b, c, d, e]"])).toEqual(["cluster.managers.zones: d, e change nothing: the 3 managers take the first 3 in turn"]);
    expect(notesOf(["cluster.managers.count=1"])).toEqual(["cluster.managers.zones: b changes nothing: the one manager takes the first zone"]);
    expect(shown(["cluster.managers.zones=[a, b, c, d, e]"])).toEqual(shown(["cluster.managers.zones=[a, b, c]"]));
  });

  it("pre-pulled images that spare no pull: one no service runs, one without a size, the managers' when they run no tasks (walkthrough)", () => {
    const images = "cluster.nodeGroups.web.images=[api:1, nosuch:9]";
    expect(notesOf([images])).toEqual([
      "cluster.nodeGroups[web].images lists api:1, which changes nothing: no service gives that image a size (image: {name, size}), so no node pulls it; startup.pull is a fixed time of every start, pre-pulled or not",
      "cluster.nodeGroups[web].images lists nosuch:9, which no service runs: it changes nothing",
    ]);
    expect(shown([images, "services.api.startup={pull: 2s}"])).toEqual(shown(["services.api.startup={pull: 2s}"]));
    // With a size the image is pulled, and having it spares the pull: no note.
    expect(notesOf(["cluster.nodeGroups.web.images=[api:1]", "services.api.image={name: 'api:1', size: 200MB}"])).toEqual([]);
    expect(notesOf(["cluster.managers.images=[api:1]", "cluster.managers.runTasks=false"])[0]).toBe("cluster.managers.images changes nothing: the managers run no tasks (runTasks: false)");
    // An activate event gives a manager tasks after all (review): its images may spare a pull then.
    const activated = notesOf(["cluster.managers.images=[api:1]", "cluster.managers.runTasks=false", "services.api.image={name: 'api:1', size: 200MB}", "events=[{at: 5s, activate: {node: manager-1}}]"]);
    expect(activated.filter((n) => n.includes("images"))).toEqual([]);
  });

  it("a service's update and rollback when no rollingUpdate updates it (walkthrough: tried as a mitigation, silently equal)", () => {
    const paced = ["services.api.update={parallelism: 3, order: start-first, monitor: 30s}", "services.api.rollback={parallelism: 2}"];
    expect(notesOf(paced)).toEqual([
      "services[api].update and rollback change nothing in this run: no rollingUpdate event updates api (they pace the rollout of one: add a rollingUpdate event to try them)",
    ]);
    expect(shown(paced)).toEqual(shown([]));
    // With a rolling update of it, they act: no note.
    expect(notesOf([...paced, "events=[{at: 10s, rollingUpdate: {service: api, image: 'api:2'}}]"])).toEqual([]);
  });

  it("a network no service attaches to", () => {
    expect(notesOf(["networks=[{name: front}, {name: spare}]"])).toEqual(["networks[spare]: no service attaches to it, so it carries no traffic and holds no address"]);
  });

  it("maxReplicasPerNode on a global service (a stack may carry it: docker stack deploy takes it)", () => {
    const global = base.replace("{name: api, replicas: 3,", "{name: api, mode: global,");
    expect(global).not.toBe(base);
    const capped = "services.api.placement={maxReplicasPerNode: 1}";
    expect(scenarioWarnings(parseScenario(global, "inert.yaml", [capped]))).toEqual(["services[api].placement.maxReplicasPerNode changes nothing: a global service runs one task per node already"]);
    const run = (sets: string[]): unknown => { const r = runYaml(global, sets); return { events: r.events, timeseries: r.timeseries, nodes: r.nodes }; };
    expect(run([capped])).toEqual(run([]));
  });
});

describe("events that find nothing to do when they strike", () => {
  it("a drain before the addNodes that creates its node, a second failure of a node already down, a second kill: notes in the run's (walkthrough)", () => {
    const r = runYaml(base, [
      "events=[{at: 5s, drain: {node: web-4}}, {at: 6s, nodeFailure: {nodes: [web-1]}}, {at: 8s, nodeFailure: {nodes: [web-1, web-2]}}, {at: 9s, killManager: {manager: manager-2}}, {at: 10s, killManager: {manager: manager-2}}, {at: 12s, addNodes: {group: web, count: 1}}]",
    ]);
    expect(r.summary.notes.filter((n) => n.startsWith("the "))).toEqual([
      "the drain at 5s names web-4, which no addNodes had added yet: nothing happened to it",
      "the nodeFailure at 8s names web-1, which was already down: nothing happened to it",
      "the killManager at 10s names manager-2, which was already down: nothing happened to it",
    ]);
  });

  it("a load spike to the workload's own rate: the same traffic, window for window (only the fault's own line marks it)", () => {
    const spike = "events=[{at: 10s, loadSpike: {workload: users, rate: 40/s, duration: 5s}}]";
    expect(scenarioWarnings(parseScenario(base, "inert.yaml", [spike]))).toEqual([
      "the loadSpike at 10 s changes nothing: its 40/s is the rate workload users has anyway",
    ]);
    expect(runYaml(base, [spike]).timeseries).toEqual(runYaml(base, []).timeseries);
  });
});
