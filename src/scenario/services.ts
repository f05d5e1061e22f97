// `services:` — what runs: Swarm service specs plus the load model of each container (start-up
// work, memory, request CPU). Cross-service checks (published ports, call cycles) are at the end.

import type { Ctx } from "./context.js";
import { checkSpreadLabel, formatConstraint, parseConstraint } from "./constraints.js";
import { readStrategy } from "./cluster.js";
import { DEFAULTS, LIMITS } from "./defaults.js";
import type { Raw } from "./raw.js";
import { Fields, REQUIRED, parseNumber } from "./schema.js";
import {
  HEALTHCHECK_FIELDS,
  REQUEST_FIELDS,
  RESTART_FIELDS,
  RUNTIME_FIELDS,
  STARTUP_FIELDS,
  UPDATE_FIELDS,
  readHealthcheck,
  readRequest,
  readResources,
  readRestartPolicy,
  readRuntime,
  readStartup,
  readUpdate,
  type Site,
} from "./service-parts.js";
import type { AutoscaleSpec, PortSpec, ServiceSpec, SloSpec } from "./types.js";
import { parseDurationUs, parseFraction, parsePercentage, parseSizeBytes } from "./units.js";
import { DEFAULT_NETWORK, INGRESS_NETWORK } from "./networks.js";

export const SERVICE_FIELDS = [
  "name", "image", "mode", "replicas", "networks", "ports", "endpointMode", "resources", "placement", "strategy",
  "startup", "runtime", "request", "healthcheck", "restartPolicy", "stopGracePeriod", "update", "rollback", "autoscale", "slo",
] as const;
const PORT_FIELDS = ["published", "target", "protocol", "mode"] as const;
const PLACEMENT_FIELDS = ["constraints", "preferences", "maxReplicasPerNode"] as const;
const AUTOSCALE_FIELDS = [
  "min", "max", "targetCpu", "interval", "tolerance", "scaleDownStabilization", "scaleUpPods", "scaleUpPercent", "scaleUpPeriod", "cooldown",
] as const;
const IMAGE_FIELDS = ["name", "size"] as const;
export const SLO_FIELDS = ["latency", "percentile"] as const;

/** A service spec and where its ports and calls were written, for the cross-service checks. */
export interface ServiceRead {
  spec: ServiceSpec;
  /** Aligned with spec.ports: where each port's `published` was written. */
  ports: Site[];
  /** Aligned with spec.request.calls: where each call's `service` was written. */
  calls: Site[];
}

/**
 * Reads one service. `slo` is the scenario's (metrics.slo): each field of the service's own
 * `slo` defaults to it.
 */
export function readService(ctx: Ctx, raw: Raw, path: string, slo: SloSpec): ServiceRead {
  const f = Fields.open(ctx, raw, path, raw.at, SERVICE_FIELDS);
  const name = f.name("name");
  const mode = f.oneOf("mode", ["replicated", "global"], DEFAULTS.service.mode);
  const ports = readPorts(f);
  const endpointMode = f.oneOf("endpointMode", ["vip", "dnsrr"], DEFAULTS.service.endpointMode);
  if (endpointMode === "dnsrr" && ports.specs.some((p) => p.mode === "ingress")) {
    // Swarm refuses it too: the routing mesh balances over the VIP, which dnsrr has not got.
    f.report("endpointMode", "dnsrr cannot be used with ports published in ingress mode (publish them with mode: host)");
  }
  const autoscale = readAutoscale(f, mode);
  const calls: Site[] = [];
  const request = readRequest(f.map("request", REQUEST_FIELDS), (service, site) => {
    ctx.refer({ kind: "service", name: service, ...site });
    calls.push(site);
  });
  const spec: ServiceSpec = {
    name,
    image: readImage(f, name),
    mode,
    replicas: readReplicas(f, mode, autoscale),
    networks: readServiceNetworks(ctx, f),
    ports: ports.specs,
    endpointMode,
    resources: readResources(f.map("resources", ["reservations", "limits"])),
    placement: readPlacement(f),
    strategy: readStrategy(f, "strategy"), // null = the cluster's strategy
    startup: readStartup(f.map("startup", STARTUP_FIELDS)),
    runtime: readRuntime(f.map("runtime", RUNTIME_FIELDS)),
    request,
    healthcheck: readHealthcheck(f.optionalMap("healthcheck", HEALTHCHECK_FIELDS)),
    restartPolicy: readRestartPolicy(f.map("restartPolicy", RESTART_FIELDS)),
    stopGracePeriodUs: f.num("stopGracePeriod", DEFAULTS.service.stopGracePeriodUs, parseDurationUs),
    update: readUpdate(f.map("update", UPDATE_FIELDS), "update"),
    rollback: readUpdate(f.map("rollback", UPDATE_FIELDS), "rollback"),
    autoscale,
    slo: readSlo(f.map("slo", SLO_FIELDS), slo),
  };
  return { spec, ports: ports.sites, calls };
}

/** Global services run one task per node: replicas is refused for them (as Docker does) and written as 0. */
function readReplicas(f: Fields, mode: ServiceSpec["mode"], autoscale: AutoscaleSpec | null): number {
  if (mode === "global") {
    if (f.has("replicas")) f.report("replicas", "can only be used with replicated mode: a global service runs one task on every eligible node");
    return 0;
  }
  // With an autoscaler, the service starts at its minimum unless replicas says otherwise.
  const replicas = f.whole("replicas", autoscale?.min ?? DEFAULTS.service.replicas, { min: 0, max: LIMITS.count });
  if (autoscale && f.has("replicas") && (replicas < autoscale.min || replicas > autoscale.max)) {
    f.report("replicas", `must be within the autoscale range ${autoscale.min}..${autoscale.max} (got ${replicas})`);
  }
  return replicas;
}

function readAutoscale(f: Fields, mode: ServiceSpec["mode"]): AutoscaleSpec | null {
  const a = f.optionalMap("autoscale", AUTOSCALE_FIELDS);
  if (a === null) return null;
  if (mode === "global") f.report("autoscale", "needs mode: replicated (a global service runs one task per node)");
  const d = DEFAULTS.autoscale;
  const min = a.whole("min", d.min, { min: 1, max: LIMITS.count });
  const max = a.whole("max", REQUIRED, { min: 1, max: LIMITS.count });
  if (max < min) a.report("max", `must be at least min (${max} < ${min})`);
  return {
    min,
    max,
    targetCpu: a.num("targetCpu", d.targetCpu, parseFraction, { above: 0 }),
    intervalUs: a.num("interval", d.intervalUs, parseDurationUs, { above: 0 }),
    tolerance: a.num("tolerance", d.tolerance, parseFraction, { below: 1 }),
    scaleDownStabilizationUs: a.num("scaleDownStabilization", d.scaleDownStabilizationUs, parseDurationUs),
    scaleUpPods: a.whole("scaleUpPods", d.scaleUpPods, { min: 0, max: LIMITS.count }),
    scaleUpPercent: a.num("scaleUpPercent", d.scaleUpPercent, parsePercentage, { min: 0 }),
    scaleUpPeriodUs: a.num("scaleUpPeriod", d.scaleUpPeriodUs, parseDurationUs, { above: 0 }),
    cooldownUs: a.num("cooldown", d.cooldownUs, parseDurationUs),
  };
}

/** `image: NAME` or `image: {name, size}`; the size makes nodes pull it from the registry. */
function readImage(f: Fields, service: string): ServiceSpec["image"] {
  const fallback = `${service}:1`; // "<name>:1", so that an update can change it
  const raw = f.get("image");
  if (raw?.kind !== "map") return { name: f.text("image", fallback), sizeBytes: DEFAULTS.image.sizeBytes };
  const m = f.map("image", IMAGE_FIELDS);
  return { name: m.text("name", fallback), sizeBytes: m.num("size", DEFAULTS.image.sizeBytes, parseSizeBytes) };
}

/** The networks a service is attached to; none listed = the `default` network, as in a stack. */
function readServiceNetworks(ctx: Ctx, f: Fields): string[] {
  if (!f.has("networks")) return [DEFAULT_NETWORK];
  const names: string[] = [];
  for (const item of f.list("networks")) {
    const v = item.raw.kind === "scalar" ? item.raw.value : undefined;
    if (typeof v !== "string" || v === "") ctx.report(item.raw.at, item.path, "must be the name of a network");
    else if (v === INGRESS_NETWORK) {
      // Docker refuses it too: a service joins ingress by publishing a port in ingress mode.
      ctx.report(item.raw.at, item.path, "a service cannot be attached to the ingress network (publish a port in ingress mode instead)");
    } else if (names.includes(v)) ctx.report(item.raw.at, item.path, `network ${v} is listed twice`);
    else {
      names.push(v);
      ctx.refer({ kind: "network", name: v, at: item.raw.at, path: item.path });
    }
  }
  return names;
}

function readPorts(f: Fields): { specs: PortSpec[]; sites: Site[] } {
  const specs: PortSpec[] = [];
  const sites: Site[] = [];
  for (const item of f.list("ports")) {
    const p = Fields.open(f.ctx, item.raw, item.path, item.raw.at, PORT_FIELDS);
    const port = { min: 1, max: 65_535 };
    specs.push({
      published: p.whole("published", REQUIRED, port),
      target: p.whole("target", REQUIRED, port),
      protocol: p.oneOf("protocol", ["tcp", "udp"], DEFAULTS.port.protocol),
      mode: p.oneOf("mode", ["ingress", "host"], DEFAULTS.port.mode),
    });
    sites.push({ at: p.originOf("published"), path: p.pathOf("published") });
  }
  return { specs, sites };
}

function readPlacement(f: Fields): ServiceSpec["placement"] {
  const p = f.map("placement", PLACEMENT_FIELDS);
  const constraints: string[] = [];
  for (const item of p.list("constraints")) {
    const v = item.raw.kind === "scalar" ? item.raw.value : undefined;
    const parsed = typeof v === "string" ? parseConstraint(v) : "must be a constraint such as node.role == worker";
    if (typeof parsed === "string") f.ctx.report(item.raw.at, item.path, parsed);
    else constraints.push(formatConstraint(parsed));
  }
  const preferences: { spread: string }[] = [];
  for (const item of p.list("preferences")) {
    const pref = Fields.open(f.ctx, item.raw, item.path, item.raw.at, ["spread"]);
    const spread = pref.text("spread", REQUIRED);
    const problem = spread === "" ? undefined : checkSpreadLabel(spread);
    if (problem !== undefined) pref.report("spread", problem);
    else if (spread !== "") preferences.push({ spread });
  }
  const maxReplicasPerNode = p.whole("maxReplicasPerNode", DEFAULTS.service.maxReplicasPerNode, { min: 0, max: LIMITS.count });
  return { constraints, preferences, maxReplicasPerNode };
}

/** A port published in ingress mode is bound on every node: no other service may publish it. */
export function checkPublishedPorts(ctx: Ctx, reads: readonly ServiceRead[]): void {
  const ingress = new Map<string, string>(); // "80/tcp" -> service
  const host: { key: string; site: Site }[] = [];
  for (const read of reads) {
    read.spec.ports.forEach((port, i) => {
      const site = read.ports[i];
      if (!site || !Number.isInteger(port.published)) return;
      const key = `${port.published}/${port.protocol}`;
      const owner = ingress.get(key);
      if (port.mode === "host") host.push({ key, site });
      else if (owner !== undefined) ctx.report(site.at, site.path, `port ${key} is already published in ingress mode by service ${owner}`);
      else ingress.set(key, read.spec.name);
    });
  }
  for (const { key, site } of host) {
    const owner = ingress.get(key);
    if (owner !== undefined) {
      ctx.report(site.at, site.path, `port ${key} is published in ingress mode by service ${owner}, on every node`);
    }
  }
}

/** Calls must not loop back (web -> api -> web): every request would fan out for ever. */
export function checkCallCycles(ctx: Ctx, reads: readonly ServiceRead[]): void {
  const edges = new Map<string, { to: string; site: Site }[]>();
  for (const r of reads) {
    const list = edges.get(r.spec.name) ?? [];
    r.spec.request.calls.forEach((c, i) => {
      const site = r.calls[i];
      if (site) list.push({ to: c.service, site });
    });
    edges.set(r.spec.name, list);
  }
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    for (const { to, site } of edges.get(name) ?? []) {
      const loopAt = trail.indexOf(to);
      if (to === name || loopAt >= 0) {
        const cycle = to === name ? [name, name] : [...trail.slice(loopAt), name, to];
        ctx.report(site.at, site.path, `calls form a cycle (${cycle.join(" -> ")}); a request would never finish`);
      } else visit(to, [...trail, name]);
    }
    done.add(name);
  };
  for (const name of edges.keys()) visit(name, []);
}

/** An SLO (the scenario's, or a service's own): a field not written takes `d`'s. */
export function readSlo(f: Fields, d: SloSpec): SloSpec {
  return {
    latencyUs: f.num("latency", d.latencyUs, parseDurationUs, { above: 0 }),
    percentile: f.num("percentile", d.percentile, parseNumber, { above: 0, below: 100 }),
  };
}
