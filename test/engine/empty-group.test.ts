// A node group of count 0: declared, with no node until an addNodes brings one. It is how
// `orchsim plan --minimize cluster.nodeGroups.gpu.count --range 0..4` asks whether a group is
// needed at all, and how a scenario holds a group that only a scale-out fills.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { scenarioWarnings } from "../../src/engine/unsupported.js";
import { fixedFailureNotes } from "../../src/cli/vary-notes.js";
import { runScenario } from "../helpers.js";

function scenario(events = ""): string {
  return `version: 1
name: empty-group
seed: 2
duration: 40s
cluster:
  managers: {count: 1}
  nodeGroups:
    - {name: w, count: 2, cpu: 2, memory: 4GiB}
    - {name: gpu, count: 0, cpu: 8, memory: 32GiB, zone: z2, labels: {gpu: "yes"}}
services:
  - {name: api, replicas: 2, ports: [{published: 80, target: 8080}], request: {cpu: 20ms}}
  - {name: infer, replicas: 1, placement: {constraints: ["node.labels.gpu==yes"]}, request: {cpu: 50ms}}
workload:
  - {name: users, service: api, rate: 20/s}
${events}`;
}

describe("a node group of count 0", () => {
  it("has no node: what only it could run stays pending, and the rest runs", () => {
    const o = runScenario(parseScenario(scenario(), "empty-group.yaml"));
    expect(o.nodes.some((r) => r.node.startsWith("gpu-"))).toBe(false);
    expect(o.summary.services["infer"]).toMatchObject({ tasks_running: 0, tasks_pending: 1, desired_reached: false });
    expect(o.summary.services["api"]).toMatchObject({ tasks_running: 2, desired_reached: true });
    expect(o.summary.services["api"]!.completed).toBeGreaterThan(0);
  });

  it("gets its first node from an addNodes, which runs what waited for it", () => {
    const o = runScenario(parseScenario(scenario("events:\n  - {at: 10s, addNodes: {group: gpu, count: 1}}\n"), "empty-group.yaml"));
    expect(o.nodes.filter((r) => r.node === "gpu-1").map((r) => r.t_s)).toEqual([20, 30, 40]);
    expect(o.summary.services["infer"]).toMatchObject({ tasks_running: 1, tasks_pending: 0, desired_reached: true });
  });

  it("names no node an event can take: the message says the group is empty, and its zone holds no host", () => {
    expect(() => parseScenario(scenario("events:\n  - {at: 10s, nodeFailure: {nodes: [gpu-1]}}\n"), "empty-group.yaml")).toThrow(
      'empty-group.yaml:16:37 events[0].nodeFailure.nodes[0]: unknown node "gpu-1" (node group gpu has no nodes: its count is 0 and no addNodes adds one)',
    );
    expect(() => parseScenario(scenario("events:\n  - {at: 10s, nodeFailure: {zones: [z2]}}\n"), "empty-group.yaml")).toThrow(
      'empty-group.yaml:16:37 events[0].nodeFailure.zones[0]: no host is in zone "z2": its node group gpu has count 0 and no addNodes adds a node',
    );
  });

  it("is no node to the notes: a service only it could run is said to stay pending, until an addNodes fills it", () => {
    const pending = "note: services[infer]: no node that runs tasks matches its constraints (node.labels.gpu == yes), so its tasks stay pending for the whole run";
    expect(scenarioWarnings(parseScenario(scenario(), "empty-group.yaml")).map((w) => `note: ${w}`)).toContain(pending);
    expect(scenarioWarnings(parseScenario(scenario("events:\n  - {at: 10s, addNodes: {group: gpu, count: 1}}\n"), "empty-group.yaml")).join("\n")).not.toContain("infer");
  });

  it("is named in the note on a reservation only it could hold, and memory reads in the scenario's units (walkthrough: 'no node has more than 0', in bytes)", () => {
    const big = scenario().replace("request: {cpu: 50ms}}", "resources: {reservations: {memory: 16GiB}}, request: {cpu: 50ms}}");
    expect(scenarioWarnings(parseScenario(big, "empty-group.yaml"))).toContain(
      "services[infer]: no node can ever hold one of its tasks (it reserves memory 16GiB, and no node has more than 4GiB; node group gpu would hold one, but has count 0 and no addNodes adds one), so its tasks stay pending for the whole run",
    );
    // A group that holds it but is not one the service may run on is not named: adding nodes there would not help.
    const elsewhere = big.replace('labels: {gpu: "yes"}', 'labels: {gpu: "no"}');
    expect(scenarioWarnings(parseScenario(elsewhere, "empty-group.yaml")).join("\n")).toContain("(it reserves memory 16GiB, and no node has more than 4GiB), so its tasks stay pending");
    const nothing = big.replace("managers: {count: 1}", "managers: {count: 1, runTasks: false}").replace("count: 2, cpu: 2", "count: 0, cpu: 2");
    expect(scenarioWarnings(parseScenario(nothing, "empty-group.yaml")).join("\n")).toContain(
      "services[infer]: no node can ever hold one of its tasks (the cluster has no node that runs tasks; node group gpu would hold one, but has count 0 and no addNodes adds one)",
    );
    // A global service makes a task per node: with none, it has no task to be pending (review).
    const global = nothing.replace("{name: api, replicas: 2,", "{name: api, mode: global,");
    expect(scenarioWarnings(parseScenario(global, "empty-group.yaml")).join("\n")).toContain("services[api]: no node can ever hold one of its tasks (the cluster has no node that runs tasks; node groups w, gpu would hold one, but have count 0 and no addNodes adds one), so it runs no task anywhere");
  });

  it("names in an event a node it has only later, or had: the run's notes say the event did nothing to it (walkthrough: silent)", () => {
    const early = runScenario(parseScenario(scenario("events:\n  - {at: 5s, nodeFailure: {nodes: [gpu-1]}}\n  - {at: 10s, addNodes: {group: gpu, count: 1}}\n"), "empty-group.yaml"));
    expect(early.summary.notes).toContain("the nodeFailure at 5s names gpu-1, which no addNodes had added yet: nothing happened to it");
    expect(early.summary.services["infer"]).toMatchObject({ tasks_running: 1 });
    const late = runScenario(parseScenario(scenario("events:\n  - {at: 5s, addNodes: {group: gpu, count: 1}}\n  - {at: 10s, removeNodes: {nodes: [gpu-1]}}\n  - {at: 15s, nodeFailure: {nodes: [gpu-1, w-1]}, every: 5s, times: 3}\n"), "empty-group.yaml"));
    // Once, though the failure strikes three times; w-1 fails as named.
    expect(late.summary.notes.filter((n: string) => n.includes("gpu-1"))).toEqual(["the nodeFailure at 15s names gpu-1, which a removeNodes had removed: nothing happened to it"]);
    expect(late.events.some((e) => e["kind"] === "node" && e["node"] === "w-1" && e["status"] === "down")).toBe(true);
  });

  it("as a workload's only entry nodes lets no request in: said before the run (walkthrough: every request failed unsaid)", () => {
    const only = parseScenario(scenario().replace("{name: users, service: api, rate: 20/s}", "{name: users, service: api, rate: 20/s, entryNodes: [gpu]}"), "empty-group.yaml");
    expect(scenarioWarnings(only)).toContain("workload[users].entryNodes names node group gpu, which never has a node (count 0, no addNodes): no connection can enter, and every request fails");
    const also = parseScenario(scenario().replace("{name: users, service: api, rate: 20/s}", "{name: users, service: api, rate: 20/s, entryNodes: [w, gpu]}"), "empty-group.yaml");
    expect(scenarioWarnings(also)).toContain("workload[users].entryNodes names node group gpu, which never has a node (count 0, no addNodes): no connection enters there");
  });

  it("varied from 0, says nothing of a node failure that names none of its nodes (review: a note listed none)", () => {
    const s = parseScenario(scenario("events:\n  - {at: 10s, nodeFailure: {nodes: [w-1]}}\n"), "empty-group.yaml");
    expect(fixedFailureNotes(s, ["cluster.nodeGroups.gpu.count"])).toEqual([]);
    expect(fixedFailureNotes(s, ["cluster.nodeGroups.w.count"])).toHaveLength(0); // w-1 of 2: some of the group, meant as such
  });
});
