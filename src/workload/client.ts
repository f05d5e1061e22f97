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
  /** The attempt has an outcome (answered, failed or timed out): later news of it is ignored. */
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
  /** The named entry node (`entry: node:<name>`), resolved once; null for the other kinds. */
  entryHost: Host<Request> | null;
  /** The exact (fractional) time of the next arrival; the event fires at its ceiling. */
  nextArrivalUs: number;
  /** Each workload draws from streams of its own, so changing one never moves another's numbers. */
  arrivalRng: RandomStream;
  entryRng: RandomStream;
  /** Attempts in start order, for the timeouts; settled ones are skipped when they reach the head. */
  outstanding: Request[];
  outstandingHead: number;
  timeoutTimer: ScheduledEvent | null;
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
  private readonly timeoutFn = (flow: Flow): void => this.expire(flow);

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
    const req: Request = { flow, entry, target: backend, firstStartUs, attemptStartUs: now, attempt, abandoned: false, workUs: 0, job: null };
    this.sim.after(flow.requestDelayUs[pathOf(entry, this.hosts[backend.nodeIndex]!)], this.deliverFn, req);
    if (flow.spec.timeoutUs > 0) this.watch(flow, req);
  }

  /**
   * Every attempt of a flow has the same timeout, so they expire in the order they started: one
   * queue and one timer per flow (for its oldest open attempt) replace a timer per request.
   */
  private watch(flow: Flow, req: Request): void {
    flow.outstanding.push(req);
    if (flow.timeoutTimer === null) flow.timeoutTimer = this.sim.at(req.attemptStartUs + flow.spec.timeoutUs, this.timeoutFn, flow);
  }

  private expire(flow: Flow): void {
    flow.timeoutTimer = null;
    const q = flow.outstanding;
    const now = this.sim.now();
    while (flow.outstandingHead < q.length) {
      const req = q[flow.outstandingHead]!;
      if (!req.abandoned) {
        const deadline = req.attemptStartUs + flow.spec.timeoutUs;
        if (deadline > now) {
          flow.timeoutTimer = this.sim.at(deadline, this.timeoutFn, flow);
          break;
        }
        this.settle(req, "timeout");
      }
      q[flow.outstandingHead++] = undefined as unknown as Request;
    }
    // Drop the consumed prefix now and then, so the queue does not grow without bound.
    if (flow.outstandingHead > 4096 && flow.outstandingHead * 2 > q.length) {
      q.splice(0, flow.outstandingHead);
      flow.outstandingHead = 0;
    }
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
   * Nothing will answer this attempt (its backend is down or cut off): the client notices at its
   * timeout, which is already watched, or at once without a timeout (it cannot wait forever).
   */
  private lost(req: Request): void {
    if (req.flow.spec.timeoutUs <= 0) this.settle(req, "error");
  }

  completed(req: Request, container: Container<Request>): void {
    if (req.abandoned) return;
    const flow = req.flow;
    const from = this.hosts[container.nodeIndex]!;
    if (!this.fabric.reachable(from, req.entry)) {
      this.lost(req);
      return;
    }
    const backUs = this.sim.now() + flow.responseDelayUs[pathOf(from, req.entry)];
    const timeoutUs = flow.spec.timeoutUs;
    // The response is on its way; if it lands after the deadline, the client has given up.
    if (timeoutUs > 0 && backUs - req.attemptStartUs > timeoutUs) return;
    req.abandoned = true;
    this.sink.completed(flow.serviceIndex, backUs - req.firstStartUs);
  }

  dropped(req: Request, _container: Container<Request>, why: "rejected" | "stopped" | "lost"): void {
    if (req.abandoned) return;
    if (why === "lost") this.lost(req);
    else this.settle(req, why === "rejected" ? "rejected" : "error");
  }

  /** This attempt failed: abandon it, then retry if the client may, else count the failure. */
  private settle(req: Request, kind: "error" | "timeout" | "rejected"): void {
    req.abandoned = true;
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
    if (e.kind === "node") {
      // A node that an addNodes event creates later is looked up until it exists.
      flow.entryHost ??= this.hosts.find((h) => h.name === e.node) ?? null;
      return flow.entryHost?.up ? flow.entryHost : null;
    }
    const live = (this.live ??= this.hosts.filter((h) => h.up));
    if (live.length === 0) return null;
    const i = e.kind === "random-node" ? flow.entryRng.int(live.length) : flow.rrEntry++ % live.length;
    return live[i]!;
  }
}
