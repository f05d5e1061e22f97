// The users' traffic: one flow per workload, from the run's t = 0, each with its rate profile
// (the workload's rate and its load spikes), its entry into the cluster and its arrival stream.

import type { Spike } from "../workload/rate-profile.js";
import { RateProfile } from "../workload/rate-profile.js";
import type { Flow } from "../workload/client.js";
import { IngressEntry } from "../network/index.js";
import type { PortSpec, ServiceSpec, WorkloadSpec } from "../scenario/types.js";
import { firingTimeUs } from "./injections.js";
import type { World } from "./world.js";

/** Starts every workload's arrivals from now; the flows, in the scenario's order. */
export function startWorkloads(world: World): Flow[] {
  const ingress = world.net.overlays.findIndex((n) => n.ingress);
  return world.scenario.workload.map((spec) => {
    const si = world.serviceIndex(spec.service);
    const service = world.scenario.services[si]!;
    const flow: Flow = world.clients.flow(
      {
        spec,
        serviceIndex: si,
        profile: new RateProfile(spec.ratePerS, spikesOf(world, spec.name)),
        entry: new IngressEntry(spec, world.hosts, world.rng.stream(`workload/${spec.name}/entry`)),
        // The workload reaches the service through the port it names, else the first published.
        mode: workloadPort(service, spec)!.mode,
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
