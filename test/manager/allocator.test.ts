// The network allocator against swarmkit's rules: every task takes an address per network, every
// VIP-mode service a VIP per network, every node with a task on a network (and every node on
// ingress) a load-balancer address; a full subnet leaves tasks NEW with swarmkit's error, and
// addresses come back when a task's state passes RUNNING.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, scenarioYaml } from "../helpers.js";
import { TaskState } from "../../src/api/task-state.js";

/** Two workers; `web` on network `back` with the given subnet; traffic-free. */
function scenario(subnet: string, replicas: number, extra = ""): string {
  return scenarioYaml({ name: "ipam", duration: "2m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 8, memory: 16GiB}]
networks: [{name: back, subnet: ${subnet}}]
services:
  - {name: web, replicas: ${replicas}, networks: [back]${extra}}
`);
}

function lastRow(out: ReturnType<typeof runYaml>, network: string) {
  return out.run.world.recorder.networks.filter((r) => r.network === network).at(-1)!;
}

describe("address counts", () => {
  it("a /24 holds tasks + one VIP + one endpoint per node that runs a task on it", () => {
    const out = runYaml(scenario("10.0.9.0/24", 20));
    const row = lastRow(out, "back");
    expect(row.addresses_usable).toBe(253);
    expect(row.addresses_used).toBe(20 + 1 + 2);
    expect(row.tasks_unallocated).toBe(0);
    // ingress: every node (3) holds an endpoint; web publishes nothing, so no task is on it.
    expect(lastRow(out, "ingress").addresses_used).toBe(3);
    const store = out.run.world.control.viewStore();
    const addresses = [...store.tasks.values()].flatMap((t) => t.networks.map((a) => a.address));
    expect(new Set(addresses).size).toBe(20);
  });

  it("dnsrr services take no VIP; an ingress port adds an address on ingress per task and a VIP there", () => {
    const dnsrr = runYaml(scenario("10.0.9.0/24", 4, ", endpointMode: dnsrr"));
    expect(lastRow(dnsrr, "back").addresses_used).toBe(4 + 0 + 2);
    const published = runYaml(scenario("10.0.9.0/24", 4, ", ports: [{published: 80, target: 80}]"));
    expect(lastRow(published, "back").addresses_used).toBe(4 + 1 + 2);
    expect(lastRow(published, "ingress").addresses_used).toBe(4 + 1 + 3);
  });
});

describe("a full subnet", () => {
  it("leaves tasks NEW with swarmkit's error; the rest run", () => {
    // A /28 has 13 usable addresses: the VIP takes one, tasks are allocated before they are
    // placed, so 12 of 20 get addresses and the nodes' endpoints then find none.
    const out = runYaml(scenario("10.0.9.0/28", 20));
    const row = lastRow(out, "back");
    expect(row.addresses_usable).toBe(13);
    expect(row.addresses_used).toBe(13);
    expect(row.tasks_unallocated).toBe(8);
    const failures = eventsOf(out.events, "allocation").filter((e) => e["task"]);
    expect(failures).toHaveLength(8);
    expect(failures[0]!["error"]).toMatch(/^failed to allocate network IP for task web\.\d+\.1 network back: could not find an available IP$/);
    expect(eventsOf(out.events, "allocation").filter((e) => e["node"]).map((e) => e["error"])).toContain(
      "failed to allocate network resources for node w-1 on network back: could not find an available IP",
    );
    const states = [...out.run.world.control.viewStore().tasks.values()].map((t) => t.state);
    expect(states.filter((s) => s === TaskState.NEW)).toHaveLength(8);
    expect(states.filter((s) => s === TaskState.RUNNING)).toHaveLength(12);
    expect(out.summary.networks["back"]!.allocation_failures).toBe(8 + 2);
    expect(out.timeseries.at(-1)!.tasks_pending).toBe(8);
  });

  it("addresses come back when tasks end: scaling down lets the waiting ones in", () => {
    const out = runYaml(scenario("10.0.9.0/28", 20) + "events:\n  - {at: 30s, scale: {service: web, replicas: 6}}\n");
    const row = lastRow(out, "back");
    expect(row.tasks_unallocated).toBe(0);
    // 6 tasks, the VIP and both nodes' endpoints, now that there is room for them.
    expect(row.addresses_used).toBe(6 + 1 + 2);
    const running = [...out.run.world.control.viewStore().tasks.values()].filter((t) => t.state === TaskState.RUNNING);
    expect(running).toHaveLength(6);
  });

  it("a start-first update needs old and new addresses at once: on a full subnet it stalls; stop-first goes through", () => {
    // stop-first creates each new task while its old one stops, so the new one waits a moment
    // for the old one's address (swarmkit retries it when the old task's state passes RUNNING).
    // 10 tasks + VIP + 2 endpoints = 13: the /28 is full.
    const update = "events:\n  - {at: 20s, rollingUpdate: {service: web, image: web:2}}\n";
    const startFirst = runYaml(scenario("10.0.9.0/28", 10, ", update: {order: start-first}") + update);
    const stopFirst = runYaml(scenario("10.0.9.0/28", 10, ", update: {order: stop-first}") + update);
    const updateStates = (out: ReturnType<typeof runYaml>) => eventsOf(out.events, "service").map((e) => e["update"]);
    expect(updateStates(startFirst)).toEqual(["updating"]);
    expect(eventsOf(startFirst.events, "allocation").some((e) => /web\.\d+\.2/.test(String(e["task"])))).toBe(true);
    expect(updateStates(stopFirst)).toEqual(["updating", "completed"]);
    expect(lastRow(stopFirst, "back").tasks_unallocated).toBe(0);
    expect(lastRow(startFirst, "back").tasks_unallocated).toBe(1);
    const images = [...stopFirst.run.world.control.viewStore().tasks.values()].filter((t) => t.state === TaskState.RUNNING).map((t) => t.spec.image.name);
    expect(images).toEqual(new Array(10).fill("web:2"));
  });

  it("a task on a node that went DOWN keeps its addresses (its state never passed RUNNING)", () => {
    const out = runYaml(scenario("10.0.9.0/24", 10) + "events:\n  - {at: 10s, nodeFailure: {nodes: [w-1]}}\n");
    const row = lastRow(out, "back");
    // 10 replacements run on w-2; the 5 tasks of dead w-1 still hold theirs.
    expect(row.addresses_used).toBe(10 + 5 + 1 + 2);
  });

  it("a service whose VIP finds no address: its tasks stay NEW, the run starts at once, the failure is logged once", () => {
    // A /30 has one usable address: web's VIP takes it, api's VIP finds none.
    const out = runYaml(scenarioYaml({ name: "vip", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 4, memory: 8GiB}]
networks: [{name: tiny, subnet: 10.9.0.0/30}]
services:
  - {name: web, replicas: 2, networks: [tiny]}
  - {name: api, replicas: 2, networks: [tiny]}
`));
    expect(out.run.world.originUs).toBeLessThan(60_000_000);
    const vipFailures = eventsOf(out.events, "allocation").filter((e) => e["service"] === "api" && e["task"] === undefined);
    expect(vipFailures.map((e) => e["error"])).toEqual(["failed to allocate VIP of service api on network tiny: could not find an available IP"]);
    const api = [...out.run.world.control.viewStore().tasks.values()].filter((t) => t.service === "api");
    expect(api.map((t) => t.state)).toEqual([TaskState.NEW, TaskState.NEW]);
  });

  it("after a leader change the new leader logs what is still stuck again; the summary counts each task once", () => {
    const yaml = scenario("10.0.9.0/28", 20).replace("managers: {count: 1, runTasks: false}", "managers: {count: 3, runTasks: false}");
    const out = runYaml(yaml + "events:\n  - {at: 20s, killLeader: {restartAfter: 10s}}\n");
    const taskEvents = eventsOf(out.events, "allocation").filter((e) => e["task"]);
    const distinct = new Set(taskEvents.map((e) => e["task"]));
    expect(taskEvents.length).toBeGreaterThan(distinct.size);
    const nodes = new Set(eventsOf(out.events, "allocation").filter((e) => e["node"]).map((e) => e["node"]));
    expect(out.summary.networks["back"]!.allocation_failures).toBe(distinct.size + nodes.size);
  });
});
