import type { Simulation, RandomStream } from "../kernel/index.js";
import type { WorkloadSpec } from "../scenario/types.js";
import type { Container, ContainerCallbacks, ContainerRequest } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import type { Fabric } from "../network/fabric.js";
import { overlayWireBytes } from "../network/overlay.js";
import type { ServiceBackends } from "./load-balancer.js";
import type { RateProfile } from "./rate-profile.js";

/** Where request outcomes are counted (the metrics recorder). */
export interface RequestSink {
  arrived(service: number): void;
  completed(service: number, latencyUs: number): void;
  failed(service: number, kind: "error" | "timeout" | "rejected"): void;
}

export interface Request extends ContainerRequest {
  flow: Flow;
  entry: Host<Request>;
  target: Container<Request>;
  startUs: number;
}

/** One workload of the scenario at run time. */
export interface Flow {
  spec: WorkloadSpec;
  serviceIndex: number;
  profile: RateProfile;
  backends: ServiceBackends<Request>;
  requestBytes: number;
  responseBytes: number;
  rrEntry: number;
  /** The exact (fractional) time of the next arrival; the event fires at its ceiling. */
  nextArrivalUs: number;
}

/**
 * External clients: arrivals from each workload's rate profile enter the cluster at a node
 * (ingress routing mesh: every node listens on the published port), IPVS on that node picks a
 * backend round-robin, and the request crosses the overlay to it and back.
 * SIMPLIFICATION: the client's own network path to the entry node is not modelled; latency is
 * measured from the entry node's view.
 */
export class Clients implements ContainerCallbacks<Request> {
  private readonly deliverFn = (req: Request): void => this.deliver(req);
  private readonly arriveFn = (flow: Flow): void => this.arrive(flow);

  constructor(
    private readonly sim: Simulation,
    private readonly rng: RandomStream,
    private readonly fabric: Fabric,
    private readonly mtuBytes: number,
    private readonly hosts: readonly Host<Request>[],
    private readonly sink: RequestSink,
  ) {}

  /** Starts the flow's arrivals at `fromUs` (its rate profile is on the same absolute clock). */
  start(flow: Flow, fromUs: number): void {
    this.scheduleNext(flow, fromUs);
  }

  private scheduleNext(flow: Flow, fromUs: number): void {
    const area = flow.spec.arrival === "poisson" ? -Math.log(1 - this.rng.next()) : 1;
    const t = flow.profile.advance(fromUs, area);
    if (t === Infinity) return;
    flow.nextArrivalUs = t;
    this.sim.at(Math.max(Math.ceil(t), this.sim.now()), this.arriveFn, flow);
  }

  private arrive(flow: Flow): void {
    this.scheduleNext(flow, flow.nextArrivalUs);
    this.sink.arrived(flow.serviceIndex);
    const entry = this.entryNode(flow);
    const backend = entry ? flow.backends.pick(entry.index) : null;
    if (!entry || !backend) {
      this.sink.failed(flow.serviceIndex, "error");
      return;
    }
    const req: Request = { flow, entry, target: backend, startUs: this.sim.now(), workUs: 0, job: null };
    const to = this.hosts[backend.nodeIndex]!;
    const bytes = entry === to ? flow.requestBytes : overlayWireBytes(flow.requestBytes, this.mtuBytes);
    this.sim.after(this.fabric.delayUs(entry, to, bytes), this.deliverFn, req);
  }

  private deliver(req: Request): void {
    req.target.accept(req);
  }

  completed(req: Request, container: Container<Request>): void {
    const flow = req.flow;
    const from = this.hosts[container.nodeIndex]!;
    const bytes = from === req.entry ? flow.responseBytes : overlayWireBytes(flow.responseBytes, this.mtuBytes);
    const latencyUs = this.sim.now() + this.fabric.delayUs(from, req.entry, bytes) - req.startUs;
    const timeoutUs = flow.spec.timeoutUs;
    if (timeoutUs > 0 && latencyUs > timeoutUs) this.sink.failed(flow.serviceIndex, "timeout");
    else this.sink.completed(flow.serviceIndex, latencyUs);
  }

  dropped(req: Request, _container: Container<Request>, why: "rejected" | "stopped"): void {
    this.sink.failed(req.flow.serviceIndex, why === "rejected" ? "rejected" : "error");
  }

  private entryNode(flow: Flow): Host<Request> | null {
    const e = flow.spec.entry;
    if (e.kind === "node") return this.hosts.find((h) => h.name === e.node && h.up) ?? null;
    const n = this.hosts.length;
    for (let tries = 0; tries < n; tries++) {
      const i = e.kind === "random-node" ? this.rng.int(n) : flow.rrEntry++ % n;
      const h = this.hosts[i]!;
      if (h.up) return h;
    }
    return null;
  }
}
