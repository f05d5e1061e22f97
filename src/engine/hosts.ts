import type { Simulation } from "../kernel/index.js";
import type { Scenario } from "../scenario/types.js";
import { groupTotals, MANAGER_PREFIX, nodeName } from "../scenario/index.js";
import { Host, type HostSpec } from "../cluster/host.js";
import type { Request } from "../workload/client.js";
import { nodeRecordFrom, type NodeRecord } from "../manager/store.js";
import type { NodeDescription } from "../api/messages.js";

/** The one rule for the managers' zones: manager-1..N take `zones` round-robin (index i - 1 is manager-i's). */
export function managerZones(m: Pick<Scenario["cluster"]["managers"], "count" | "zones">): string[] {
  return Array.from({ length: m.count }, (_, i) => m.zones[i % m.zones.length] ?? "default");
}

/** Host specs for the managers (manager-1..N over the zones round-robin) and the node groups. */
export function hostSpecs(scenario: Scenario): HostSpec[] {
  const m = scenario.cluster.managers;
  const specs: HostSpec[] = [];
  const zones = managerZones(m);
  for (let i = 1; i <= m.count; i++) {
    const zone = zones[i - 1]!;
    specs.push({
      name: nodeName(MANAGER_PREFIX, i),
      role: "manager",
      group: "manager",
      zone,
      cpuCores: m.cpuCores,
      memoryBytes: m.memoryBytes,
      labels: { ...m.labels, zone },
      engineLabels: {},
      generic: {},
      runsTasks: m.runTasks,
      images: m.images,
    });
  }
  for (const g of scenario.cluster.nodeGroups) {
    for (let i = 1; i <= g.count; i++) specs.push(groupHostSpec(g, i));
  }
  return specs;
}

export function groupHostSpec(g: Scenario["cluster"]["nodeGroups"][number], i: number): HostSpec {
  return {
    name: nodeName(g.name, i),
    role: "worker",
    group: g.name,
    zone: g.zone,
    cpuCores: g.cpuCores,
    memoryBytes: g.memoryBytes,
    labels: { ...g.labels, zone: g.zone },
    engineLabels: { ...g.engineLabels },
    generic: { ...g.generic },
    runsTasks: true,
    images: g.images,
  };
}

export function makeHosts(sim: Simulation, specs: HostSpec[]): Host<Request>[] {
  return specs.map((s, i) => new Host<Request>(i, s, sim));
}

/** What a host tells the managers about itself when it joins. */
export function nodeDescription(host: Host<Request>): NodeDescription {
  const s = host.spec;
  return {
    id: s.name,
    index: host.index,
    role: s.role,
    zone: s.zone,
    labels: s.labels,
    engineLabels: s.engineLabels,
    cpuNanos: Math.round(s.cpuCores * 1e9),
    memoryBytes: s.memoryBytes,
    generic: s.generic,
    runsTasks: s.runsTasks,
  };
}

/** The managers' record of a node present from the start. A node that runs no tasks is drained (a manager with runTasks off). */
export function nodeRecord(host: Host<Request>): NodeRecord {
  return nodeRecordFrom(nodeDescription(host));
}

/** The node groups that have a node at some time: a group of count 0 that no addNodes fills has none. */
export function groupsWithNodes(s: Scenario): Scenario["cluster"]["nodeGroups"] {
  const has = hasNodes(s);
  return s.cluster.nodeGroups.filter(has);
}

/** The node groups that never have a node (count 0, no addNodes). */
export function emptyGroups(s: Scenario): Scenario["cluster"]["nodeGroups"] {
  const has = hasNodes(s);
  return s.cluster.nodeGroups.filter((g) => !has(g));
}

function hasNodes(s: Scenario): (g: { name: string }) => boolean {
  const totals = groupTotals(s.cluster.nodeGroups, s.events);
  return (g) => (totals.get(g.name) ?? 0) > 0;
}
