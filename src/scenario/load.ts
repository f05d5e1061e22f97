// The loader's entry points: file or text -> overrides -> validated, normalised Scenario, or a
// ScenarioError listing every problem found.

import { readCluster } from "./cluster.js";
import { Ctx } from "./context.js";
import { DEFAULTS, LIMITS } from "./defaults.js";
import { ScenarioError } from "./errors.js";
import { readInputFile, tooLargeMessage } from "./input-file.js";
import { readEvents } from "./events.js";
import { expandStack, type StackOptions } from "./stack/index.js";
import { readNetworks, withImplicitNetworks } from "./networks.js";
import { applyOverrides, overrideText, type Override } from "./overrides.js";
import { parseYaml } from "./parse.js";
import { describe, fileOrigin, valueOf, type RawMap } from "./raw.js";
import { checkNodeTotal, checkRefs, type Known } from "./refs.js";
import type { ServiceSource } from "./rolling-updates.js";
import { Fields, REQUIRED } from "./schema.js";
import { SLO_FIELDS, checkCallCycles, checkPublishedPorts, readService, readSlo } from "./services.js";
import type { ClusterSpec, EventSpec, MetricsSpec, Scenario } from "./types.js";
import { formatDurationUs, parseDurationUs } from "./units.js";
import { readWorkloads } from "./workload.js";

const TOP_FIELDS = [
  "version", "name", "description", "seed", "duration", "metrics", "cluster", "networks", "services", "workload", "events",
] as const;

/** How to read the stack files a scenario references: the variables for ${VAR}. */
export type LoadOptions = StackOptions;

/** Reads, overrides, validates and normalises a scenario file. Throws ScenarioError. */
export function loadScenarioFile(path: string, overrides: readonly Override[] = [], options: LoadOptions = {}): Scenario {
  const ctx = new Ctx(path);
  const read = readInputFile(path);
  if (!("text" in read)) {
    ctx.report(fileOrigin(1, 1), "", "tooLarge" in read ? read.tooLarge : `cannot read the file: ${read.unreadable}`);
    throw new ScenarioError(ctx.issues());
  }
  const text = read.text;
  return parseScenario(text, path, overrides, options);
}

/**
 * The same from text; `file` names it in messages, and stack files are found beside it. Throws
 * ScenarioError.
 */
export function parseScenario(text: string, file: string, overrides: readonly Override[] = [], options: LoadOptions = {}): Scenario {
  const ctx = new Ctx(file);
  const size = Buffer.byteLength(text, "utf8");
  if (size > LIMITS.fileBytes) throw tooLarge(ctx, size);
  const root = parseYaml(text, ctx);
  if (root !== undefined && root.kind !== "map") {
    ctx.report(root.at, "", `a scenario is a map of fields (version, name, duration, services, ...), not ${describe(root)}`);
  }
  if (root === undefined || root.kind !== "map") throw new ScenarioError(ctx.issues());
  if (looksLikeCompose(root)) {
    // Its fields would each be wrong here, and none of those messages would say why.
    ctx.report(fileOrigin(1, 1), "", `this is a Compose / docker stack deploy file, not an orchsim scenario: write a scenario around it with \`orchsim import ${file}\`, or name it in a scenario's \`stack:\``);
    throw new ScenarioError(ctx.issues());
  }
  // `--set stack=...` picks the stack before its services are there to be changed.
  const isStack = (o: Override): boolean => /^\s*stack(\.|\s*=)/.test(overrideText(o));
  applyOverrides(ctx, root, overrides.filter(isStack));
  const notes = expandStack(ctx, root, file, options);
  if (notes === undefined) throw new ScenarioError(ctx.issues());
  applyOverrides(ctx, root, overrides.filter((o) => !isStack(o)));
  const scenario = readScenario(ctx, root, file, notes);
  if (ctx.failed) throw new ScenarioError(ctx.issues());
  // summary.json records them: two runs of one file differ by what was set.
  if (overrides.length > 0) scenario.overrides = overrides.map((o) => overrideText(o).trim());
  return scenario;
}

function tooLarge(ctx: Ctx, bytes: number): ScenarioError {
  ctx.report(fileOrigin(1, 1), "", tooLargeMessage(bytes));
  return new ScenarioError(ctx.issues());
}

function readScenario(ctx: Ctx, root: RawMap, file: string, notes: string[]): Scenario {
  const f = Fields.open(ctx, root, "", root.at, TOP_FIELDS);
  const version = f.take("version", REQUIRED, 1 as const, (raw) =>
    raw.kind === "scalar" && raw.value === 1 ? { ok: true, value: 1 as const } : { ok: false, error: `must be 1 (got ${describe(raw)})` },
  );
  const durationUs = f.num("duration", REQUIRED, parseDurationUs, { above: 0 });
  const cluster = readCluster(ctx, f.get("cluster"), f.originOf("cluster"));
  const networks = readNetworks(ctx, f.named("networks", "network"));
  const serviceItems = f.named("services", "service");
  if (f.get("services") === undefined) ctx.missing(root.at, "", "services");
  else if (f.get("services")?.kind === "seq" && serviceItems.length === 0) f.report("services", "must list at least one service");
  const metrics = readMetrics(f.map("metrics", ["interval", "nodeInterval", "slo"]));
  const reads = serviceItems.map((item) => readService(ctx, item.raw, item.path, metrics.slo));
  const sources = new Map<string, ServiceSource>();
  serviceItems.forEach((item, i) => {
    const name = reads[i]?.spec.name;
    if (name !== undefined && name !== "" && !sources.has(name)) sources.set(name, { raw: item.raw, path: item.path });
  });
  const workload = readWorkloads(ctx, f.named("workload", "workload"));
  const ev = readEvents(ctx, f.list("events"), durationUs, sources, metrics.slo);
  checkPublishedPorts(ctx, reads);
  checkCallCycles(ctx, [...reads, ...ev.updates]);
  const groups = groupTotals(cluster.nodeGroups, ev.events);
  const known: Known = {
    services: new Map(reads.map((r) => [r.spec.name, r.spec])),
    networks: networks.map((n) => n.name),
    workloads: workload.map((w) => w.name),
    groups,
    managers: cluster.managers.count,
    zones: zonesWithHosts(cluster, groups),
    emptyGroups: emptyGroupsByZone(cluster, groups),
  };
  checkRefs(ctx, ctx.refs, known);
  checkNodeTotal(ctx, known, f.originOf("cluster"));
  return {
    version,
    name: f.scenarioName("name"),
    description: f.take("description", DEFAULTS.description, "", (raw) =>
      raw.kind === "scalar" && typeof raw.value === "string"
        ? { ok: true, value: raw.value }
        : { ok: false, error: `must be text (got ${describe(raw)})` },
    ),
    file,
    seed: f.whole("seed", DEFAULTS.seed, { min: 0 }),
    durationUs,
    metrics,
    cluster,
    networks: withImplicitNetworks(networks, reads.map((r) => r.spec)),
    services: reads.map((r) => r.spec),
    workload,
    events: ev.events,
    notes: [...notes, ...ctx.hints],
    strategyFields: { ...ctx.strategyFields },
  };
}

function readMetrics(f: Fields): MetricsSpec {
  const d = DEFAULTS.metrics;
  const intervalUs = f.num("interval", d.intervalUs, parseDurationUs, { above: 0 });
  const nodeIntervalUs = f.num("nodeInterval", intervalUs, parseDurationUs, { above: 0 });
  // A node's row sums whole windows, so that its figures add up to theirs and fall on their ends.
  if (Number.isFinite(intervalUs) && Number.isFinite(nodeIntervalUs) && nodeIntervalUs % intervalUs !== 0) {
    // As the user wrote them (1.5s, not 1500ms), the text being the field's own.
    const given = (key: string, us: number): string => {
      const raw = f.get(key);
      return raw?.kind === "scalar" ? String(raw.value) : formatDurationUs(us);
    };
    f.report("nodeInterval", `${given("nodeInterval", nodeIntervalUs)} is not a whole number of metrics windows (metrics.interval ${given("interval", intervalUs)})`);
  }
  return {
    intervalUs,
    nodeIntervalUs,
    slo: readSlo(f.map("slo", SLO_FIELDS), { latencyUs: d.sloLatencyUs, percentile: d.sloPercentile }),
  };
}

/** Every node a group will ever have: its count plus what addNodes events add (times repeats). */
export function groupTotals(groups: readonly { name: string; count: number }[], events: readonly EventSpec[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const g of groups) if (!totals.has(g.name)) totals.set(g.name, Number.isFinite(g.count) ? g.count : 0);
  for (const e of events) {
    const a = e.action;
    const before = a.type === "addNodes" ? totals.get(a.group) : undefined;
    if (a.type === "addNodes" && before !== undefined && Number.isFinite(a.count)) totals.set(a.group, before + a.count * e.times);
  }
  return totals;
}

/** The node groups that never have a node, by zone. */
function emptyGroupsByZone(cluster: ClusterSpec, groupTotals: ReadonlyMap<string, number>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of cluster.nodeGroups) if ((groupTotals.get(g.name) ?? 0) === 0) out.set(g.zone, [...(out.get(g.zone) ?? []), g.name]);
  return out;
}

/** The zones that hold a host at some time: the managers' and those of groups that ever have a node. */
function zonesWithHosts(cluster: ClusterSpec, groupTotals: ReadonlyMap<string, number>): string[] {
  const zones = new Set(cluster.managers.zones.slice(0, cluster.managers.count)); // engine/hosts.ts: managerZones
  for (const g of cluster.nodeGroups) if ((groupTotals.get(g.name) ?? 0) > 0) zones.add(g.zone);
  return [...zones];
}

/** A map of services (a scenario lists them) and no `version: 1`: a Compose file. */
function looksLikeCompose(root: RawMap): boolean {
  const services = valueOf(root, "services");
  const version = valueOf(root, "version");
  return services?.kind === "map" && !(version?.kind === "scalar" && version.value === 1);
}
