import type { Simulation, RandomStream, ScheduledEvent } from "../kernel/index.js";
import type { ServiceSpec, WorkloadSpec } from "../scenario/types.js";
import type { Container, ContainerCallbacks, ContainerRequest } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import { ConnectionPool, forgottenByIpvs, newBackend, type Channel, type Connection, type DataPlane, type IngressEntry, type Parcel, type ServiceEndpoints } from "../network/index.js";
import type { RateProfile } from "./rate-profile.js";

/** Where request outcomes are counted (the metrics recorder). */
export interface RequestSink {
  arrived(service: number): void;
  completed(service: number, latencyUs: number): void;
  failed(service: number, kind: "error" | "timeout" | "rejected"): void;
}

/**
 * One attempt of a user's request. A retry is a new attempt; the abandoned one may still be served.
 * As a parcel it goes `from` its entry node `to` its backend's node; its answer goes back, the
 * two swapped.
 */
export interface Request extends ContainerRequest, Parcel {
  flow: Flow;
  from: Host<Request>;
  to: Host<Request>;
  target: Container<Request>;
  /** The connection it went out on, when the workload keeps connections (reuse > 1). */
  conn: Connection<Container<Request>> | null;
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
  /** The external load balancer in front of the published port. */
  entry: IngressEntry<Host<Request>>;
  /** ingress: the routing mesh balances; host: only a node running a task accepts the port. */
  mode: "ingress" | "host";
  /** The service on the routing mesh: each entry node's IPVS table. */
  mesh: ServiceEndpoints<Container<Request>>;
  /** Idle connections, when some version of the service keeps them (request.connection.reuse > 1). */
  pool: ConnectionPool<Container<Request>> | null;
  /** The channels for the service's spec a request's container runs (sizes change with updates). */
  channels: FlowChannels;
  /** Channels by spec, made on first use. */
  channelsBySpec: Map<ServiceSpec, FlowChannels>;
  net: number;
  /** The exact (fractional) time of the next arrival; the event fires at its ceiling. */
  nextArrivalUs: number;
  /** Each workload draws from a stream of its own, so changing one never moves another's numbers. */
  arrivalRng: RandomStream;
  /** Attempts in start order, for the timeouts; settled ones are skipped when they reach the head. */
  outstanding: Request[];
  outstandingHead: number;
  timeoutTimer: ScheduledEvent | null;
}

/** How a flow's requests and answers to containers of one spec travel. */
export interface FlowChannels {
  spec: ServiceSpec;
  request: Channel<Request>;
  response: Channel<Request>;
}

/**
 * External clients: arrivals from each workload's rate profile enter the cluster at a node
 * chosen by the external load balancer. With an ingress port, IPVS on that node picks a backend
 * (routing mesh) and the request crosses the ingress overlay to it and back through the entry
 * node; with a host-mode port, the node serves it only if it runs a task of the service. A
 * client gives up on an attempt after `timeout` and, with `retries`, tries again after a backoff
 * that doubles each time; the abandoned attempt still occupies the server (it does not know),
 * which is how retry storms build.
 * SIMPLIFICATION: the client's own network path to the entry node is not modelled; latency is
 * measured from the entry node's view.
 */
export class Clients implements ContainerCallbacks<Request> {
  private readonly arriveFn = (flow: Flow): void => this.arrive(flow);
  private readonly timeoutFn = (flow: Flow): void => this.expire(flow);

  constructor(
    private readonly sim: Simulation,
    private readonly net: DataPlane<Container<Request>>,
    private readonly hosts: readonly Host<Request>[],
    private readonly sink: RequestSink,
  ) {}

  /**
   * A workload at run time, over the service's published port: through the routing mesh on the
   * ingress network, or straight to the node's host-mode port (the hosts' own network).
   */
  flow(o: Pick<Flow, "spec" | "serviceIndex" | "profile" | "entry" | "mode" | "arrivalRng">, first: ServiceSpec, pooled: boolean, ingressNet: number): Flow {
    const net = o.mode === "ingress" ? ingressNet : -1;
    const channels = this.channelsFor(net, first);
    // Every field written out (no spread): the hot path reads flows, and a literal gives V8 one fixed shape.
    return {
      spec: o.spec,
      serviceIndex: o.serviceIndex,
      profile: o.profile,
      entry: o.entry,
      mode: o.mode,
      mesh: this.net.routing.ingress(o.serviceIndex),
      pool: pooled ? new ConnectionPool<Container<Request>>() : null,
      channels,
      channelsBySpec: new Map([[first, channels]]),
      net,
      nextArrivalUs: 0,
      arrivalRng: o.arrivalRng,
      outstanding: [],
      outstandingHead: 0,
      timeoutTimer: null,
    };
  }

  private channelsFor(net: number, spec: ServiceSpec): FlowChannels {
    const lost = (r: Request): void => this.lost(r);
    return {
      spec,
      request: this.net.channel<Request>(net, spec.request.requestBytes, (r) => !r.abandoned && r.target.accept(r), lost),
      response: this.net.channel<Request>(net, spec.request.responseBytes, (r) => this.answered(r, this.sim.now()), lost),
    };
  }

  /**
   * The channels to a container of `spec`, when they are not the last ones used (there is one
   * spec until an update: callers compare with `flow.channels.spec` first, inline).
   */
  private channelsTo(flow: Flow, spec: ServiceSpec): FlowChannels {
    let ch = flow.channelsBySpec.get(spec);
    if (!ch) flow.channelsBySpec.set(spec, (ch = this.channelsFor(flow.net, spec)));
    flow.channels = ch;
    return ch;
  }

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
    const now = this.sim.now();
    let entry: Host<Request> | null;
    let target: Container<Request> | null = null;
    /** The target's node, when the pick said it (else read from the target). */
    let toIndex = -1;
    let conn = flow.pool ? this.kept(flow.pool) : null;
    if (conn) {
      entry = this.hosts[conn.entry]!;
      target = conn.backend.container;
    } else {
      // A new connection: the external balancer picks the node, then the mesh (or the host port)
      // a backend. By index: on a big cluster each of these reads is a cache miss, and reading
      // the entry node and the pick's container and node side by side, rather than each through
      // the one before, waits for fewer of them in turn.
      const at = flow.entry.nextIndex();
      entry = at < 0 ? null : this.hosts[at]!;
      if (entry !== null && !entry.up) {
        this.hang(flow, firstStartUs, attempt);
        return;
      }
      if (at >= 0 && flow.mode === "ingress") {
        const place = flow.mesh.pickPlace(at, now);
        if (place >= 0) {
          target = flow.mesh.containerAt(place);
          toIndex = flow.mesh.nodeAt(place);
        }
      } else if (at >= 0) target = this.net.routing.hostMode(flow.serviceIndex, at);
      // The connection is kept for the requests after this one, when the workload keeps them.
      if (flow.pool && target) conn = this.opened(flow, entry!, target, now);
    }
    if (!entry || !target) {
      // No node to enter by, no backend in its table, or a host-mode port no task holds there: refused.
      this.retryOrFail(flow, firstStartUs, attempt, "error");
      return;
    }
    const to = this.hosts[toIndex < 0 ? target.nodeIndex : toIndex]!;
    const req: Request = { flow, from: entry, to, target, conn, firstStartUs, attemptStartUs: now, attempt, abandoned: false, workUs: 0, job: null };
    if (flow.spec.timeoutUs > 0) this.watch(flow, req);
    if (conn && forgottenByIpvs(conn, now)) this.lost(req); // IPVS dropped it: it hangs
    else this.net.delivery.send((flow.channels.spec === target.spec ? flow.channels : this.channelsTo(flow, target.spec)).request, req);
  }

  /** A new kept-alive connection, entering at `entry`, to `container`. */
  private opened(flow: Flow, entry: Host<Request>, container: Container<Request>, nowUs: number): Connection<Container<Request>> {
    const backend = newBackend(container, container.nodeIndex);
    return { backend, entry: entry.index, left: container.spec.request.connection.reuse, lastUsedUs: nowUs, viaIpvs: flow.mode === "ingress" };
  }

  /**
   * The balancer sent a new connection to a node that is down, which only a health-checking
   * balancer does (mesh.ts): its SYN gets no answer, so the attempt hangs until the client's
   * timeout, as a lost one does (at once without a timeout: it cannot wait for ever). It holds
   * no container, so it is timed on its own rather than in the flow's queue.
   */
  private hang(flow: Flow, firstStartUs: number, attempt: number): void {
    if (flow.spec.timeoutUs <= 0) this.retryOrFail(flow, firstStartUs, attempt, "error");
    else this.sim.after(flow.spec.timeoutUs, () => this.retryOrFail(flow, firstStartUs, attempt, "timeout"));
  }

  /** An idle connection that is still open. (Apart from attempt(): a closure there would cost every request a context.) */
  private kept(pool: ConnectionPool<Container<Request>>): Connection<Container<Request>> | null {
    return pool.take((c) => this.open(c));
  }

  /** An idle connection is closed once its container stopped on a live node (the client got the FIN); a dead node's hangs. */
  private open(c: Connection<Container<Request>>): boolean {
    return !c.backend.container.stopped || !this.hosts[c.backend.nodeIndex]!.up;
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
    compact(flow);
  }

  /**
   * Settled attempts at the head of the queue leave it at once: answers come back roughly in
   * start order, so the queue holds about the attempts in flight, not a whole timeout's worth.
   * (A request held for its whole timeout outlives the young generation, and V8's GC then
   * copies and promotes every one of them.)
   */
  private trim(flow: Flow): void {
    const q = flow.outstanding;
    let head = flow.outstandingHead;
    if (head >= q.length || !q[head]!.abandoned) return;
    do q[head++] = undefined as unknown as Request;
    while (head < q.length && q[head]!.abandoned);
    flow.outstandingHead = head;
    compact(flow);
  }

  /**
   * Nothing will answer this attempt (its backend is down or cut off, or the answer falls into
   * the MTU black hole): the client notices at its timeout, which is already watched, or at once
   * without a timeout (it cannot wait forever).
   */
  lost(req: Request): void {
    if (req.flow.spec.timeoutUs <= 0 && !req.abandoned) this.settle(req, "error");
  }

  completed(req: Request, container: Container<Request>): void {
    if (req.abandoned) return;
    const flow = req.flow;
    const from = this.hosts[container.nodeIndex]!;
    const entry = req.from; // the request's leg is not swapped yet
    if (!this.net.fabric.reachable(from, entry)) {
      this.lost(req);
      return;
    }
    const response = (flow.channels.spec === container.spec ? flow.channels : this.channelsTo(flow, container.spec)).response;
    const delayUs = this.net.delivery.fastDelayUs(response, from, entry);
    if (delayUs < 0) {
      req.from = from;
      req.to = entry;
      this.net.delivery.send(response, req);
      return;
    }
    // A small answer on quiet links: its arrival time is known now, so no event is needed.
    const backUs = this.sim.now() + delayUs;
    const timeoutUs = flow.spec.timeoutUs;
    // If it lands after the deadline, the client has given up.
    if (timeoutUs > 0 && backUs - req.attemptStartUs > timeoutUs) return;
    this.answered(req, backUs);
  }

  private answered(req: Request, atUs: number): void {
    if (req.abandoned) return;
    req.abandoned = true;
    this.sink.completed(req.flow.serviceIndex, atUs - req.firstStartUs);
    if (req.conn) req.flow.pool!.release(req.conn, atUs);
    if (req.flow.spec.timeoutUs > 0) this.trim(req.flow);
  }

  dropped(req: Request, _container: Container<Request>, why: "rejected" | "stopped" | "lost"): void {
    if (req.abandoned) return;
    if (why === "lost") this.lost(req);
    else this.settle(req, why === "rejected" ? "rejected" : "error");
  }

  /** This attempt failed: abandon it (and its connection), then retry if the client may, else count the failure. */
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
    this.retryLater(flow, firstStartUs, attempt + 1, retries.backoffUs * 2 ** attempt);
  }

  private retryLater(flow: Flow, firstStartUs: number, attempt: number, backoffUs: number): void {
    this.sim.after(backoffUs, () => this.attempt(flow, firstStartUs, attempt));
  }
}

/** Drops the queue's consumed prefix now and then, so that it does not grow without bound. */
function compact(flow: Flow): void {
  if (flow.outstandingHead > 4096 && flow.outstandingHead * 2 > flow.outstanding.length) {
    flow.outstanding.splice(0, flow.outstandingHead);
    flow.outstandingHead = 0;
  }
}
