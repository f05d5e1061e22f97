import type { Simulation, RandomStream } from "../kernel/index.js";
import type { Container, Downstream, DownstreamCall } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import { pathOf, type Fabric } from "../network/fabric.js";
import type { ErrorKind, ServiceMeter } from "../metrics/windows.js";
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
 * service (and counts in its metrics: a refused call as rejected, one the caller gave up on as
 * a timeout), and comes back. A call to a dead or cut-off backend gets no answer: the caller
 * waits for its timeout, holding its worker, as a real one does.
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

  call(from: Container<Request>, call: DownstreamCall, done: (ok: boolean) => void): void {
    const s = this.services[call.service]!;
    s.meter.arrive();
    const startUs = this.sim.now();
    let settled = false;
    const finish = (ok: boolean, kind: ErrorKind): void => {
      if (settled) return;
      settled = true;
      this.sim.cancel(timer);
      if (ok) s.meter.complete(this.sim.now() - startUs);
      else s.meter.error(kind);
      done(ok);
    };
    const timer = this.sim.after(call.timeoutUs, () => finish(false, "timeouts"));
    const target = s.endpointMode === "vip" ? s.backends.pick(from.nodeIndex) : s.backends.any(this.rng);
    if (!target) {
      finish(false, "errors");
      return;
    }
    const caller = this.hosts[from.nodeIndex]!;
    const callee = this.hosts[target.nodeIndex]!;
    const sub = {
      workUs: 0,
      job: null,
      probe: {
        presetWork: false,
        probeDone: (ok: boolean, why?: "rejected" | "stopped" | "lost") => {
          if (!ok) {
            if (why !== "lost") finish(false, why === "rejected" ? "rejected" : "errors");
            return;
          }
          if (!this.fabric.reachable(callee, caller)) return; // the answer is lost: timeout
          this.sim.after(s.responseDelayUs[pathOf(callee, caller)], () => finish(true, "errors"));
        },
      },
    } as unknown as Request;
    this.sim.after(s.requestDelayUs[pathOf(caller, callee)], () => {
      if (!settled && this.fabric.reachable(caller, callee)) target.accept(sub);
    });
  }
}
