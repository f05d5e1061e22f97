// `cluster:` — the machines (managers and worker node groups), the control plane's timings and
// the underlay network between hosts.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Ctx } from "./context.js";
import { BUILT_IN_STRATEGIES, DEFAULTS, LIMITS } from "./defaults.js";
import type { Origin, Raw } from "./raw.js";
import { Fields, REQUIRED } from "./schema.js";
import { closest } from "./suggest.js";
import type { ClusterSpec, FabricSpec, ManagersSpec, NodeGroupSpec, RaftSpec, RegistrySpec } from "./types.js";
import { parseBandwidthBitsPerS, parseCpuCores, parseDurationUs, parseSizeBytes } from "./units.js";

const CLUSTER_FIELDS = ["scheduler", "managers", "dispatcher", "nodeGroups", "network", "registry"] as const;
const SCHEDULER_FIELDS = ["strategy", "retryInterval"] as const;
const MANAGER_FIELDS = ["count", "zones", "runTasks", "cpu", "memory", "labels", "images", "raft"] as const;
const RAFT_FIELDS = ["tick", "electionTicks", "electionRandomTicks", "heartbeatTicks", "diskWrite"] as const;
const GROUP_FIELDS = ["name", "count", "cpu", "memory", "zone", "labels", "engineLabels", "generic", "images"] as const;
const FABRIC_FIELDS = ["latency", "bandwidth", "crossZoneBandwidth", "mtu", "encryptionCpuPerGB"] as const;
const REGISTRY_FIELDS = ["bandwidth", "latency"] as const;
const LATENCY_FIELDS = ["sameNode", "sameZone", "crossZone"] as const;

/** Manager nodes are named manager-1..N, so no node group may take that name. */
export const MANAGER_PREFIX = "manager";

/** The one rule for node names: `manager-1..N`, and `<group>-1..count` (added nodes go on counting). */
export function nodeName(group: string, i: number): string {
  return `${group}-${i}`;
}

export function readCluster(ctx: Ctx, raw: Raw | undefined, at: Origin): ClusterSpec {
  const f = Fields.open(ctx, raw, "cluster", at, CLUSTER_FIELDS);
  const s = f.map("scheduler", SCHEDULER_FIELDS);
  const managers = readManagers(f.map("managers", MANAGER_FIELDS));
  const nodeGroups = f.named("nodeGroups", "node group").map((item) => readNodeGroup(ctx, item.raw, item.path));
  if (!managers.runTasks && nodeGroups.length === 0) {
    // Every field has a default except the machines: with managers drained, workers are needed.
    if (f.has("nodeGroups")) f.report("nodeGroups", "must list at least one node group (managers do not run tasks)");
    else ctx.report(f.at, "cluster.nodeGroups", "missing required field (managers do not run tasks)");
  }
  return {
    scheduler: {
      strategy: readStrategy(s, "strategy") ?? DEFAULTS.scheduler.strategy,
      retryIntervalUs: s.num("retryInterval", DEFAULTS.scheduler.retryIntervalUs, parseDurationUs),
    },
    managers,
    dispatcher: {
      heartbeatPeriodUs: f
        .map("dispatcher", ["heartbeatPeriod"])
        .num("heartbeatPeriod", DEFAULTS.dispatcher.heartbeatPeriodUs, parseDurationUs, { above: 0 }),
    },
    nodeGroups,
    network: readFabric(f.map("network", FABRIC_FIELDS)),
    registry: readRegistry(f.map("registry", REGISTRY_FIELDS)),
  };
}

/** A built-in strategy, or a path to the user's module (`./strategies/mine.js`); null if absent. */
export function readStrategy(f: Fields, key: string): string | null {
  if (!f.has(key)) return null;
  const value = f.text(key, REQUIRED);
  if (value === "") return null; // not text: already reported
  if ((BUILT_IN_STRATEGIES as readonly string[]).includes(value)) return value;
  if (/\.m?js$/.test(value)) {
    const file = path.resolve(path.dirname(f.ctx.file), value);
    if (!fs.existsSync(file)) f.report(key, `strategy module ${file} does not exist (the path is relative to the scenario file)`);
    f.ctx.strategyFields[value] ??= f.ctx.where(f.originOf(key), f.pathOf(key));
    return value;
  }
  const near = closest(value, BUILT_IN_STRATEGIES);
  const hint = near !== undefined ? `did you mean ${near}?` : "use spread, binpack, random or a path to a module ending in .js or .mjs";
  f.report(key, `${JSON.stringify(value)} is not a strategy (${hint})`);
  return null;
}

function readManagers(f: Fields): ManagersSpec {
  const d = DEFAULTS.managers;
  const zones = f.texts("zones", d.zones);
  const zonesRaw = f.get("zones");
  if (zonesRaw?.kind === "seq" && zonesRaw.items.length === 0) f.report("zones", "must list at least one zone");
  return {
    count: f.whole("count", d.count, { min: 1, max: LIMITS.managers }),
    zones: zones.length > 0 ? zones : [...d.zones],
    runTasks: f.bool("runTasks", d.runTasks),
    cpuCores: f.num("cpu", d.cpuCores, parseCpuCores, { above: 0 }),
    memoryBytes: f.num("memory", d.memoryBytes, parseSizeBytes, { above: 0 }),
    labels: readLabels(f, "labels"),
    images: f.texts("images"),
    raft: readRaft(f.map("raft", RAFT_FIELDS)),
  };
}

function readRaft(f: Fields): RaftSpec {
  const d = DEFAULTS.raft;
  const ticks = { min: 1, max: 10_000 };
  const heartbeatTicks = f.whole("heartbeatTicks", d.heartbeatTicks, ticks);
  const electionTicks = f.whole("electionTicks", d.electionTicks, ticks);
  // Raft needs followers to hear from a leader before they time out (etcd refuses this too).
  if (electionTicks <= heartbeatTicks) {
    f.report("electionTicks", `must be greater than heartbeatTicks (${electionTicks} <= ${heartbeatTicks})`);
  }
  return {
    tickUs: f.num("tick", d.tickUs, parseDurationUs, { above: 0 }),
    electionTicks,
    // Default = electionTicks: etcd draws the timeout from [electionTicks, 2 * electionTicks).
    electionRandomTicks: f.whole("electionRandomTicks", electionTicks, { min: 0, max: 10_000 }),
    heartbeatTicks,
    diskWriteUs: f.num("diskWrite", d.diskWriteUs, parseDurationUs),
  };
}

function readNodeGroup(ctx: Ctx, raw: Raw, path: string): NodeGroupSpec {
  const f = Fields.open(ctx, raw, path, raw.at, GROUP_FIELDS);
  const name = f.name("name");
  if (name === MANAGER_PREFIX) f.report("name", `"${MANAGER_PREFIX}" is reserved (managers are named manager-1..N)`);
  return {
    name,
    count: f.whole("count", REQUIRED, { min: 0, max: LIMITS.count }),
    cpuCores: f.num("cpu", REQUIRED, parseCpuCores, { above: 0 }),
    memoryBytes: f.num("memory", REQUIRED, parseSizeBytes, { above: 0 }),
    zone: f.text("zone", DEFAULTS.nodeGroup.zone),
    labels: readLabels(f, "labels"),
    engineLabels: f.labels("engineLabels"),
    generic: f.counts("generic"),
    images: f.texts("images"),
  };
}

/** Node labels; `zone` is refused because the simulation sets node.labels.zone from the zone. */
function readLabels(f: Fields, key: string): Record<string, string> {
  const labels = f.labels(key);
  const raw = f.get(key);
  if (raw?.kind === "map" && raw.entries.some((e) => e.key === "zone")) {
    f.report(key, "must not set zone: node.labels.zone is the node's zone (set it with zone)");
  }
  return labels;
}

function readFabric(f: Fields): FabricSpec {
  const d = DEFAULTS.fabric;
  const lat = f.map("latency", LATENCY_FIELDS);
  return {
    latency: {
      sameNodeUs: lat.num("sameNode", d.sameNodeUs, parseDurationUs),
      sameZoneUs: lat.num("sameZone", d.sameZoneUs, parseDurationUs),
      crossZoneUs: lat.num("crossZone", d.crossZoneUs, parseDurationUs),
    },
    bandwidthBitsPerS: f.num("bandwidth", d.bandwidthBitsPerS, parseBandwidthBitsPerS, { above: 0 }),
    crossZoneBandwidthBitsPerS: f.num("crossZoneBandwidth", d.crossZoneBandwidthBitsPerS, parseBandwidthBitsPerS),
    // Plain bytes: a frame size is always written as a number. 576 is IPv4's minimum datagram.
    mtuBytes: f.whole("mtu", d.mtuBytes, { min: 576, max: 65_535 }),
    encryptionCpuUsPerGB: f.num("encryptionCpuPerGB", d.encryptionCpuUsPerGB, parseDurationUs),
  };
}

function readRegistry(f: Fields): RegistrySpec {
  const d = DEFAULTS.registry;
  return {
    bandwidthBitsPerS: f.num("bandwidth", d.bandwidthBitsPerS, parseBandwidthBitsPerS),
    latencyUs: f.num("latency", d.latencyUs, parseDurationUs),
  };
}
