import type { Simulation, RandomStream } from "../kernel/index.js";
import type { Container, Downstream } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import { pathOf, type Fabric } from "../network/fabric.js";
import type { ServiceMeter } from "../metrics/windows.js";
import type { Request } from "./client.js";
import type { ServiceBackends } from "./load-balancer.js";

/** How one service is reached by the others. */
export interface CalledService {
  backends: ServiceBackends<Request>;
  meter: ServiceMeter;
  /** vip: IPVS on the caller's node, round-robin; dnsrr: the caller picks any task. */
  endpointMode: "vip" | "dnsrr";
  requestDelayUs: readonly [number, number, number];
  responseDelayUs: readonly [number, number, number];
}

/**
 * Service-to-service calls (`request.calls`): a container serving a request calls another
 * service through its VIP (IPVS on the caller's own node, round-robin) or, with dnsrr, a task
 * it picks itself. The call crosses the overlay, queues and is served like any request of that
 * service (and counts in its metrics), and comes back.
 * SIMPLIFICATION: dnsrr picks uniformly among the current backends; DNS answers are not cached
 * for their TTL.
 */
export class ServiceCalls implements Downstream<Request> {
  constructor(
    private readonly sim: Simulation,
    private readonly fabric: Fabric,
    private readonly hosts: readonly Host<Request>[],
    private readonly services: readonly CalledService[],
    private readonly rng: RandomStream,
  ) {}

  call(from: Container<Request>, service: number, done: (ok: boolean) => void): void {
    const s = this.services[service]!;
    s.meter.arrive();
    const startUs = this.sim.now();
    const target = s.endpointMode === "vip" ? s.backends.pick(from.nodeIndex) : s.backends.any(this.rng);
    if (!target) {
      this.fail(s, done);
      return;
    }
    const caller = this.hosts[from.nodeIndex]!;
    const callee = this.hosts[target.nodeIndex]!;
    const sub = {
      workUs: 0,
      job: null,
      probe: { presetWork: false, probeDone: (ok: boolean) => this.answered(s, caller, callee, startUs, ok, done) },
    } as unknown as Request;
    this.sim.after(s.requestDelayUs[pathOf(caller, callee)], () => {
      if (this.fabric.reachable(caller, callee)) target.accept(sub);
      else this.fail(s, done);
    });
  }

  private answered(s: CalledService, caller: Host<Request>, callee: Host<Request>, startUs: number, ok: boolean, done: (ok: boolean) => void): void {
    if (!ok || !this.fabric.reachable(callee, caller)) {
      this.fail(s, done);
      return;
    }
    this.sim.after(s.responseDelayUs[pathOf(callee, caller)], () => {
      s.meter.complete(this.sim.now() - startUs);
      done(true);
    });
  }

  private fail(s: CalledService, done: (ok: boolean) => void): void {
    s.meter.error("errors");
    done(false);
  }
}
