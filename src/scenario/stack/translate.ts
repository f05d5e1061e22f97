// A validated Compose tree -> the scenario's own `services` and `networks` items, field by field
// as `docker stack deploy` turns a stack into Swarm service specs. Values keep the origin of the
// Compose value they came from; unit spellings are rewritten (values.ts); what is not read is
// said in the notes (notes.ts). A service's `x-orchsim` map, in the scenario's own format, is
// merged over what the translation gives.

import type { Ctx } from "../context.js";
import { entryOf, mergeRaw, valueOf, type Raw, type RawMap, type RawScalar } from "../raw.js";
import { child, leaf, list, map, scalar, seq } from "./build.js";
import { noteUnread, Notes } from "./notes.js";
import { translatePorts, type PortOut } from "./ports.js";
import { boolValue, durationValue, goDurationUs, numberValue, sizeValue } from "./values.js";

export interface Translated {
  services: RawMap[];
  networks: RawMap[];
  ports: PortOut[];
}

const TOP_READ = ["version", "services", "networks"];
const SERVICE_READ = ["image", "deploy", "ports", "networks", "healthcheck", "stop_grace_period", "x-orchsim"];
const DEPLOY_READ = ["mode", "replicas", "resources", "placement", "restart_policy", "update_config", "rollback_config", "endpoint_mode"];
/** The encryption option of the overlay driver: present (with any value) = IPsec on. */
const ENCRYPTED_OPT = "encrypted";
const MTU_OPT = "com.docker.network.driver.mtu";

export function translateStack(ctx: Ctx, root: RawMap, notes: Notes): Translated {
  for (const e of root.entries) {
    if (e.key === "include") ctx.report(e.keyAt, "", "docker stack deploy does not support include: list each file under the scenario's stack: instead");
  }
  // A top-level x- field holds what anchors reuse elsewhere (`x-defaults: &defaults`): what it
  // holds is read where an alias puts it, so it gets no line of its own; x-orchsim belongs on a service.
  const top = root.entries.filter((e) => e.key !== "include" && !(e.key.startsWith("x-") && e.key !== "x-orchsim"));
  noteUnread(ctx, { ...root, entries: top }, TOP_READ, "top-level ", notes);
  const out: Translated = { services: [], networks: [], ports: [] };
  const services = child(root, "services");
  // The schema has made sure that every service is a map.
  for (const e of services?.entries ?? []) {
    if (e.value.kind !== "map") continue;
    const mode = leaf(child(e.value, "deploy"), "mode");
    if (typeof mode?.value === "string" && mode.value.endsWith("-job")) {
      notes.add(mode.at, "deploy.mode", `${mode.value}: jobs (tasks that run once to completion) are not simulated; the service is left out`);
      noteUnread(ctx, e.value, SERVICE_READ, "", new Notes()); // what docker refuses, it refuses in a job too
    } else out.services.push(translateService(ctx, e.key, e.keyAt, e.value, notes, out.ports));
  }
  for (const e of child(root, "networks")?.entries ?? []) {
    out.networks.push(translateNetwork(ctx, e.key, e.keyAt, e.value.kind === "map" ? e.value : undefined, notes));
  }
  return out;
}

function translateService(ctx: Ctx, name: string, keyAt: RawMap["at"], svc: RawMap, notes: Notes, ports: PortOut[]): RawMap {
  noteUnread(ctx, svc, SERVICE_READ, "", notes);
  const deploy = child(svc, "deploy");
  if (deploy) noteUnread(ctx, deploy, DEPLOY_READ, "deploy.", notes);
  const mode = leaf(deploy, "mode");
  const replicas = leaf(deploy, "replicas", numberValue);
  if (mode?.value === "global" && replicas) ctx.report(replicas.at, "", "replicas can only be used with mode: replicated (docker stack deploy refuses it)");
  const image = leaf(svc, "image");
  const portList = valueOf(svc, "ports");
  const translatedPorts = portList ? translatePorts(ctx, portList, notes) : [];
  ports.push(...translatedPorts);
  const out = map(svc.at, [
    ["name", scalar(name, keyAt)],
    ["image", image && map(image.at, [["name", image]])],
    ["mode", mode],
    ["replicas", replicas],
    ["endpointMode", leaf(deploy, "endpoint_mode")],
    ["networks", serviceNetworks(ctx, valueOf(svc, "networks"), notes)],
    ["ports", portList && seq(translatedPorts.map((p) => p.node), portList.at)],
    ["resources", resources(ctx, child(deploy, "resources"), notes)],
    ["placement", placement(ctx, child(deploy, "placement"), notes)],
    ["restartPolicy", restartPolicy(ctx, child(deploy, "restart_policy"), notes)],
    ["update", updateConfig(ctx, child(deploy, "update_config"), "update_config", notes)],
    ["rollback", updateConfig(ctx, child(deploy, "rollback_config"), "rollback_config", notes)],
    ["healthcheck", healthcheck(ctx, child(svc, "healthcheck"), notes)],
    ["stopGracePeriod", leaf(svc, "stop_grace_period", durationValue)],
  ]);
  const extra = valueOf(svc, "x-orchsim");
  if (extra?.kind !== "map") return out;
  const renamed = entryOf(extra, "name");
  if (renamed) ctx.report(renamed.keyAt, "", "x-orchsim cannot rename a service (its name is its key under services)");
  return mergeRaw(out, { ...extra, entries: extra.entries.filter((e) => e.key !== "name") }) as RawMap;
}

/** `networks: [a, b]` or `networks: {a: {aliases: [...]}, b: null}` -> the names. */
function serviceNetworks(ctx: Ctx, raw: Raw | undefined, notes: Notes): Raw | undefined {
  if (raw === undefined || raw.kind === "scalar") return raw;
  if (raw.kind === "seq") return raw;
  for (const e of raw.entries) if (e.value.kind === "map") noteUnread(ctx, e.value, [], "networks.", notes);
  return seq(raw.entries.map((e) => scalar(e.key, e.keyAt)), raw.at);
}

function resources(ctx: Ctx, r: RawMap | undefined, notes: Notes): RawMap | undefined {
  if (!r) return undefined;
  const limits = child(r, "limits");
  const reservations = child(r, "reservations");
  if (limits) noteUnread(ctx, limits, ["cpus", "memory"], "deploy.resources.limits.", notes);
  if (reservations) noteUnread(ctx, reservations, ["cpus", "memory", "generic_resources"], "deploy.resources.reservations.", notes);
  return map(r.at, [
    ["limits", limits && map(limits.at, [["cpu", cpus(ctx, limits)], ["memory", leaf(limits, "memory", sizeValue)]])],
    ["reservations", reservations && map(reservations.at, [
      ["cpu", cpus(ctx, reservations)],
      ["memory", leaf(reservations, "memory", sizeValue)],
      ["generic", genericResources(ctx, list(reservations, "generic_resources"), notes)],
    ])],
  ]);
}

/**
 * `cpus` is a number of CPUs to Docker (ParseCPUs reads it as a big.Rat: "0.5", ".5", "5e-1",
 * "1/2"), never the scenario's "500m", which docker stack deploy refuses.
 */
function cpus(ctx: Ctx, m: RawMap): RawScalar | undefined {
  const raw = leaf(m, "cpus");
  if (typeof raw?.value !== "string") return raw;
  const text = raw.value.trim();
  const fraction = /^(\d+)\/(\d+)$/.exec(text);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (Number.isFinite(value)) return { ...raw, value };
  ctx.report(raw.at, "", `${JSON.stringify(raw.value)} is not a number of CPUs (docker stack deploy refuses it; write 0.5 for half a CPU)`);
  return raw;
}

/** `[{discrete_resource_spec: {kind: gpu, value: 2}}]` -> `{gpu: 2}`. */
function genericResources(ctx: Ctx, items: Raw | undefined, notes: Notes): RawMap | undefined {
  if (items?.kind !== "seq") return undefined;
  const pairs: [string, RawScalar | undefined][] = [];
  for (const item of items.items) {
    if (item.kind !== "map") continue;
    noteUnread(ctx, item, ["discrete_resource_spec"], "deploy.resources.reservations.generic_resources.", notes);
    const spec = child(item, "discrete_resource_spec");
    if (spec) noteUnread(ctx, spec, ["kind", "value"], "deploy.resources.reservations.generic_resources.discrete_resource_spec.", notes);
    const kind = leaf(spec, "kind");
    if (typeof kind?.value === "string") pairs.push([kind.value, leaf(spec, "value", numberValue)]);
  }
  return map(items.at, pairs);
}

function placement(ctx: Ctx, p: RawMap | undefined, notes: Notes): RawMap | undefined {
  if (p) noteUnread(ctx, p, ["constraints", "preferences", "max_replicas_per_node"], "deploy.placement.", notes);
  return p && map(p.at, [
    ["constraints", valueOf(p, "constraints")],
    ["preferences", valueOf(p, "preferences")],
    ["maxReplicasPerNode", leaf(p, "max_replicas_per_node", numberValue)],
  ]);
}

function restartPolicy(ctx: Ctx, r: RawMap | undefined, notes: Notes): RawMap | undefined {
  if (r) noteUnread(ctx, r, ["condition", "delay", "max_attempts", "window"], "deploy.restart_policy.", notes);
  return r && map(r.at, [
    ["condition", leaf(r, "condition")],
    ["delay", leaf(r, "delay", durationValue)],
    ["maxAttempts", leaf(r, "max_attempts", numberValue)],
    ["window", leaf(r, "window", durationValue)],
  ]);
}

function updateConfig(ctx: Ctx, u: RawMap | undefined, name: string, notes: Notes): RawMap | undefined {
  if (u) noteUnread(ctx, u, ["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"], `deploy.${name}.`, notes);
  return u && map(u.at, [
    ["parallelism", leaf(u, "parallelism", numberValue)],
    ["delay", leaf(u, "delay", durationValue)],
    ["failureAction", leaf(u, "failure_action")],
    ["monitor", monitor(u, name, notes)],
    ["maxFailureRatio", leaf(u, "max_failure_ratio", numberValue)],
    ["order", leaf(u, "order")],
  ]);
}

/**
 * An update's or rollback's monitor. A zero one never reaches Swarm: Docker sends the monitor
 * only when it is not 0 (moby's convert), and swarmkit then monitors for its default, 5 s.
 */
function monitor(u: RawMap, name: string, notes: Notes): RawScalar | undefined {
  const m = leaf(u, "monitor", durationValue);
  const v = m?.value;
  if (m === undefined || (v !== 0 && (typeof v !== "string" || goDurationUs(v) !== 0))) return m;
  notes.add(m.at, `deploy.${name}.monitor`, "0 is Swarm's default, 5 s: Docker does not send a zero monitor");
  return undefined;
}

/**
 * A health check, or nothing when it is disabled (`disable: true` or `test: ["NONE"]`; a test
 * written as text is a shell command, even "NONE", as docker/cli reads it).
 */
function healthcheck(ctx: Ctx, h: RawMap | undefined, notes: Notes): RawMap | undefined {
  if (!h) return undefined;
  const test = valueOf(h, "test");
  const first = test?.kind === "seq" ? test.items[0] : undefined;
  const none = first?.kind === "scalar" && first.value === "NONE";
  if (leaf(h, "disable", boolValue)?.value === true || none) return undefined;
  noteUnread(ctx, h, ["interval", "timeout", "retries", "start_period", "start_interval", "disable", "test"], "healthcheck.", notes);
  if (test) notes.add(test.at, "healthcheck.test", "the command is not run: the model's check is a request to the container that costs healthcheck.cpu");
  // Docker reads 0 as "not set": the image's value, else the default (30s, 30s, 3, and 5s to start).
  const zero = (v: RawScalar): boolean => v.value === 0 || (typeof v.value === "string" && goDurationUs(v.value) === 0);
  const set = (v: RawScalar | undefined): RawScalar | undefined => (v && zero(v) ? undefined : v);
  return map(h.at, [
    ["interval", set(leaf(h, "interval", durationValue))],
    ["timeout", set(leaf(h, "timeout", durationValue))],
    ["retries", set(leaf(h, "retries", numberValue))],
    ["startPeriod", leaf(h, "start_period", durationValue)],
    ["startInterval", set(leaf(h, "start_interval", durationValue))],
  ]);
}

function translateNetwork(ctx: Ctx, name: string, keyAt: RawMap["at"], net: RawMap | undefined, notes: Notes): RawMap {
  if (!net) return map(keyAt, [["name", scalar(name, keyAt)]]);
  noteUnread(ctx, net, ["driver", "driver_opts", "ipam", "attachable", "external"], `networks.${name}.`, notes);
  const driver = leaf(net, "driver");
  if (typeof driver?.value === "string" && driver.value !== "overlay") {
    notes.add(driver.at, `networks.${name}.driver`, `${driver.value} is simulated as an overlay network (a stack's networks are overlays)`);
  }
  const external = leaf(net, "external", boolValue) ?? child(net, "external");
  if (external && (external.kind === "map" || external.value === true)) {
    notes.add(external.at, `networks.${name}.external`, "created outside the stack; simulated as an overlay network with Swarm's defaults");
  }
  const opts = child(net, "driver_opts");
  const encrypted = opts && entryOf(opts, ENCRYPTED_OPT);
  // Docker encrypts when the option is there, whatever its value: "false" reads as the opposite.
  const said = encrypted?.value.kind === "scalar" ? encrypted.value.value : null;
  if (said === false || (typeof said === "string" && /^(false|no|0)$/i.test(said))) {
    notes.add(encrypted!.keyAt, `networks.${name}.driver_opts.encrypted`, `${JSON.stringify(said)} still encrypts the network: Docker reads that the option is there, not its value (remove it for no encryption)`);
  }
  if (opts) noteUnread(ctx, opts, [ENCRYPTED_OPT, MTU_OPT], `networks.${name}.driver_opts.`, notes);
  const ipam = child(net, "ipam");
  if (ipam) noteUnread(ctx, ipam, ["config"], `networks.${name}.ipam.`, notes);
  const configs = list(ipam, "config")?.items ?? [];
  const first = configs[0]?.kind === "map" ? configs[0] : undefined;
  if (first) noteUnread(ctx, first, ["subnet"], `networks.${name}.ipam.config.`, notes);
  if (configs.length > 1) notes.add(configs[1]!.at, `networks.${name}.ipam.config`, "only the first subnet is simulated");
  return map(net.at, [
    ["name", scalar(name, keyAt)],
    ["subnet", leaf(first, "subnet")],
    ["encrypted", encrypted && scalar(true, encrypted.keyAt)],
    ["mtu", leaf(opts, MTU_OPT, numberValue)],
    ["attachable", leaf(net, "attachable", boolValue)],
  ]);
}
