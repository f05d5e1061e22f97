import type { Simulation, RandomStream, ScheduledEvent } from "../kernel/index.js";
import type { WorkloadSpec } from "../scenario/types.js";
import type { Container, ContainerCallbacks, ContainerRequest } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import { pathOf, type Fabric } from "../network/fabric.js";
import type { ServiceBackends } from "./load-balancer.js";
import type { RateProfile } from "./rate-profile.js";

/** Where request outcomes are counted (the metrics recorder). */
export interface RequestSink {
  arrived(service: number): void;
  completed(service: number, latencyUs: number): void;
  failed(service: number, kind: "error" | "timeout" | "rejected"): void;
}

/** One attempt of a user's request. A retry is a new attempt; the abandoned one may still be served. */
export interface Request extends ContainerRequest {
  flow: Flow;
  entry: Host<Request>;
  target: Container<Request>;
  /** When the user's request began (its first attempt): latency is measured from here. */
  firstStartUs: number;
  attemptStartUs: number;
  attempt: number;
  /** The client's timer for this attempt (only when it may retry). */
  timer: ScheduledEvent | null;
  /** The client gave up on this attempt: whatever happens to it now is not counted. */
  abandoned: boolean;
}

/** One workload of the scenario at run time. */
export interface Flow {
  spec: WorkloadSpec;
  serviceIndex: number;
  profile: RateProfile;
  backends: ServiceBackends<Request>;
  /** One-way delays of a request and of its response, by path (see Fabric.delayTable). */
  requestDelayUs: readonly [number, number, number];
  responseDelayUs: readonly [number, number, number];
  rrEntry: number;
  /** The exact (fractional) time of the next arrival; the event fires at its ceiling. */
  nextArrivalUs: number;
  /** Each workload draws from streams of its own, so changing one never moves another's numbers. */
  arrivalRng: RandomStream;
  entryRng: RandomStream;
}

/**
 * External clients: arrivals from each workload's rate profile enter the cluster at a node
 * (ingress routing mesh: every node listens on the published port), IPVS on that node picks a
 * backend round-robin, and the request crosses the overlay to it and back. A client gives up
 * on an attempt after `timeout` and, with `retries`, tries again after a backoff that doubles
 * each time; the abandoned attempt still occupies the server (it does not know), which is how
 * retry storms build.
 * SIMPLIFICATION: the client's own network path to the entry node is not modelled; latency is
 * measured from the entry node's view.
 */
export class Clients implements ContainerCallbacks<Request> {
  private readonly deliverFn = (req: Request): void => this.deliver(req);
  private readonly arriveFn = (flow: Flow): void => this.arrive(flow);
  private readonly timeoutFn = (req: Request): void => this.timedOut(req);

  /** Hosts that are up, in host order; rebuilt when one goes down or comes back. */
  private live: Host<Request>[] | null = null;

  constructor(
    private readonly sim: Simulation,
    private readonly fabric: Fabric,
    private readonly hosts: readonly Host<Request>[],
    private readonly sink: RequestSink,
  ) {}

  /** Starts the flow's arrivals at `fromUs` (its rate profile is on the same absolute clock). */
  start(flow: Flow, fromUs: number): void {
    this.scheduleNext(flow, fromUs);
  }

  private scheduleNext(flow: Flow, fromUs: number): void {
    const area = flow.spec.arrival === "poisson" ? -Math.log(1 - flow.arrivalRng.next()) : 1;
    const t = flow.profile.advance(fromUs, area);
    if (t === Infinity) return;
    flow.nextArrivalUs = t;
    this.sim.at(Math.max(Math.ceil(t), this.sim.now()), this.arriveFn, flow);
  }

  private arrive(flow: Flow): void {
    this.scheduleNext(flow, flow.nextArrivalUs);
    this.sink.arrived(flow.serviceIndex);
    this.attempt(flow, this.sim.now(), 0);
  }

  private attempt(flow: Flow, firstStartUs: number, attempt: number): void {
    const entry = this.entryNode(flow);
    const backend = entry ? flow.backends.pick(entry.index) : null;
    if (!entry || !backend) {
      this.retryOrFail(flow, firstStartUs, attempt, "error");
      return;
    }
    const now = this.sim.now();
    const req: Request = { flow, entry, target: backend, firstStartUs, attemptStartUs: now, attempt, timer: null, abandoned: false, workUs: 0, job: null };
    this.sim.after(flow.requestDelayUs[pathOf(entry, this.hosts[backend.nodeIndex]!)], this.deliverFn, req);
    // Without retries the outcome is decided when the response comes back; no timer needed.
    if (flow.spec.timeoutUs > 0 && attempt < flow.spec.retries.max) req.timer = this.sim.after(flow.spec.timeoutUs, this.timeoutFn, req);
  }

  private deliver(req: Request): void {
    if (req.abandoned) return;
    if (!this.fabric.reachable(req.entry, this.hosts[req.target.nodeIndex]!)) {
      this.lost(req);
      return;
    }
    req.target.accept(req);
  }

  /**
   * The request went to a backend that is down or cut off: nothing answers. The client notices
   * at its timeout (or at once, with no timeout: it cannot wait forever).
   */
  private lost(req: Request): void {
    if (req.timer) return;
    const timeoutUs = req.flow.spec.timeoutUs;
    if (timeoutUs <= 0) this.settle(req, "error");
    else req.timer = this.sim.at(Math.max(this.sim.now(), req.attemptStartUs + timeoutUs), this.timeoutFn, req);
  }

  completed(req: Request, container: Container<Request>): void {
    if (req.abandoned) return;
    const flow = req.flow;
    const backUs = this.sim.now() + flow.responseDelayUs[pathOf(this.hosts[container.nodeIndex]!, req.entry)];
    const timeoutUs = flow.spec.timeoutUs;
    if (timeoutUs > 0 && backUs - req.attemptStartUs > timeoutUs) {
      this.settle(req, "timeout");
      return;
    }
    this.sim.cancel(req.timer);
    this.sink.completed(flow.serviceIndex, backUs - req.firstStartUs);
  }

  dropped(req: Request, _container: Container<Request>, why: "rejected" | "stopped"): void {
    if (req.abandoned) return;
    this.settle(req, why === "rejected" ? "rejected" : "error");
  }

  private timedOut(req: Request): void {
    req.timer = null;
    if (req.abandoned) return;
    this.settle(req, "timeout");
  }

  /** This attempt failed: abandon it, then retry if the client may, else count the failure. */
  private settle(req: Request, kind: "error" | "timeout" | "rejected"): void {
    req.abandoned = true;
    this.sim.cancel(req.timer);
    req.timer = null;
    this.retryOrFail(req.flow, req.firstStartUs, req.attempt, kind);
  }

  private retryOrFail(flow: Flow, firstStartUs: number, attempt: number, kind: "error" | "timeout" | "rejected"): void {
    const retries = flow.spec.retries;
    if (attempt >= retries.max) {
      this.sink.failed(flow.serviceIndex, kind);
      return;
    }
    const backoffUs = retries.backoffUs * 2 ** attempt;
    this.sim.after(backoffUs, () => this.attempt(flow, firstStartUs, attempt + 1));
  }

  /** A host came up, went down, joined or left: the live list is rebuilt on next use. */
  hostsChanged(): void {
    this.live = null;
  }

  /** Where the request enters the routing mesh: any live node (uniformly or in turn), or a named one. */
  private entryNode(flow: Flow): Host<Request> | null {
    const e = flow.spec.entry;
    if (e.kind === "node") return this.hosts.find((h) => h.name === e.node && h.up) ?? null;
    const live = (this.live ??= this.hosts.filter((h) => h.up));
    if (live.length === 0) return null;
    const i = e.kind === "random-node" ? flow.entryRng.int(live.length) : flow.rrEntry++ % live.length;
    return live[i]!;
  }
}
