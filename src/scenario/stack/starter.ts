// `orchsim import`: a starter scenario for a stack. It references the stack (which stays the
// source of truth), lists each service with the simulation fields Compose cannot say as
// commented placeholders holding their defaults, sizes a cluster that fits the reservations and
// satisfies the label constraints, and sends traffic to each service that publishes a port.

import { parseConstraint } from "../constraints.js";
import { DEFAULTS } from "../defaults.js";
import type { Scenario, ServiceSpec } from "../types.js";
import { formatBytes, formatDurationUs } from "../units.js";

/** A worker's size unless one task needs more; the usual cloud "xlarge". */
const WORKER = { cpuCores: 4, memoryBytes: 16 * 2 ** 30 };
/** Reservations fill at most this much of a group, leaving room for a node to fail. */
const FILL = 0.7;
/** Workers in the unconstrained group at least: one can fail and the services still spread. */
const MIN_NODES = 3;
const GIB = 2 ** 30;

interface Group {
  name: string;
  labels: Record<string, string>;
  services: ServiceSpec[];
}

export interface Starter {
  text: string;
  /** What the cluster could not be made to satisfy, for stderr. */
  remarks: string[];
}

/** `stackRefs` as the scenario should write them (relative to where it is written). */
export function starterScenario(name: string, stackRefs: readonly string[], probe: Scenario): Starter {
  const remarks: string[] = [];
  const { groups, onManagers, managerLabels } = groupServices(probe.services, remarks);
  const out: string[] = [
    `# A starter scenario for ${stackRefs.join(", ")}, written by orchsim import. The stack stays the`,
    "# source of truth: what it says about a service is read from it at every run; this file adds",
    "# what Compose cannot say (the cluster, the traffic, what requests and start-ups cost).",
    "version: 1",
    `name: ${name}`,
    `stack: ${stackRefs.length === 1 ? JSON.stringify(stackRefs[0]) : `[${stackRefs.map((r) => JSON.stringify(r)).join(", ")}]`}`,
    "duration: 10m",
    "seed: 1",
    "cluster:",
    ...managerLines(onManagers, managerLabels, probe.services),
    "  nodeGroups:",
    ...groups.map((g) => groupLine(g, probe.services)),
    "services:",
    ...probe.services.flatMap(serviceLines),
    ...workloadLines(probe.services),
    "events: []",
    "  # A failure to rehearse, e.g.:",
    `  # - {at: 3m, nodeFailure: {nodes: [${groups[0]?.name ?? "workers"}-1], recoverAfter: 5m}}`,
    "",
  ];
  return { text: out.join("\n"), remarks };
}

/** The platform every simulated node reports (the scheduler's node.platform.os and .arch). */
const PLATFORM: Readonly<Record<string, string>> = { "node.platform.os": "linux", "node.platform.arch": "x86_64" };

/**
 * Services by the node labels their constraints require; managers' services apart, with the
 * labels they require of the managers.
 */
function groupServices(services: readonly ServiceSpec[], remarks: string[]): { groups: Group[]; onManagers: ServiceSpec[]; managerLabels: Record<string, string> } {
  const groups: Group[] = [];
  const onManagers: ServiceSpec[] = [];
  const managerLabels: Record<string, string> = {};
  for (const s of services) {
    const labels: Record<string, string> = {};
    let manager = false;
    for (const text of s.placement.constraints) {
      const c = parseConstraint(text);
      if (typeof c === "string" || c.op !== "==") continue;
      if (c.key === "node.role") manager = c.value === "manager";
      else if (c.key.startsWith("node.labels.") && c.key !== "node.labels.zone") labels[c.key.slice("node.labels.".length)] = c.value;
      else if (PLATFORM[c.key] !== c.value) remarks.push(`service ${s.name}: the constraint ${text} is not satisfied by the generated cluster; give a node group what it asks`);
    }
    if (manager) {
      onManagers.push(s);
      Object.assign(managerLabels, labels);
      continue;
    }
    const key = JSON.stringify(Object.entries(labels).sort());
    // db=true -> "db"; tier=cache -> "tier-cache".
    const words = Object.entries(labels).map(([k, v]) => (v === "true" ? k : `${k}-${v}`));
    const name = words.length === 0 ? "workers" : words.join("-").replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63);
    const g = groups.find((x) => JSON.stringify(Object.entries(x.labels).sort()) === key);
    if (g) g.services.push(s);
    else groups.push({ name, labels, services: [s] });
  }
  if (!groups.some((g) => Object.keys(g.labels).length === 0)) groups.unshift({ name: "workers", labels: {}, services: [] });
  return { groups, onManagers, managerLabels };
}

/** What `services` reserve on one group of `count` nodes (global services once per node). */
function reserved(services: readonly ServiceSpec[], globals: readonly ServiceSpec[], count: number): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const s of services) {
    const n = s.mode === "global" ? count : s.replicas;
    cpu += n * s.resources.reservations.cpuCores;
    memory += n * s.resources.reservations.memoryBytes;
  }
  for (const s of globals) {
    cpu += count * s.resources.reservations.cpuCores;
    memory += count * s.resources.reservations.memoryBytes;
  }
  return { cpu, memory };
}

function groupLine(g: Group, all: readonly ServiceSpec[]): string {
  // Unconstrained global services run on every node, this group's too.
  const globals = all.filter((s) => s.mode === "global" && s.placement.constraints.length === 0 && !g.services.includes(s));
  const largest = Math.max(0, ...[...g.services, ...globals].map((s) => s.resources.reservations.cpuCores));
  const largestMem = Math.max(0, ...[...g.services, ...globals].map((s) => s.resources.reservations.memoryBytes));
  const cpu = Math.max(WORKER.cpuCores, 2 ** Math.ceil(Math.log2(Math.max(1, largest))));
  const memory = Math.max(WORKER.memoryBytes, 2 ** Math.ceil(Math.log2(Math.max(GIB, largestMem))));
  const perNode = Math.max(0, ...g.services.map((s) => (s.placement.maxReplicasPerNode > 0 ? Math.ceil(s.replicas / s.placement.maxReplicasPerNode) : 0)));
  // The unconstrained group gets MIN_NODES; a labelled one no more nodes than it has replicas.
  const replicas = g.services.reduce((n, s) => n + (s.mode === "global" ? 1 : s.replicas), 0);
  const least = Object.keys(g.labels).length === 0 ? MIN_NODES : Math.max(1, Math.min(MIN_NODES, replicas));
  let count = Math.max(least, perNode);
  for (;;) {
    const r = reserved(g.services, globals, count);
    if (r.cpu <= FILL * count * cpu && r.memory <= FILL * count * memory) break;
    count++;
  }
  const labels = labelsText(g.labels);
  const why = g.services.length === 0 ? "for the services with no label constraint" : `for ${g.services.map((s) => s.name).join(", ")}`;
  return `    - {name: ${g.name}, count: ${count}, cpu: ${cpu}, memory: ${memory / GIB}GiB${labels}}   # ${why}; reservations fill at most ${FILL * 100}%`;
}

/** `, labels: {db: "true"}`, or nothing. */
function labelsText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "" : `, labels: {${entries.map(([k, v]) => `${/^[A-Za-z0-9_.-]+$/.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")}}`;
}

function managerLines(onManagers: readonly ServiceSpec[], labels: Record<string, string>, all: readonly ServiceSpec[]): string[] {
  const globals = all.filter((s) => s.mode === "global" && s.placement.constraints.length === 0);
  const r = reserved(onManagers, globals, 3);
  const cpu = Math.max(DEFAULTS.managers.cpuCores, 2 ** Math.ceil(Math.log2(Math.max(1, r.cpu / 3 / FILL))));
  const memory = Math.max(DEFAULTS.managers.memoryBytes, 2 ** Math.ceil(Math.log2(Math.max(GIB, r.memory / 3 / FILL))));
  const why = onManagers.length === 0 ? "a production swarm's three managers" : `three managers; ${onManagers.map((s) => s.name).join(", ")} ${onManagers.length === 1 ? "runs" : "run"} on them (node.role == manager)`;
  return [`  managers: {count: 3, cpu: ${cpu}, memory: ${memory / GIB}GiB${labelsText(labels)}}   # ${why}`];
}

function serviceLines(s: ServiceSpec): string[] {
  const dur = formatDurationUs;
  const cpu = s.request.cpu;
  const mean = "mean" in cpu ? cpu.mean : (cpu.min + cpu.max) / 2;
  return [
    `  - name: ${s.name}`,
    "    # What Compose cannot say, as it stands now (defaults, or the stack's x-orchsim); measure yours:",
    `    # request: {cpu: ${dur(Math.round(mean))}, distribution: ${cpu.kind}, calls: [${s.request.calls.map((c) => `{service: ${c.service}, count: ${c.count}, timeout: ${dur(c.timeoutUs)}}`).join(", ")}]}`,
    "    #   (CPU time per request; calls: the services each request calls in turn: only services a workload or a call reaches get traffic)",
    `    # startup: {pull: ${dur(s.startup.pullUs)}, cpu: ${dur(s.startup.cpuUs)}, memory: ${formatBytes(s.startup.memoryBytes)}}   # work before it serves`,
    `    # runtime: {memory: ${formatBytes(s.runtime.memoryBytes)}, concurrency: ${s.runtime.concurrency}, queue: ${s.runtime.queue}}`,
    ...(s.mode === "replicated" ? [autoscaleLine(s)] : []),
  ];
}

/** The service's autoscaler as it stands (x-orchsim's), or, with none, an example marked as one (walkthrough: it read as the default). */
function autoscaleLine(s: ServiceSpec): string {
  const a = s.autoscale;
  if (a !== null) return `    # autoscale: {min: ${a.min}, max: ${a.max}, targetCpu: ${Math.round(a.targetCpu * 1e4) / 100}%}`;
  return `    # autoscale: {min: ${Math.max(1, s.replicas)}, max: ${Math.max(2, s.replicas * 3)}, targetCpu: 70%}   # none now; an example to start from`;
}

function workloadLines(services: readonly ServiceSpec[]): string[] {
  const entry = services.filter((s) => s.ports.some((p) => p.mode === "ingress"));
  if (entry.length === 0) return ["workload: []   # no service publishes a port in ingress mode"];
  return [
    "workload:   # traffic from outside through the routing mesh: decide each rate, and remove what takes none",
    ...entry.map((s) => {
      const ports = s.ports.filter((p) => p.mode === "ingress").map((p) => p.published);
      // A workload takes the first published port unless it names one: name the mesh's when another comes first or beside it.
      const port = s.ports.length > 1 ? `, port: ${ports[0]}` : "";
      const others = ports.length > 1 ? `   # also published through the mesh: ${ports.slice(1).join(", ")}` : "";
      return `  - {name: ${s.name}-clients, service: ${s.name}, rate: 50/s${port}}${others}`;
    }),
  ];
}
