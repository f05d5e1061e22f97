// What a run will cost, estimated from the scenario alone before it starts: the kernel events
// its traffic, nodes, tasks, health checks, metrics windows and injections imply. The CLI
// refuses a run estimated past its event limit (`--max-events`), and says how long a big one
// will take. The event counts are rough (within a factor of about 1.5 on the shipped scenarios,
// a test checks it), and so is the time (within 1.25x of the scale benchmark's big runs, 3x of
// its small ones); they are there to catch a `1us` interval or a year of 1e7 requests/s, and to
// say whether a run takes seconds or hours, not to plan the day.

import type { Scenario, ServiceSpec } from "../scenario/types.js";
import { MANAGER_PREFIX, nodeName } from "../scenario/index.js";
import { managerZones } from "./hosts.js";

/** Kernel events per unit of work, measured on the shipped scenarios (bench/, perf.json). */
const EVENTS_PER = {
  request: 4, // arrival, network hops, CPU, reply (3.2 measured on a plain request)
  nodeSecond: 0.05, // Raft ticks, gossip; a steady node's heartbeats are held (manager/quiet-sessions.ts): 0.025 measured
  task: 15, // its deployment: allocation, Raft, dispatch, pull, start-up
  check: 4, // one health check
  window: 2, // one metrics window per service
  injection: 200, // one fault and what it sets off
} as const;

/** Simulated seconds a deployment takes before t = 0, as a rough allowance. */
const DEPLOY_S = 20;

/** The default limit on estimated events (`--max-events`): about 17 minutes at 1M events/s, more on a big cluster. */
export const DEFAULT_MAX_EVENTS = 1e9;
/**
 * Events per wall-clock second these machines reach on a mixed run of a small cluster, once it is
 * deployed: below the scale shape's 2.6M at 100 nodes, within the shipped scenarios' 0.66M-1.52M
 * (tenth session, perf.json).
 */
export const EVENTS_PER_WALL_S = 1_000_000;

/**
 * Wall-clock microseconds a task costs to deploy, or to replace after a fault: its allocation,
 * Raft entries, store changes and their watchers, dispatch, start. The scale shape measured
 * 130-136 us a task at 1,000, 5,000 and 20,000 nodes (thirteenth session: its runs of 90 s,
 * deployment and zone failure, less their steady part): the deployment's cost does not grow with
 * the cluster, its events are simply dearer than a request's.
 */
const TASK_WALL_US = 130;

/**
 * The pace of a deployed cluster's events (requests, heartbeats, windows) on `nodes`: an event
 * costs more as the cluster outgrows the CPU's caches. The scale shape's steady part (its 10-minute
 * and hour runs less its 90-second ones, thirteenth session): 2.6M events/s at 102 nodes, 1.28M
 * at 1,002, 800k at 5,001, 680k at 20,004, or 0.39 us an event plus 0.47 us per tenfold past 100
 * nodes; no more than the mixed runs' EVENTS_PER_WALL_S.
 */
export function steadyEventsPerWallS(nodes: number): number {
  const us = 0.39 + 0.47 * Math.log10(Math.max(nodes, 100) / 100);
  return Math.min(EVENTS_PER_WALL_S, 1e6 / us);
}

export interface CostEstimate {
  events: number;
  /** Wall-clock seconds it should take here: its tasks at TASK_WALL_US, the other events at steadyEventsPerWallS. */
  wallS: number;
  /** Largest contributor first: what to change to make the run cheaper. */
  parts: { what: string; events: number }[];
}

export function estimateCost(s: Scenario): CostEstimate {
  const durationS = s.durationUs / 1e6;
  const spans = (s.durationUs + DEPLOY_S * 1e6) / 1e6;
  const services = new Map(s.services.map((x) => [x.name, x]));
  const nodes = s.cluster.managers.count + s.cluster.nodeGroups.reduce((n, g) => n + g.count, 0) + added(s);
  // Global services run on every node that runs tasks; spread spreads replicas over them.
  const taskNodes = Math.max(1, nodes - (s.cluster.managers.runTasks ? 0 : s.cluster.managers.count));
  const deployed = s.services.reduce((n, x) => n + tasksOf(x, taskNodes), 0);
  const tasks = deployed + replaced(s, taskNodes);
  const parts = [
    { what: "requests (workload rates and load spikes)", events: requests(s, durationS) * EVENTS_PER.request * fanOut(s, services) },
    { what: "nodes (heartbeats, gossip, Raft)", events: nodes * spans * EVENTS_PER.nodeSecond },
    { what: "tasks (deployment, and replacements after faults)", events: tasks * EVENTS_PER.task },
    { what: "health checks", events: s.services.reduce((n, x) => n + (x.healthcheck ? (tasksOf(x, taskNodes) * spans * 1e6) / Math.max(1, x.healthcheck.intervalUs) : 0), 0) * EVENTS_PER.check },
    { what: "metrics windows (metrics.interval)", events: (s.durationUs / Math.max(1, s.metrics.intervalUs)) * Math.max(1, s.services.length) * EVENTS_PER.window },
    { what: "injections (events:)", events: s.events.reduce((n, e) => n + e.times, 0) * EVENTS_PER.injection },
  ].sort((a, b) => b.events - a.events);
  const events = parts.reduce((n, p) => n + p.events, 0);
  const wallS = (tasks * TASK_WALL_US) / 1e6 + (events - tasks * EVENTS_PER.task) / steadyEventsPerWallS(nodes);
  return { events, wallS, parts };
}

/**
 * Tasks that faults replace. A node failure's or removal's share of the replicated tasks (spread
 * spreads them over the `taskNodes` that run tasks), once: a node comes back empty (Swarm does
 * not rebalance), so a failure that recurs finds nothing to move; a recovered node's global tasks
 * start again on it, at each recovery. A drain's one node's replicated tasks; a restartAll's
 * whole service, global tasks too, each time.
 */
function replaced(s: Scenario, taskNodes: number): number {
  const count = (mode: "replicated" | "global"): number => s.services.reduce((n, x) => n + (x.mode === mode ? tasksOf(x, taskNodes) : 0), 0);
  const replicated = count("replicated");
  const global = count("global");
  // Managers that run no tasks take none with them.
  const running = (nodes: readonly string[]): number => (s.cluster.managers.runTasks ? nodes.length : nodes.filter((n) => !n.startsWith(`${MANAGER_PREFIX}-`)).length);
  // A failure's hosts as the cluster starts: those it names and its zones', each once.
  const failing = (a: { nodes: readonly string[]; zones: readonly string[] }): string[] => {
    const names = new Set(a.nodes);
    if (a.zones.length === 0) return [...names];
    const managers = managerZones(s.cluster.managers);
    for (let i = 0; i < managers.length; i++) if (a.zones.includes(managers[i]!)) names.add(nodeName(MANAGER_PREFIX, i + 1));
    for (const g of s.cluster.nodeGroups) if (a.zones.includes(g.zone)) for (let i = 1; i <= g.count; i++) names.add(nodeName(g.name, i));
    return [...names];
  };
  const replacedBy = (e: Scenario["events"][number]): number => {
    const a = e.action;
    const share = (n: number): number => Math.min(1, n / taskNodes);
    if (a.type === "nodeFailure") return share(running(failing(a))) * (replicated + (a.recoverAfterUs > 0 ? global * e.times : 0));
    if (a.type === "removeNodes") return share(running(a.nodes)) * replicated;
    if (a.type === "drain") return share(running([a.node])) * replicated;
    if (a.type === "restartAll") {
      const service = s.services.find((x) => x.name === a.service);
      return (service ? tasksOf(service, taskNodes) : 0) * e.times;
    }
    return 0;
  };
  return s.events.reduce((n, e) => n + replacedBy(e), 0);
}

/** Requests over the run: each workload's rate, and each load spike's extra rate over its span. */
function requests(s: Scenario, durationS: number): number {
  const base = new Map(s.workload.map((w) => [w.name, w.ratePerS]));
  let n = [...base.values()].reduce((a, r) => a + r * durationS, 0);
  for (const e of s.events) {
    if (e.action.type !== "loadSpike") continue;
    const spanS = (e.action.durationUs === 0 ? s.durationUs - e.atUs : e.action.durationUs) / 1e6;
    n += Math.max(0, e.action.ratePerS - (base.get(e.action.workload) ?? 0)) * Math.max(0, spanS) * e.times;
  }
  return n;
}

/** Calls between services multiply the work of a request: the largest chain's size. */
function fanOut(s: Scenario, services: ReadonlyMap<string, ServiceSpec>): number {
  const size = (name: string, depth: number): number => {
    const svc = services.get(name);
    if (!svc || depth > 10) return 1;
    return 1 + svc.request.calls.reduce((n, c) => n + c.count * size(c.service, depth + 1), 0);
  };
  return Math.max(1, ...s.workload.map((w) => size(w.service, 0)));
}

function added(s: Scenario): number {
  return s.events.reduce((n, e) => n + (e.action.type === "addNodes" ? e.action.count * e.times : 0), 0);
}

function tasksOf(x: ServiceSpec, nodes: number): number {
  return x.mode === "global" ? nodes : Math.max(x.replicas, x.autoscale?.max ?? 0);
}

/** "about 40 minutes" for `s` seconds. */
export function wallText(s: number): string {
  if (s < 90) return `about ${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `about ${Math.round(s / 60)} minutes`;
  if (s < 48 * 3600) return `about ${(s / 3600).toFixed(1)} hours`;
  return `about ${Math.round(s / 86400)} days`;
}

/** Why a run is refused (estimated past `maxEvents`), or null. `runs` multiplies one run's cost (a sweep). */
export function costRefusal(est: CostEstimate, maxEvents: number, runs = 1): string | null {
  const total = est.events * runs;
  if (maxEvents <= 0 || total <= maxEvents) return null;
  const top = est.parts[0]!;
  const each = runs > 1 ? ` (${runs} runs)` : "";
  return (
    `this would take an estimated ${sci(total)} events${each}, ${wallText(est.wallS * runs)}; ` +
    `most of it from ${top.what}: ${sci(top.events * runs)}. The limit is ${sci(maxEvents)} events: ` +
    `make the run smaller, or allow it with --max-events ${sci(Math.ceil(total * 1.2))}`
  );
}

function sci(n: number): string {
  return n < 1e6 ? String(Math.round(n)) : n.toExponential(1).replace("e+", "e");
}
