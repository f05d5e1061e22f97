import type { EventAction, EventSpec, EventType } from "../scenario/types.js";
import type { World } from "./world.js";
import { formatDurationUs } from "../scenario/index.js";
import { secondsFromUs } from "../metrics/fmt.js";

/**
 * Schedules every scenario event on the world's clock. A repeated event schedules its next
 * firing when it fires, so `every: 1ms` over a day costs one pending event, not millions.
 * Each firing is logged as a `fault` event, and the end it schedules, if any (a partition's
 * heal, the failed nodes back up, a killed manager restarted), as a `heal` event; what it does
 * goes through the paths a user's command or a real failure would take. Firings, and the
 * recoveries and heals they schedule, strike last in their microsecond (strikeAt), after that
 * instant's ordinary work, whichever order that work was scheduled in (so held heartbeats can
 * be exact about it), and after the metrics window that ends there has closed. In one
 * microsecond, what ends there (a recovery, a restart, a heal) strikes before what begins there
 * (the firings, in file order): a failure at the instant an earlier one recovers finds its node
 * back up and fails it again.
 */
export function scheduleInjections(world: World): void {
  world.scenario.events.forEach((ev, index) => scheduleFiring(world, ev, index, 0));
}

/** When the k-th firing of an event happens on the world's clock, or null if there is none. */
export function firingTimeUs(world: World, ev: EventSpec, k: number): number | null {
  if (k >= ev.times) return null;
  const atUs = world.originUs + ev.atUs + k * ev.everyUs;
  return atUs > world.originUs + world.scenario.durationUs ? null : atUs;
}

/**
 * Runs `fn` last in the microsecond `atUs` (kernel lastAt), after the metrics window that ends
 * there: the window ending at T holds what happened up to T, and a fault at T is the next
 * window's, with all it does at once (the requests it fails, the tasks it stops). Events placed
 * last run in the order they were placed; this one is placed from an ordinary event of that
 * microsecond, so after the window's close, which was placed when the window before it closed.
 * For what ends at `atUs`: placed from an ordinary event, it strikes before the firings of that
 * microsecond, which are placed from keyed ones (fireAt).
 */
function strikeAt(world: World, atUs: number, fn: () => void): void {
  world.sim.at(atUs, () => world.sim.lastAt(atUs, fn));
}

/**
 * The places (kernel atKeyed) of the scenario's firings in their microsecond: after its ordinary
 * events, so after every recovery's strikeAt, and by the event's place in the file. Above every
 * heartbeat's place (api heartbeatKey: 128 a node), which these never share.
 */
const FIRING_KEYS = 2 ** 49;

/** strikeAt for the firing of the scenario's event number `index`: after what ends at `atUs`. */
function fireAt(world: World, atUs: number, index: number, fn: () => void): void {
  world.sim.atKeyed(atUs, FIRING_KEYS + index, () => world.sim.lastAt(atUs, fn));
}

function scheduleFiring(world: World, ev: EventSpec, index: number, k: number): void {
  const atUs = firingTimeUs(world, ev, k);
  if (atUs === null) return;
  fireAt(world, atUs, index, () => {
    fire(world, ev.action);
    if (ev.everyUs > 0) scheduleFiring(world, ev, index, k + 1);
  });
}

/** What one injection does, for each kind: the compiler checks that every EventType has one. */
type Injectors = { [T in EventType]: (world: World, a: Extract<EventAction, { type: T }>) => void };

function availability(world: World, a: Extract<EventAction, { type: "drain" | "pause" | "activate" }>): void {
  noteAbsent(world, a.type, [a.node]);
  world.recorder.fault(a.type, a.node);
  const availability = a.type === "activate" ? "active" : a.type;
  apiCall(world, `node update --availability ${availability}`, [{ type: "UpdateNode", id: a.node, availability }]);
}

const INJECTORS: Injectors = {
  // The rate profile already holds the spike; this only marks it in the log.
  loadSpike: (world, a) => world.recorder.fault("loadSpike", a.workload),
  scale: (world, a) => {
    world.recorder.fault("scale", a.service);
    apiCall(world, "scale", [{ type: "UpdateService", name: a.service, replicas: a.replicas }]);
  },
  nodeFailure: (world, a) => {
    noteAbsent(world, "nodeFailure", a.nodes);
    const hosts = failingHosts(world, a.nodes, a.zones);
    // A zone that removeNodes emptied fails nothing: the fault says so rather than name no one.
    const target = hosts.length > 0 ? hosts.join(",") : `${a.zones.map((z) => `zone ${z}`).join(" and ")} (no host left)`;
    nodeFailure(world, hosts, target, a.recoverAfterUs);
  },
  killLeader: (world, a) => {
    const leader = world.control.leader();
    world.recorder.fault("killLeader", leader?.name ?? null);
    if (leader) killManager(world, "killLeader", leader.name, a.restartAfterUs);
  },
  killManager: (world, a) => {
    noteAbsent(world, "killManager", [a.manager]);
    world.recorder.fault("killManager", a.manager, world.hostByName.get(a.manager)?.up === true ? [a.manager] : []);
    killManager(world, "killManager", a.manager, a.restartAfterUs);
  },
  partition: (world, a) => partition(world, a.groups, a.durationUs),
  drain: availability,
  pause: availability,
  activate: availability,
  rollingUpdate: (world, a) => {
    world.recorder.fault("rollingUpdate", a.service);
    // Without --force, `docker service update` that changes nothing does nothing.
    const current = world.control.viewStore().services.get(a.service)?.spec;
    if (!a.force && current !== undefined && JSON.stringify(current) === JSON.stringify(a.spec)) return;
    apiCall(world, "service update", [{ type: "UpdateService", name: a.service, spec: a.spec, updateState: "updating" }]);
  },
  addNodes: (world, a) => world.recorder.fault("addNodes", world.addNodes(a.group, a.count).map((h) => h.name).join(",")),
  removeNodes: (world, a) => {
    noteAbsent(world, "removeNodes", a.nodes);
    removeNodes(world, a.nodes);
  },
  restartAll: (world, a) => {
    world.recorder.fault("restartAll", a.service);
    for (const h of world.hosts) if (h.up) h.agent?.failService(a.service, "task: restarted (restartAll)");
  },
};

/**
 * Named nodes that are not there when the event strikes: an addNodes adds them later, or a
 * removeNodes took them (validation knows every node a group ever has, not when); and, for a
 * failure or a kill, nodes already down (an earlier fault's). The event does nothing to them, and
 * the run's notes say so, once for each kind of event, nodes and kind of absence (a repeated
 * event says it once), rather than stay silent (a second failure of a node already down was
 * credited with the first's detection).
 */
function noteAbsent(world: World, kind: string, nodes: readonly string[]): void {
  const at = formatDurationUs(world.sim.now() - world.originUs);
  const notYet = nodes.filter((n) => !world.hostByName.has(n));
  const removed = nodes.filter((n) => world.hostByName.get(n)?.removed === true);
  const crashes = kind === "nodeFailure" || kind === "killManager";
  const isDown = (n: string): boolean => {
    const h = world.hostByName.get(n);
    return h !== undefined && !h.removed && !h.up;
  };
  const down = crashes ? nodes.filter(isDown) : [];
  const say = (names: string[], why: string): void => {
    const key = `${kind} ${names.join(",")} ${why}`;
    if (names.length === 0 || world.runNoteKeys.has(key)) return;
    world.runNoteKeys.add(key);
    world.runNotes.push(`the ${kind} at ${at} names ${names.join(", ")}, which ${why}: nothing happened to ${names.length === 1 ? "it" : "them"}`);
  };
  say(notYet, "no addNodes had added yet");
  say(removed, "a removeNodes had removed");
  say(down, `${down.length === 1 ? "was" : "were"} already down`);
}

/**
 * A fault's end, logged, `afterUs` after the fault struck (`after_s`: which fault it ends, when
 * another of its kind came between). Not one in the end's instant: it strikes after the last
 * window, so the run shows nothing of it (for an event's first firing, the run's notes say it
 * never comes: inert-settings.ts).
 */
function healed(world: World, fault: string, target: string, afterUs: number): void {
  if (world.sim.now() < world.originUs + world.scenario.durationUs) world.recorder.emit({ kind: "heal", fault, target, after_s: secondsFromUs(afterUs) });
}

function fire(world: World, a: EventAction): void {
  (INJECTORS[a.type] as (world: World, a: EventAction) => void)(world, a);
}

/**
 * `docker node rm --force`: the node is shut down and the managers forget it; its tasks restart
 * elsewhere. A node that is down (a failure's) is removed as well, as Swarm removes a DOWN node,
 * and stays gone: its failure's recoverAfter does not bring it back (World.recoverHost).
 */
function removeNodes(world: World, nodes: readonly string[]): void {
  const present = nodes.flatMap((n) => {
    const host = world.hostByName.get(n);
    return host !== undefined && !host.removed ? [host] : [];
  });
  const up = present.filter((h) => h.up);
  // It takes down only those up: a DOWN of one a failure had crashed is that failure's (faults.ts).
  world.recorder.fault("removeNodes", nodes.join(","), up.map((h) => h.name));
  if (present.length === 0) return;
  if (!world.control.submit(present.map((h) => ({ type: "RemoveNode" as const, id: h.name })))) {
    world.recorder.apiFailed(world.recorder.lastFault(), "node rm", "The swarm does not have a leader");
    return;
  }
  for (const [i, host] of up.entries()) world.crashHost(host, up.length - 1 - i);
  for (const host of present) host.removed = true;
}

/** A call to the managers' API: without a leader it fails, as in Swarm. */
function apiCall(world: World, call: string, cmds: Parameters<World["control"]["submit"]>[0]): void {
  const fault = world.recorder.lastFault();
  const timedOut = (): void => world.recorder.apiFailed(fault, call, "context deadline exceeded");
  if (!world.control.submit(cmds, timedOut)) world.recorder.apiFailed(fault, call, "The swarm does not have a leader");
}

function killManager(world: World, fault: "killLeader" | "killManager", name: string, restartAfterUs: number): void {
  const host = world.hostByName.get(name);
  if (!host || !host.up) return;
  if (world.control.leader()?.name === name) world.control.elections.setCause(`leader ${name} killed`);
  world.crashHost(host);
  if (restartAfterUs > 0) {
    strikeAt(world, world.sim.now() + restartAfterUs, () => {
      world.recoverHost(host);
      healed(world, fault, name, restartAfterUs); // a manager is never removed (removeNodes takes workers only)
    });
  }
}

/**
 * The named nodes, then every other host that is in one of `zones` now: its workers, then its
 * managers (each in the hosts' order), as one writes "zone a: a-1..a-3 and manager-1". They all
 * crash in the same microsecond; the order is only the order of the crashes' work within it.
 */
function failingHosts(world: World, nodes: readonly string[], zones: readonly string[]): string[] {
  if (zones.length === 0) return [...nodes];
  const named = new Set(nodes);
  const inZones = world.hosts.filter((h) => !h.removed && zones.includes(h.zone) && !named.has(h.name));
  const of = (role: "worker" | "manager"): string[] => inZones.filter((h) => h.spec.role === role).map((h) => h.name);
  return [...nodes, ...of("worker"), ...of("manager")];
}

function nodeFailure(world: World, nodes: readonly string[], target: string, recoverAfterUs: number): void {
  const batch = nodes.flatMap((name) => {
    const host = world.hostByName.get(name);
    return host?.up ? [host] : [];
  });
  world.recorder.fault("nodeFailure", target, batch.map((h) => h.name));
  const leader = world.control.leader()?.name;
  for (const [i, host] of batch.entries()) {
    if (host.name === leader) world.control.elections.setCause(`leader node ${host.name} failed`);
    // The rest of the batch is still up as this one crashes, and probes nobody: memberlist's probers are the others.
    world.crashHost(host, batch.length - 1 - i);
    if (recoverAfterUs > 0) strikeAt(world, world.sim.now() + recoverAfterUs, () => recovered(host, i));
  }
  // One strike a host, as they crashed (the kernel's count of events is the same with or
  // without the log line); the last one's logs the batch's heal, once they are all back up
  // (those a removeNodes took meanwhile stay gone).
  function recovered(host: (typeof batch)[number], i: number): void {
    world.recoverHost(host);
    if (i < batch.length - 1) return;
    const back = batch.filter((h) => !h.removed).map((h) => h.name);
    if (back.length > 0) healed(world, "nodeFailure", back.join(","), recoverAfterUs);
  }
}

function partition(world: World, groups: readonly (readonly string[])[], durationUs: number): void {
  const target = groups.map((g) => g.join("+")).join("|");
  world.recorder.fault("partition", target);
  // Held heartbeats assume paths that cannot break: back to the full path before any does.
  world.control.wakeQuietSessions();
  const p = world.net.partition(groups);
  // Only a partition that leaves the leader without a majority of managers causes an election.
  const leader = world.control.leader();
  if (leader) {
    const managers = world.control.managers;
    const reached = managers.filter((m) => m.host.up && !p.separates(leader.name, m.name)).length;
    if (reached < Math.floor(managers.length / 2) + 1) world.control.elections.setCause("partition");
  }
  if (durationUs > 0) {
    strikeAt(world, world.sim.now() + durationUs, () => {
      world.net.heal(p);
      healed(world, "partition", target, durationUs);
    });
  }
}

