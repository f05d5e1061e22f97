// The users' traffic: one flow per workload, from the run's t = 0, each with its rate profile
// (the workload's rate and its load spikes), its entry into the cluster and its arrival stream.

import type { Spike } from "../workload/rate-profile.js";
import { RateProfile } from "../workload/rate-profile.js";
import type { Flow, Request } from "../workload/client.js";
import { EntryHealthchecks, IngressEntry } from "../network/index.js";
import type { Host } from "../cluster/host.js";
import type { PortSpec, ServiceSpec, WorkloadSpec } from "../scenario/types.js";
import { firingTimeUs } from "./injections.js";
import type { World } from "./world.js";

/** Starts every workload's arrivals from now; the flows, in the scenario's order. */
export function startWorkloads(world: World): Flow[] {
  const ingress = world.net.overlays.findIndex((n) => n.ingress);
  return world.scenario.workload.map((spec) => {
    const si = world.serviceIndex(spec.service);
    const service = world.scenario.services[si]!;
    // The workload reaches the service through the port it names, else the first published.
    const mode = workloadPort(service, spec)!.mode;
    const flow: Flow = world.clients.flow(
      {
        spec,
        serviceIndex: si,
        profile: new RateProfile(spec.ratePerS, spikesOf(world, spec.name)),
        entry: new IngressEntry(spec, world.hosts, world.rng.stream(`workload/${spec.name}/entry`), entryChecks(world, spec, si, mode)),
        mode,
        arrivalRng: world.rng.stream(`workload/${spec.name}/arrivals`),
      },
      service,
      world.specsOf(service.name).some((s) => s.request.connection.reuse > 1),
      ingress,
    );
    world.clients.start(flow, world.originUs);
    return flow;
  });
}

/**
 * The balancer's health checks of the workload's entry nodes, when it has them. A probe passes on
 * a node that is up, and, for a host-mode port, that runs a task holding the port (a TCP or
 * HTTP check there gets a refusal otherwise); on the routing mesh every live node answers.
 * The phases come from a stream of their own, so no other stream's numbers move.
 */
function entryChecks(world: World, spec: WorkloadSpec, service: number, mode: "ingress" | "host"): EntryHealthchecks<Host<Request>> | null {
  if (!spec.entryHealthcheck) return null;
  const key = world.rng.stream(`workload/${spec.name}/entry-check`).int(2 ** 32);
  const routing = world.net.routing;
  const passes = mode === "ingress" ? (h: Host<Request>) => h.up : (h: Host<Request>) => h.up && routing.hostMode(service, h.index) !== null;
  const report = (h: Host<Request>, inService: boolean): void => world.recorder.emit({ kind: "balancer", workload: spec.name, node: h.name, state: inService ? "in" : "out" });
  return new EntryHealthchecks(world.sim, spec.entryHealthcheck, key, passes, report);
}

/** The workload's load spikes, each repetition of each event, on the absolute clock. */
function spikesOf(world: World, workload: string): Spike[] {
  const spikes: Spike[] = [];
  for (const ev of world.scenario.events) {
    const a = ev.action;
    if (a.type !== "loadSpike" || a.workload !== workload) continue;
    for (let k = 0, atUs = firingTimeUs(world, ev, 0); atUs !== null; atUs = firingTimeUs(world, ev, ++k)) {
      spikes.push({ atUs, ratePerS: a.ratePerS, holdUs: a.durationUs === 0 ? Infinity : a.durationUs, rampUs: a.rampUs });
    }
  }
  return spikes;
}

/** The port a workload reaches its service by: the published port it names, else the service's first. */
export function workloadPort(service: ServiceSpec, w: WorkloadSpec): PortSpec | undefined {
  return service.ports.find((p) => p.published === w.port) ?? service.ports[0];
}
