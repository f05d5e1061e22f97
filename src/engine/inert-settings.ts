// Settings that validate but cannot matter in the scenario as written: another setting makes them
// moot, or they act only after the run has ended. Said before the run (scenarioWarnings), so that
// nobody reads a silent no-op as a result (the rule: nothing silently ignored).

import { DEFAULTS, formatDurationUs, INGRESS_NETWORK, MANAGER_PREFIX } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { groupsWithNodes, managerZones } from "./hosts.js";

export function inertSettings(s: Scenario): string[] {
  const out: string[] = [];
  const net = s.cluster.network;
  const specs = [...s.services, ...s.events.flatMap((e) => (e.action.type === "rollingUpdate" ? [e.action.spec] : []))];
  const registry = s.cluster.registry;
  if ((registry.bandwidthBitsPerS !== DEFAULTS.registry.bandwidthBitsPerS || registry.latencyUs !== DEFAULTS.registry.latencyUs) && !specs.some((x) => x.image.sizeBytes > 0)) {
    out.push("cluster.registry changes nothing: no service gives its image a size, so nothing is pulled over the network");
  }
  if (net.encryptionCpuUsPerGB !== DEFAULTS.fabric.encryptionCpuUsPerGB && !s.networks.some((n) => n.encrypted)) {
    out.push("cluster.network.encryptionCpuPerGB changes nothing: no network is encrypted");
  }
  const zones = new Set([...managerZones(s.cluster.managers), ...groupsWithNodes(s).map((g) => g.zone)]);
  if (net.crossZoneBandwidthBitsPerS > 0 && zones.size < 2) out.push("cluster.network.crossZoneBandwidth changes nothing: every node is in one zone");
  return [...out, ...prePulled(s, specs), ...inertServiceSettings(s), ...idleZones(s), ...unusedNetworks(s), ...afterTheEnd(s)];
}

/**
 * Pre-pulled images that spare no pull (walkthrough: tried as a mitigation, they changed nothing,
 * silently): a name no service runs, or one no service gives a size, which no node pulls (its
 * `startup.pull` is a fixed time of every start, pre-pulled or not); the managers' when they run
 * no tasks.
 */
function prePulled(s: Scenario, specs: readonly Scenario["services"][number][]): string[] {
  const sized = new Map<string, boolean>();
  for (const x of specs) sized.set(x.image.name, sized.get(x.image.name) === true || x.image.sizeBytes > 0);
  const m = s.cluster.managers;
  // runTasks: false drains them; an activate event gives one tasks after all (review).
  const activated = s.events.some((e) => e.action.type === "activate" && e.action.node.startsWith(`${MANAGER_PREFIX}-`));
  const idle = m.images.length > 0 && !m.runTasks && !activated;
  const holders: [string, readonly string[]][] = [
    ...(idle ? [] : [["cluster.managers.images", m.images] as [string, readonly string[]]]),
    ...s.cluster.nodeGroups.map((g): [string, readonly string[]] => [`cluster.nodeGroups[${g.name}].images`, g.images]),
  ];
  const unpulled = holders.flatMap(([where, images]) =>
    images.flatMap((name) => {
      if (!sized.has(name)) return [`${where} lists ${name}, which no service runs: it changes nothing`];
      if (sized.get(name) === true) return [];
      return [`${where} lists ${name}, which changes nothing: no service gives that image a size (image: {name, size}), so no node pulls it; startup.pull is a fixed time of every start, pre-pulled or not`];
    }),
  );
  return idle ? ["cluster.managers.images changes nothing: the managers run no tasks (runTasks: false)", ...unpulled] : unpulled;
}

/** Settings of a service or workload that another of its settings makes moot (walkthrough: these changed nothing, silently). */
function inertServiceSettings(s: Scenario): string[] {
  const out: string[] = [];
  // A rolling update that gives the service a start period makes its inherited start interval act (review).
  const startPeriodLater = new Set(s.events.flatMap((e) => (e.action.type === "rollingUpdate" && (e.action.spec.healthcheck?.startPeriodUs ?? 0) > 0 ? [e.action.service] : [])));
  for (const svc of s.services) {
    const hc = svc.healthcheck;
    if (hc !== null && hc.startPeriodUs === 0 && hc.startIntervalUs !== DEFAULTS.healthcheck.startIntervalUs && !startPeriodLater.has(svc.name)) {
      out.push(`services[${svc.name}].healthcheck.startInterval changes nothing: its startPeriod is 0, and the start interval is the probes' interval within the start period`);
    }
    if (svc.mode === "global" && svc.placement.maxReplicasPerNode > 0) {
      out.push(`services[${svc.name}].placement.maxReplicasPerNode changes nothing: a global service runs one task per node already`);
    }
    const rp = svc.restartPolicy;
    const d = DEFAULTS.restartPolicy;
    const moot = [rp.delayUs !== d.delayUs ? "delay" : "", rp.maxAttempts !== d.maxAttempts ? "maxAttempts" : "", rp.windowUs !== d.windowUs ? "window" : ""].filter((k) => k !== "");
    if (rp.condition === "none" && moot.length > 0) {
      out.push(`services[${svc.name}].restartPolicy.${moot.join(", ")} ${moot.length > 1 ? "change" : "changes"} nothing: its condition is none, so no task is restarted`);
    } else if (rp.maxAttempts === 0 && rp.windowUs !== d.windowUs) {
      out.push(`services[${svc.name}].restartPolicy.window changes nothing: maxAttempts is 0 (unlimited), and the window is where maxAttempts counts restarts`);
    }
  }
  out.push(...unusedRollouts(s));
  for (const w of s.workload) {
    if (w.retries.max === 0 && w.retries.backoffUs !== DEFAULTS.workload.retryBackoffUs) {
      out.push(`workload[${w.name}].retries.backoff changes nothing: retries.max is 0, so no request is retried`);
    }
  }
  return out;
}

/**
 * A service's `update` and `rollback` pace a rolling update's rollout: with no rollingUpdate of
 * that service in the run they change nothing (walkthrough: tried as a mitigation, silently equal).
 */
function unusedRollouts(s: Scenario): string[] {
  const updated = new Set(s.events.flatMap((e) => (e.action.type === "rollingUpdate" ? [e.action.service] : [])));
  const d = DEFAULTS.update as Scenario["services"][number]["update"];
  const same = (u: typeof d): boolean => (Object.keys(d) as (keyof typeof d)[]).every((k) => u[k] === d[k]);
  return s.services.flatMap((svc) => {
    if (updated.has(svc.name)) return [];
    const set = [same(svc.update) ? "" : "update", same(svc.rollback) ? "" : "rollback"].filter((k) => k !== "");
    if (set.length === 0) return [];
    const them = set.length > 1 ? "they pace" : "it paces";
    return [`services[${svc.name}].${set.join(" and ")} ${set.length > 1 ? "change" : "changes"} nothing in this run: no rollingUpdate event updates ${svc.name} (${them} the rollout of one: add a rollingUpdate event to try ${set.length > 1 ? "them" : "it"})`];
  });
}

/** Managers take the zones in turn: zones past the managers' count hold none of them. */
function idleZones(s: Scenario): string[] {
  const m = s.cluster.managers;
  const used = new Set(managerZones(m));
  const idle = [...new Set(m.zones)].filter((z) => !used.has(z));
  if (idle.length === 0 || m.count === 0) return [];
  const managers = m.count === 1 ? "the one manager takes the first zone" : `the ${m.count} managers take the first ${m.count} in turn`;
  return [`cluster.managers.zones: ${idle.join(", ")} ${idle.length > 1 ? "change" : "changes"} nothing: ${managers}`];
}

/**
 * A declared network no service attaches to carries nothing and holds no address (ingress is
 * every node's). It still has its networks.csv rows, and its VNI and default subnet in the
 * declaration order, so the note does not say it changes nothing.
 */
function unusedNetworks(s: Scenario): string[] {
  const attached = new Set(s.services.flatMap((svc) => svc.networks));
  return s.networks
    .filter((n) => n.name !== INGRESS_NETWORK && !n.attachable && !attached.has(n.name))
    .map((n) => `networks[${n.name}]: no service attaches to it, so it carries no traffic and holds no address`);
}

/**
 * What an event (its first strike) or an autoscaler would do at or after the run's end: a
 * recovery, a restart, a partition's heal, the top of a ramp, an autoscaler's first look. The
 * run shows none of it: a fault's strike or recovery in the end's instant comes after the last
 * window (injections.ts strikeAt); an autoscaler's look, an ordinary event, does not, so only an
 * interval past the end is said.
 */
function afterTheEnd(s: Scenario): string[] {
  const endUs = s.durationUs;
  const end = `the run's end (duration ${formatDurationUs(endUs)})`;
  const late = (e: Scenario["events"][number], field: string, afterUs: number, then: string): string[] =>
    afterUs > 0 && e.atUs + afterUs >= endUs ? [`the ${e.action.type} at ${formatDurationUs(e.atUs)}: its ${field} (${formatDurationUs(afterUs)}) reaches past ${end}, so ${then}`] : [];
  const events = s.events.flatMap((e) => {
    const a = e.action;
    switch (a.type) {
      case "nodeFailure":
        return late(e, "recoverAfter", a.recoverAfterUs, "its nodes never come back in the run");
      case "killLeader":
      case "killManager":
        return late(e, "restartAfter", a.restartAfterUs, "the manager never restarts in the run");
      case "partition":
        return late(e, "duration", a.durationUs, "it never heals in the run");
      case "loadSpike":
        return late(e, "ramp", a.rampUs, `the spike never reaches its full rise (to ${a.ratePerS}/s) in the run`);
      default:
        return [];
    }
  });
  const autoscalers = s.services.flatMap((svc) =>
    svc.autoscale !== null && svc.autoscale.intervalUs > endUs ? [`services[${svc.name}].autoscale never scales in the run: its first look at the CPU comes after its interval (${formatDurationUs(svc.autoscale.intervalUs)}), past ${end} (its min still sets the replicas it starts with, when replicas is not given)`] : [],
  );
  return [...events, ...autoscalers];
}
