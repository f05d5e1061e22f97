import { formatNumber, nameRanges, round1 } from "../metrics/fmt.js";
import { DEFAULTS, formatBytes, formatDurationUs, groupTotals } from "../scenario/index.js";
import { workloadPort } from "./traffic.js";
import { emptyGroups, groupHostSpec, groupsWithNodes, hostSpecs } from "./hosts.js";
import { inertSettings } from "./inert-settings.js";
import type { HostSpec } from "../cluster/host.js";
import { unansweredKillUs } from "../cluster/health.js";
import { constraintsMatch, parseConstraints, type PlacedNode } from "../manager/scheduler/constraints.js";
import { spreadValue } from "../manager/scheduler/placement-tree.js";
import { buildOverlays, entryListed } from "../network/index.js";
import type { Scenario, ServiceSpec } from "../scenario/types.js";

/**
 * Fields that validate but that the model does not simulate. The run prints them once and lists
 * them in summary.json's notes, so nobody mistakes a silent no-op for a result.
 */
export function unsimulatedFields(s: Scenario): string[] {
  const attachable = s.networks.filter((n) => n.attachable).map((n) => `networks[${n.name}].attachable (standalone containers are not modelled)`);
  return attachable;
}

/**
 * What the scenario sets up that will fail by construction, or settings that cannot matter in
 * it, said before the run: calls to a service that shares no network with the caller (the name
 * does not resolve); a registry, encryption cost or zone-link capacity with nothing to act on.
 */
export function scenarioWarnings(s: Scenario): string[] {
  const hosts = hostSpecs(s);
  return [...callWarnings(s), ...callsOutlastClients(s), ...inertSettings(s), ...unplaceable(s), ...unmatched(s), ...overMemoryLimit(s), ...overNodeMemory(s, hosts), ...startsKilled(s), ...cpuLimitRefused(s, hosts), ...dips(s), ...overflowing(s, hosts), ...hostPortGaps(s, hosts), ...udpPorts(s), ...emptyEntries(s)];
}

/** A workload's entryNodes that name a node group of count 0 that no addNodes fills: no connection enters there. */
function emptyEntries(s: Scenario): string[] {
  const never = new Set(emptyGroups(s).map((g) => g.name));
  return s.workload.flatMap((w) => {
    const empty = w.entryNodes.filter((n) => never.has(n));
    if (empty.length === 0) return [];
    const which = `node group${empty.length > 1 ? "s" : ""} ${empty.join(", ")}, which never ${empty.length > 1 ? "have" : "has"} a node (count 0, no addNodes)`;
    const outcome = empty.length === w.entryNodes.length ? "no connection can enter, and every request fails" : "no connection enters there";
    return [`workload[${w.name}].entryNodes names ${which}: ${outcome}`];
  });
}

/**
 * Services whose start-up can never finish before their health check kills them: a start takes
 * at least its CPU work at one core (a thread; less under a CPU limit below one), and a container
 * not yet healthy is killed at the `retries`-th failed probe that counts (health.ts
 * unansweredKillUs). Such tasks restart for ever, on an idle node as on a busy one. Also said:
 * start-up work of an hour or more in whole minutes, which is what "500m" reads as (a duration's
 * m is minutes; millicores are the unit of resources.*.cpu).
 */
function startsKilled(s: Scenario): string[] {
  return s.services.flatMap((svc) => {
    const out: string[] = [];
    const work = svc.startup.cpuUs;
    if (work >= 3_600_000_000 && work % 60_000_000 === 0) {
      out.push(`services[${svc.name}].startup.cpu is ${work / 60_000_000} minutes (${round1(work / 3_600_000_000)} h) of CPU work per start: a duration's m is minutes; millicores are the unit of resources.*.cpu`);
    }
    const h = svc.healthcheck;
    if (h === null || work === 0) return out;
    const cores = svc.resources.limits.cpuCores > 0 ? Math.min(1, svc.resources.limits.cpuCores) : 1;
    const fastestUs = work / cores;
    const killedUs = unansweredKillUs(h);
    if (fastestUs > killedUs) {
      const at = cores < 1 ? ` at its CPU limit of ${cores} core` : " at one core, a start's most";
      const checks = h.retries <= 1 ? "its first check" : `${h.retries} checks`;
      out.push(`services[${svc.name}]: a start takes at least ${round1(fastestUs / 1e6)} s (startup.cpu${at}), but its health check kills a container not yet healthy at ${round1(killedUs / 1e6)} s (once ${checks} from startPeriod ${formatDurationUs(h.startPeriodUs)} on failed): no start can finish, and its tasks restart for ever; give healthcheck.startPeriod ${formatDurationUs(Math.ceil(fastestUs / 1e6) * 1e6)} or more`);
    }
    return out;
  });
}

/**
 * Services (and rolling updates' specs) whose CPU limit is above the cores of nodes that could
 * run their tasks (constraints and reservations allowing): Docker refuses to create such a
 * container (cluster/agent.ts refusal), so a task placed there is REJECTED. Said before the run:
 * a limit sized for the big nodes of a mixed swarm.
 */
function cpuLimitRefused(s: Scenario, hosts: readonly HostSpec[]): string[] {
  const updates = s.events.flatMap((e) => (e.action.type === "rollingUpdate" ? [{ spec: e.action.spec, what: `the rollingUpdate of ${e.action.service} at ${formatNumber(e.atUs / 1e6)} s` }] : []));
  return [...s.services.map((spec) => ({ spec, what: `services[${spec.name}]` })), ...updates].flatMap(({ spec, what }) => {
    const limit = spec.resources.limits.cpuCores;
    const r = spec.resources.reservations;
    const eligible = hosts.filter(canRun(spec)).filter((h) => h.cpuCores >= r.cpuCores && h.memoryBytes >= r.memoryBytes);
    const small = eligible.filter((h) => Math.round(limit * 1e9) > Math.round(h.cpuCores * 1e9));
    if (limit === 0 || small.length === 0) return [];
    const cores = [...new Set(small.map((h) => h.cpuCores))].sort((a, b) => a - b).map(formatNumber).join(", ");
    const all = small.length === eligible.length;
    const where = all ? "every node that could run its tasks" : nameRanges(small.map((h) => h.name));
    const then = all
      ? "no task of it can ever run: each is rejected, and replaced as its restart policy allows"
      : spec.mode === "global"
        ? "its task on each of them is rejected, and replaced there as its restart policy allows"
        : "a task placed there is rejected, and replaced as its restart policy allows (a rejection counts as a failure, as in Swarm's scheduler: among the nodes its placement preferences pick, spread avoids one that has had 5 in 5 minutes)";
    return [`${what}: its CPU limit (${formatNumber(limit)}) is above the cores of ${where} (${cores}): Docker refuses to create such a container ("Range of CPUs is from 0.01 to ..."), so ${then}`];
  });
}

/**
 * UDP ports: the scheduler keeps tcp/80 and udp/80 apart on a node's host ports, but the traffic
 * to them is simulated as TCP's (connections, `connection.reuse`, a lost request waiting for the
 * client's timeout). SIMPLIFICATION, said before the run.
 */
function udpPorts(s: Scenario): string[] {
  return s.services.flatMap((svc) => {
    const udp = svc.ports.filter((p) => p.protocol === "udp").map((p) => p.published);
    if (udp.length === 0) return [];
    return [`services[${svc.name}].ports: udp port${udp.length === 1 ? "" : "s"} ${udp.join(", ")} ${udp.length === 1 ? "carries" : "carry"} requests as TCP does (connections, connection.reuse, the client's timeout); only host-port placement tells udp from tcp`];
  });
}

/**
 * Networks the initial deployment alone overflows: every task on one takes an address, every
 * VIP-mode service a VIP, and on ingress every node its load-balancer endpoint, so past the
 * subnet's usable addresses tasks stay NEW (their `allocation` events say so). A user network's
 * node endpoints depend on placement and are left out, as are later scale-ups: a lower bound.
 * Swarm's default ingress (10.0.0.0/24, 253 addresses) runs out at about 250 nodes.
 */
function overflowing(s: Scenario, hosts: readonly HostSpec[]): string[] {
  const placed = hosts.filter((h) => h.runsTasks).map(placedOf);
  const tasksOf = (svc: Scenario["services"][number]): number => {
    if (svc.mode !== "global") return svc.replicas;
    const parsed = parseConstraints(svc.placement.constraints);
    return placed.filter((n) => constraintsMatch(parsed, n)).length;
  };
  const out: string[] = [];
  for (const net of buildOverlays(s.networks)) {
    const on = s.services.filter((svc) => (net.ingress ? svc.ports.some((p) => p.mode === "ingress") : svc.networks.includes(net.name)));
    const tasks = on.reduce((n, svc) => n + tasksOf(svc), 0);
    const vips = on.filter((svc) => svc.endpointMode === "vip").length;
    const endpoints = net.ingress && on.length > 0 ? hosts.length : 0;
    const need = tasks + vips + endpoints;
    if (need <= net.usableAddresses) continue;
    const parts = [`${formatNumber(tasks)} tasks`, `${vips} VIP${vips === 1 ? "" : "s"}`, ...(endpoints > 0 ? [`${formatNumber(endpoints)} node endpoints`] : [])].join(", ");
    out.push(`networks[${net.name}] (${net.subnetText}, ${formatNumber(net.usableAddresses)} addresses) is too small for the deployment alone: it needs at least ${formatNumber(need)} (${parts}), so some tasks will stay NEW without an address (see the allocation events); give it a larger subnet (a /16 has 65,533 addresses) in networks[${net.name}].subnet`);
  }
  return out;
}

/**
 * A workload whose clients give up before the service's own calls do: the abandoned requests
 * still hold the service's workers until their calls end. Valid (and common), but said.
 */
function callsOutlastClients(s: Scenario): string[] {
  return s.workload.flatMap((w) => {
    const svc = s.services.find((x) => x.name === w.service);
    if (!svc || w.timeoutUs <= 0) return [];
    const longer = svc.request.calls.filter((c) => c.timeoutUs > w.timeoutUs);
    if (longer.length === 0) return [];
    const waits = longer.map((c) => `${c.service} (${formatDurationUs(c.timeoutUs)})`).join(", ");
    return [`workload[${w.name}] gives up after ${formatDurationUs(w.timeoutUs)}, but ${svc.name} waits longer on its calls to ${waits}: requests its clients abandoned keep holding ${svc.name}'s workers`];
  });
}

/**
 * Workloads that enter a host-mode port at nodes that hold no task of its service: host mode has
 * no routing mesh, so those nodes refuse the connections. Nodes that can never hold one (they run
 * no tasks, or match none of its constraints) are named; a replicated service with fewer replicas
 * than the entry nodes it could run on leaves some of them without one too. A balancer with
 * health checks (`entryHealthcheck`) takes such nodes out itself: said only when that leaves it
 * no node ever.
 */
function hostPortGaps(s: Scenario, hosts: readonly HostSpec[]): string[] {
  return s.workload.flatMap((w) => {
    const svc = s.services.find((x) => x.name === w.service);
    const port = svc && workloadPort(svc, w);
    if (!svc || port?.mode !== "host") return [];
    const entry = hosts.filter((h) => entryListed(w, h));
    const can = canRun(svc);
    const never = entry.filter((h) => !can(h));
    const could = entry.length - never.length;
    if (w.entryHealthcheck) {
      if (could > 0 || entry.length === 0) return [];
      return [`workload[${w.name}] enters ${svc.name}'s host-mode port ${port.published} at ${formatNumber(entry.length)} nodes, none of which can ever hold one of its tasks (${nameRanges(never.map((h) => h.name))}): its balancer's health checks take them all out, so every connection is refused`];
    }
    const short = svc.mode === "replicated" ? Math.max(0, could - svc.replicas) : 0;
    if (never.length === 0 && short === 0) return [];
    const why = [
      ...(never.length > 0 ? [`${formatNumber(never.length)} can never hold one (${nameRanges(never.map((h) => h.name))}: ${never.every((h) => !h.runsTasks) ? "they run no tasks" : "they run no tasks or match none of its constraints"})`] : []),
      ...(short > 0 ? [`its ${svc.replicas} replicas leave at least ${formatNumber(short)}${never.length > 0 ? " of the others" : ""} without one`] : []),
    ].join(", and ");
    return [`workload[${w.name}] enters ${svc.name}'s host-mode port ${port.published} at ${formatNumber(entry.length)} nodes; ${why}: host mode has no routing mesh, so connections there are refused (name in entryNodes only nodes that run its tasks, make ${svc.name} global, or give the workload an entryHealthcheck: a balancer that probes the port takes such nodes out)`];
  });
}

/** One host of each kind that runs tasks: every manager (zones differ) and one node of each group that ever has one (its labels are the group's). */
function representatives(s: Scenario): PlacedNode[] {
  const specs = [...hostSpecs({ ...s, cluster: { ...s.cluster, nodeGroups: [] } }), ...groupsWithNodes(s).map((g) => groupHostSpec(g, 1))];
  return specs.filter((h) => h.runsTasks).map(placedOf);
}

/** Whether a host may run tasks of `spec` at all: it runs tasks, and matches the spec's constraints (capacity aside). */
function canRun(spec: Pick<ServiceSpec, "placement">): (h: HostSpec) => boolean {
  const parsed = parseConstraints(spec.placement.constraints);
  return (h) => h.runsTasks && constraintsMatch(parsed, placedOf(h));
}

/** A host as the scheduler's constraints and spread preferences read it. */
function placedOf(h: HostSpec): PlacedNode {
  return { id: h.name, role: h.role, labels: h.labels, engineLabels: h.engineLabels };
}

/**
 * Services whose placement constraints no node matches (a label no node has, a role that runs no
 * tasks), and spread preferences over a label no node has (one group of all nodes: a no-op).
 * Constraints on node ids or hostnames are left out: they name nodes, which refs.ts checks.
 */
function unmatched(s: Scenario): string[] {
  const nodes = representatives(s);
  const out: string[] = [];
  for (const svc of s.services) {
    const constraints = svc.placement.constraints;
    // A rolling update may change them: then they hold only until it does, and nothing is said.
    const updated = s.events.some((e) => e.action.type === "rollingUpdate" && e.action.service === svc.name);
    if ((svc.replicas > 0 || svc.mode === "global") && constraints.length > 0 && !updated && !constraints.some((c) => /^node\.(id|hostname) /.test(c))) {
      const parsed = parseConstraints(constraints);
      if (!nodes.some((n) => constraintsMatch(parsed, n))) {
        const outcome = svc.mode === "global" ? "it runs no task anywhere" : "its tasks stay pending for the whole run";
        out.push(`services[${svc.name}]: no node that runs tasks matches its constraints (${constraints.join(", ")}), so ${outcome}`);
      }
    }
    for (const p of svc.placement.preferences) {
      // The scheduler's own reading of the label: every node without it has "" (one branch).
      if (nodes.every((n) => spreadValue(p.spread, n) === "")) {
        out.push(`services[${svc.name}].placement.preferences: spread over ${p.spread} changes nothing: no node has that label, so all are one group`);
      }
    }
  }
  return out;
}

/** Services whose containers use more memory than their own limit: the cgroup kills every one. */
function overMemoryLimit(s: Scenario): string[] {
  return s.services.flatMap((svc) => {
    const limit = svc.resources.limits.memoryBytes;
    const peak = Math.max(svc.runtime.memoryBytes, svc.startup.memoryBytes);
    if (limit === 0 || peak <= limit) return [];
    const what = svc.runtime.memoryBytes > limit ? `its runtime memory (${formatBytes(svc.runtime.memoryBytes)})` : `its start-up memory (${formatBytes(svc.startup.memoryBytes)})`;
    return [`services[${svc.name}]: ${what} is above its memory limit (${formatBytes(limit)}): every container is OOM-killed, and replaced, for the whole run`];
  });
}

/**
 * Services whose containers use more memory than any node that could run them has, even alone
 * there: the node's OOM killer kills each (cluster/memory.ts oomVictims), and it is replaced, for
 * the whole run. One over its own limit is overMemoryLimit's.
 */
function overNodeMemory(s: Scenario, hosts: readonly HostSpec[]): string[] {
  return s.services.flatMap((svc) => {
    const peak = Math.max(svc.runtime.memoryBytes, svc.startup.memoryBytes);
    const limit = svc.resources.limits.memoryBytes;
    if (peak === 0 || (limit > 0 && peak > limit)) return [];
    const eligible = hosts.filter(canRun(svc));
    if (eligible.length === 0 || eligible.some((h) => h.memoryBytes >= peak)) return [];
    const what = svc.runtime.memoryBytes >= svc.startup.memoryBytes ? `its runtime memory (${formatBytes(svc.runtime.memoryBytes)})` : `its start-up memory (${formatBytes(svc.startup.memoryBytes)})`;
    const most = Math.max(...eligible.map((h) => h.memoryBytes));
    return [`services[${svc.name}]: ${what} is more than any node that could run it has (${formatBytes(most)} at most): the node's OOM killer kills every container, and it is replaced, for the whole run`];
  });
}

/**
 * Spikes below their workload's own rate: the traffic drops to `rate` while they last. Allowed
 * (a dip can be what a scenario studies), but said: a --set that raises the base rate past a
 * spike's turns the spike into a dip without a word otherwise.
 */
function dips(s: Scenario): string[] {
  return s.events.flatMap((e) => {
    const a = e.action;
    const w = a.type === "loadSpike" ? s.workload.find((x) => x.name === a.workload) : undefined;
    if (a.type !== "loadSpike" || !w || a.ratePerS > w.ratePerS) return [];
    // A spike adds its rate's difference from the workload's own (rate-profile.ts): none, nothing.
    if (a.ratePerS === w.ratePerS) return [`the loadSpike at ${formatNumber(e.atUs / 1e6)} s changes nothing: its ${formatNumber(a.ratePerS)}/s is the rate workload ${w.name} has anyway`];
    return [`the loadSpike at ${formatNumber(e.atUs / 1e6)} s takes ${w.name} down from ${formatNumber(w.ratePerS)}/s to ${formatNumber(a.ratePerS)}/s: a rate below the workload's own is a dip`];
  });
}

/**
 * Services whose reservation no node of the scenario can ever hold (capacity alone; constraints
 * aside): their tasks would stay pending for the whole run. A note, not an error: a pending
 * service can be what a scenario studies.
 */
function unplaceable(s: Scenario): string[] {
  const m = s.cluster.managers;
  type Held = { cpuCores: number; memoryBytes: number; generic: Record<string, number> };
  const nodes: Held[] = [...(m.runTasks && m.count > 0 ? [{ cpuCores: m.cpuCores, memoryBytes: m.memoryBytes, generic: {} }] : []), ...groupsWithNodes(s)];
  const empty = emptyGroups(s);
  const out: string[] = [];
  for (const svc of s.services) {
    if (svc.replicas === 0 && svc.mode !== "global") continue;
    const r = svc.resources.reservations;
    const wants: [string, number, (n: Held) => number, (v: number) => string][] = [
      ["cpu", r.cpuCores, (n) => n.cpuCores, formatNumber],
      ["memory", r.memoryBytes, (n) => n.memoryBytes, formatBytes],
      ...Object.entries(r.generic).map(([k, v]): [string, number, (n: Held) => number, (v: number) => string] => [k, v, (n) => n.generic[k] ?? 0, formatNumber]),
    ];
    const holds = (n: Held): boolean => wants.every(([, want, has]) => want <= has(n));
    if (nodes.some(holds)) continue;
    const short = (): string[] => wants.filter(([, want, has]) => nodes.every((n) => want > has(n))).map(([what, want, has, text]) => `${what} ${text(want)}, and no node has more than ${text(Math.max(...nodes.map(has)))}`);
    const why = nodes.length === 0 ? "the cluster has no node that runs tasks" : `it reserves ${short().join("; ") || "more than any node has of everything it reserves at once"}`;
    // A group of count 0 is what a user adds nodes to: say which would hold it, constraints and all.
    const runs = canRun(svc);
    const idle = empty.filter((g) => holds(g) && runs(groupHostSpec(g, 1))).map((g) => g.name);
    const would = idle.length === 0 ? "" : `; node group${idle.length === 1 ? "" : "s"} ${idle.join(", ")} would hold one, but ${idle.length === 1 ? "has" : "have"} count 0 and no addNodes adds one`;
    // A global service makes a task per node that may run it: with no node at all, none.
    const outcome = svc.mode === "global" && nodes.length === 0 ? "it runs no task anywhere" : "its tasks stay pending for the whole run";
    out.push(`services[${svc.name}]: no node can ever hold one of its tasks (${why}${would}), so ${outcome}`);
  }
  return out;
}

function callWarnings(s: Scenario): string[] {
  const networksOf = new Map(s.services.map((x) => [x.name, x.networks]));
  const modeOf = new Map(s.services.map((x) => [x.name, x.endpointMode]));
  const warnings: string[] = [];
  for (const caller of s.services) {
    for (const call of caller.request.calls) {
      const theirs = networksOf.get(call.service) ?? [];
      if (!caller.networks.some((n) => theirs.includes(n))) {
        warnings.push(`services ${caller.name} and ${call.service} share no network: every call from ${caller.name} to ${call.service} fails at once (the name does not resolve)`);
      }
      if (call.dnsCacheUs !== DEFAULTS.request.callDnsCacheUs && modeOf.get(call.service) === "vip") {
        warnings.push(`services.${caller.name}.request.calls: dnsCache changes nothing on the calls to ${call.service}: it has a virtual IP (endpointMode vip), so there is no list of addresses to keep`);
      }
    }
  }
  return warnings;
}
