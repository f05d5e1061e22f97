// The actions an event can inject, one reader per action. Names (services, workloads, nodes)
// are recorded as references and checked once the whole file is read, because an event may
// name a node that a later addNodes event creates.

import { indexPath, type RefKind } from "./context.js";
import { DEFAULTS, LIMITS } from "./defaults.js";
import { describe, type Raw } from "./raw.js";
import { Fields, REQUIRED } from "./schema.js";
import type { EventAction, EventType } from "./types.js";
import { parseDurationUs, parseRatePerS } from "./units.js";

/** Fields of each action; `rollingUpdate` lists the service fields an update may change. */
export const ACTION_FIELDS: ReadonlyMap<EventType, readonly string[]> = new Map<EventType, readonly string[]>([
  ["loadSpike", ["workload", "rate", "duration", "ramp"]],
  ["scale", ["service", "replicas"]],
  ["nodeFailure", ["nodes", "zones", "recoverAfter"]],
  ["killLeader", ["restartAfter"]],
  ["killManager", ["manager", "restartAfter"]],
  ["partition", ["groups", "duration"]],
  ["restartAll", ["service"]],
  ["drain", ["node"]],
  ["pause", ["node"]],
  ["activate", ["node"]],
  [
    "rollingUpdate",
    ["service", "force", "image", "resources", "startup", "runtime", "request", "healthcheck", "update", "placement"],
  ],
  ["addNodes", ["group", "count"]],
  ["removeNodes", ["nodes"]],
]);

export const ACTION_NAMES: readonly EventType[] = [...ACTION_FIELDS.keys()];

/** A name field that must refer to something; "" when missing or not text (already reported). */
export function ref(f: Fields, key: string, kind: RefKind, need?: "ports" | "replicated"): string {
  const name = f.text(key, REQUIRED);
  if (name !== "") f.ctx.refer({ kind, name, at: f.originOf(key), path: f.pathOf(key), ...(need ? { need } : {}) });
  return name;
}

/** A non-empty list of distinct node names (`seen` spans several lists, for partitions). */
function nameList(f: Fields, raw: Raw, path: string, kind: RefKind, seen: Set<string>): string[] {
  if (raw.kind !== "seq") {
    f.ctx.report(raw.at, path, `must be a list of node names (got ${describe(raw)})`);
    return [];
  }
  if (raw.items.length === 0) f.ctx.report(raw.at, path, "must name at least one node");
  const names: string[] = [];
  raw.items.forEach((item, i) => {
    const v = item.kind === "scalar" ? item.value : undefined;
    const at = item.at;
    if (typeof v !== "string" || v === "") f.ctx.report(at, indexPath(path, i), "must be the name of a node");
    else if (seen.has(v)) f.ctx.report(at, indexPath(path, i), `node ${v} is ${names.includes(v) ? "listed twice" : "in two groups"}`);
    else {
      seen.add(v);
      names.push(v);
      f.ctx.refer({ kind, name: v, at, path: indexPath(path, i) });
    }
  });
  return names;
}

function nodeList(f: Fields, key: string, kind: RefKind): string[] {
  const raw = f.get(key);
  if (raw === undefined) {
    f.missing(key);
    return [];
  }
  return nameList(f, raw, f.pathOf(key), kind, new Set());
}

/**
 * The hosts a nodeFailure takes down: `nodes` by name, `zones` whole (a zone's power or network
 * is gone), or both. A zone stands for every host in it when the failure strikes, managers and
 * nodes that addNodes brought included, so a sweep or a plan that varies a group's count fails
 * the whole zone at every count.
 */
function failureTargets(f: Fields): { nodes: string[]; zones: string[] } {
  if (!f.has("nodes") && !f.has("zones")) {
    f.missing("nodes", "missing required field (or zones: the hosts that fail are named by nodes, zones or both)");
    return { nodes: [], zones: [] };
  }
  const nodes = f.has("nodes") ? nodeList(f, "nodes", "node") : [];
  if (!f.has("zones")) return { nodes, zones: [] };
  const raw = f.get("zones")!;
  if (raw.kind === "seq" && raw.items.length === 0) f.report("zones", "must name at least one zone");
  const zones: string[] = [];
  for (const item of f.list("zones")) {
    const v = item.raw.kind === "scalar" ? item.raw.value : undefined;
    if (typeof v !== "string" || v === "") f.ctx.report(item.raw.at, item.path, `must be the name of a zone (got ${describe(item.raw)})`);
    else if (zones.includes(v)) f.ctx.report(item.raw.at, item.path, `zone ${v} is listed twice`);
    else {
      zones.push(v);
      f.ctx.refer({ kind: "zone", name: v, at: item.raw.at, path: item.path });
    }
  }
  return { nodes, zones };
}

/** Durations of actions; defaults (all 0) are in DEFAULTS.actions. */
const duration = (f: Fields, key: string, def: number): number => f.num(key, def, parseDurationUs);
const A = DEFAULTS.actions;

/** Partition groups: at least two, each a non-empty list, no node in two groups. */
function partitionGroups(f: Fields): string[][] {
  if (!f.has("groups")) {
    f.missing("groups");
    return [];
  }
  const items = f.list("groups");
  if (items.length < 2 && f.get("groups")?.kind === "seq") f.report("groups", "must list at least two groups of nodes");
  const seen = new Set<string>();
  return items.map((item) => nameList(f, item.raw, item.path, "node", seen));
}

/** Reads the action `type` from its map (rollingUpdate is read in rolling-updates.ts). */
export function readAction(type: Exclude<EventType, "rollingUpdate">, f: Fields): EventAction {
  switch (type) {
    case "loadSpike":
      return {
        type,
        workload: ref(f, "workload", "workload"),
        ratePerS: f.num("rate", REQUIRED, parseRatePerS),
        durationUs: duration(f, "duration", A.spikeDurationUs),
        rampUs: duration(f, "ramp", A.rampUs),
      };
    case "scale":
      return {
        type,
        service: ref(f, "service", "service", "replicated"),
        replicas: f.whole("replicas", REQUIRED, { min: 0, max: LIMITS.count }),
      };
    case "nodeFailure":
      return { type, ...failureTargets(f), recoverAfterUs: duration(f, "recoverAfter", A.recoverAfterUs) };
    case "killLeader":
      return { type, restartAfterUs: duration(f, "restartAfter", A.restartAfterUs) };
    case "killManager":
      return { type, manager: ref(f, "manager", "manager"), restartAfterUs: duration(f, "restartAfter", A.restartAfterUs) };
    case "partition":
      return { type, groups: partitionGroups(f), durationUs: duration(f, "duration", A.partitionDurationUs) };
    case "restartAll":
      return { type, service: ref(f, "service", "service") };
    case "drain":
    case "pause":
    case "activate":
      return { type, node: ref(f, "node", "node") };
    case "addNodes":
      return {
        type,
        group: ref(f, "group", "nodeGroup"),
        count: f.whole("count", REQUIRED, { min: 1, max: LIMITS.count }),
      };
    case "removeNodes":
      return { type, nodes: nodeList(f, "nodes", "worker") };
  }
}
