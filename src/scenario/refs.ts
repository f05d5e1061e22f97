// Checks every name the file refers to, once all of it is known. Nodes are not listed in the
// file: managers are manager-1..N and workers <group>-1..count, where count includes the nodes
// that addNodes events add later in the run.

import type { Ctx, Ref } from "./context.js";
import { MANAGER_PREFIX, nodeName } from "./cluster.js";
import { LIMITS } from "./defaults.js";
import { closest, listNames, suggestion } from "./suggest.js";
import type { ServiceSpec } from "./types.js";
import { DEFAULT_NETWORK } from "./networks.js";

export interface Known {
  services: ReadonlyMap<string, ServiceSpec>;
  networks: readonly string[];
  workloads: readonly string[];
  /** Node group -> number of nodes it ever has (its count plus every addNodes). */
  groups: ReadonlyMap<string, number>;
  managers: number;
  /** Zones that hold a host: the managers' and the node groups' that ever have a node. */
  zones: readonly string[];
  /** Zone -> its node groups that never have a node (count 0, no addNodes): what an empty zone was meant to hold. */
  emptyGroups: ReadonlyMap<string, readonly string[]>;
}

export function checkRefs(ctx: Ctx, refs: readonly Ref[], known: Known): void {
  for (const r of refs) {
    const problem = refProblem(r, known);
    if (problem !== undefined) ctx.report(r.at, r.path, problem);
  }
}

function refProblem(r: Ref, k: Known): string | undefined {
  switch (r.kind) {
    case "service":
      return serviceProblem(r, k);
    case "network":
      if (k.networks.includes(r.name) || r.name === DEFAULT_NETWORK) return undefined;
      return k.networks.length === 0
        ? `unknown network ${JSON.stringify(r.name)} (declare it in the top-level networks list)`
        : `unknown network ${JSON.stringify(r.name)}${suggestion(r.name, [...k.networks, DEFAULT_NETWORK])}`;
    case "workload":
      return k.workloads.includes(r.name) ? undefined : `unknown workload ${JSON.stringify(r.name)}${suggestion(r.name, k.workloads)}`;
    case "nodeGroup":
      return k.groups.has(r.name) ? undefined : `unknown node group ${JSON.stringify(r.name)}${suggestion(r.name, [...k.groups.keys()])}`;
    case "nodeOrGroup":
      // "manager" stands for the managers, as a node group's name stands for its nodes.
      return k.groups.has(r.name) || r.name === MANAGER_PREFIX ? undefined : nodeProblem(r.name, "node", k);
    case "node":
    case "manager":
    case "worker":
      return nodeProblem(r.name, r.kind, k);
    case "zone": {
      if (k.zones.includes(r.name)) return undefined;
      const empty = k.emptyGroups.get(r.name);
      if (empty !== undefined) return `no host is in zone ${JSON.stringify(r.name)}: its node group${empty.length > 1 ? "s" : ""} ${empty.join(", ")} ${empty.length > 1 ? "have" : "has"} count 0 and no addNodes adds a node`;
      return `no host is in zone ${JSON.stringify(r.name)}${suggestion(r.name, k.zones, "zones with hosts")}`;
    }
  }
}

function serviceProblem(r: Ref, k: Known): string | undefined {
  const spec = k.services.get(r.name);
  if (!spec) return `unknown service ${JSON.stringify(r.name)}${suggestion(r.name, [...k.services.keys()])}`;
  if (r.need === "ports" && spec.ports.length === 0) {
    return `service ${r.name} publishes no port, so outside traffic cannot reach it (add ports to it, e.g. ports: [{published: 80, target: 8080}])`;
  }
  if (r.need === "ports" && r.port !== undefined && !spec.ports.some((p) => p.published === r.port)) {
    return `service ${r.name} publishes no port ${r.port} (it publishes ${spec.ports.map((p) => `${p.published} (${p.mode})`).join(", ")})`;
  }
  if (r.need === "replicated" && spec.mode !== "replicated") return `service ${r.name} is global; only a replicated service can be scaled`;
  return undefined;
}

function nodeProblem(name: string, kind: "node" | "manager" | "worker", k: Known): string | undefined {
  const m = /^(.+)-(\d+)$/.exec(name);
  const prefix = m?.[1] ?? name;
  const n = Number(m?.[2] ?? NaN);
  const ranges = nodeRanges(kind, k);
  if (prefix === MANAGER_PREFIX) {
    if (kind === "worker") return `${name} is a manager; only workers can be removed`;
    if (n >= 1 && n <= k.managers) return undefined;
    return `unknown manager ${JSON.stringify(name)} (${k.managers === 1 ? "the manager is" : "managers are"} ${range(MANAGER_PREFIX, k.managers)})`;
  }
  const what = kind === "manager" ? "manager" : "node";
  const total = kind === "manager" ? undefined : k.groups.get(prefix);
  if (total !== undefined) {
    if (n >= 1 && n <= total) return undefined;
    if (total === 0) return `unknown node ${JSON.stringify(name)} (node group ${prefix} has no nodes: its count is 0 and no addNodes adds one)`;
    return `unknown node ${JSON.stringify(name)} (node group ${prefix} has ${range(prefix, total)})`;
  }
  const prefixes = kind === "manager" ? [MANAGER_PREFIX] : [MANAGER_PREFIX, ...k.groups.keys()];
  const near = closest(prefix, prefixes);
  if (near !== undefined && m) return `unknown ${what} ${JSON.stringify(name)} (did you mean ${nodeName(near, n)}?)`;
  return `unknown ${what} ${JSON.stringify(name)} (${kind === "manager" ? "managers are" : "nodes are"} ${listNames(ranges)})`;
}

/** "web-1..web-10" (or just "web-1"). */
function range(prefix: string, count: number): string {
  return count === 1 ? nodeName(prefix, 1) : `${nodeName(prefix, 1)}..${nodeName(prefix, count)}`;
}

function nodeRanges(kind: "node" | "manager" | "worker", k: Known): string[] {
  const managers = kind === "worker" ? [] : [range(MANAGER_PREFIX, k.managers)];
  if (kind === "manager") return managers;
  return [...managers, ...[...k.groups].filter(([, count]) => count > 0).map(([g, count]) => range(g, count))];
}

/** Managers plus every worker the run will ever have. */
export function checkNodeTotal(ctx: Ctx, known: Known, at: Ref["at"]): void {
  const total = known.managers + [...known.groups.values()].reduce((a, b) => a + b, 0);
  if (total > LIMITS.nodesTotal) ctx.report(at, "cluster", `has ${total} nodes with those added by events (at most ${LIMITS.nodesTotal})`);
}
