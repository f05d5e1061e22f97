import type { Simulation, RandomStream } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import type { Container, ContainerRequest, Downstream, DownstreamCall } from "../cluster/container.js";
import type { Host } from "../cluster/host.js";
import { ConnectionPool, DnsCache, forgottenByIpvs, type Backend, type Channel, type Connection, type DataPlane, type Parcel } from "../network/index.js";
import type { ErrorKind, ServiceMeter } from "../metrics/windows.js";
import type { Request } from "./client.js";

type C = Container<Request>;

/** How one service is reached by the others. */
export interface CalledService {
  meter: ServiceMeter;
  /** vip: IPVS on the caller's node, per connection; dnsrr: the caller resolves and connects itself. */
  endpointMode: "vip" | "dnsrr";
  /** Some version of the service keeps connections (request.connection.reuse > 1). */
  pooled: boolean;
}

/** One call on its way: a request to the callee's container, answered back to the caller. */
interface Call extends ContainerRequest, Parcel {
  caller: Host<Request>;
  callee: Host<Request>;
  target: C;
  conn: Connection<C> | null;
  pool: ConnectionPool<C> | null;
  channels: CallChannels;
  /** Settles the call; false if it was already settled (the caller gave up first). */
  finish: (ok: boolean, kind: ErrorKind) => boolean;
}

interface CallChannels {
  request: Channel<Call>;
  response: Channel<Call>;
}

/**
 * Service-to-service calls (`request.calls`): a container serving a request calls another
 * service by name. The name resolves only on a network the two services share; then the call
 * goes through the service's VIP (IPVS on the caller's own node) or, with dnsrr, to the first
 * address of the caller's DNS answer (asked for each connection, or kept `dnsCache`). It crosses that overlay, queues and is served
 * like any request of the service (and counts in its metrics: a refused call as rejected, one
 * the caller gave up on as a timeout), and comes back. A call to a dead or cut-off backend gets
 * no answer: the caller waits for its timeout, holding its worker, as a real one does.
 */
export class ServiceCalls implements Downstream<Request> {
  private readonly channels = new Map<number, Map<ServiceSpec, CallChannels>>();
  private readonly pools = new WeakMap<C, (ConnectionPool<C> | undefined)[]>();
  private readonly dns = new WeakMap<C, (DnsCache<C> | undefined)[]>();

  constructor(
    private readonly sim: Simulation,
    private readonly net: DataPlane<C>,
    private readonly hosts: readonly Host<Request>[],
    private readonly services: readonly CalledService[],
    private readonly serviceIndex: ReadonlyMap<string, number>,
    private readonly rng: RandomStream,
  ) {}

  call(from: C, call: DownstreamCall, done: (ok: boolean) => void): void {
    const net = this.net.routing.sharedNetwork(this.serviceIndex.get(from.spec.name)!, call.service);
    if (net < 0) {
      // No network in common: the name does not resolve. The call never reaches the service,
      // so only the caller's request fails (and counts).
      done(false);
      return;
    }
    const s = this.services[call.service]!;
    s.meter.arrive();
    const startUs = this.sim.now();
    let settled = false;
    const finish = (ok: boolean, kind: ErrorKind): boolean => {
      if (settled) return false;
      settled = true;
      this.sim.cancel(timer);
      if (ok) s.meter.complete(this.sim.now() - startUs);
      else s.meter.error(kind);
      done(ok);
      return true;
    };
    const timer = this.sim.after(call.timeoutUs, () => finish(false, "timeouts"));
    const pool = s.pooled ? this.poolOf(from, call.service) : null;
    const conn = pool?.take((c) => this.open(c)) ?? this.connect(from, call, net, s);
    if (!conn) {
      finish(false, "errors"); // nothing to connect to, or every address refused
      return;
    }
    const caller = this.hosts[from.nodeIndex]!;
    const callee = this.hosts[conn.backend.nodeIndex]!;
    const c: Call = {
      workUs: 0, job: null, caller, callee, from: caller, to: callee,
      target: conn.backend.container, conn, pool, channels: this.channelsOf(net, conn.backend.container.spec), finish,
    };
    c.probe = { presetWork: false, probeDone: (ok, why) => this.served(c, ok, why) };
    if (forgottenByIpvs(conn, startUs)) return; // IPVS dropped the idle connection: the call hangs
    this.net.delivery.send(c.channels.request, c);
  }

  private served(c: Call, ok: boolean, why?: "rejected" | "stopped" | "lost"): void {
    if (ok) {
      c.from = c.callee;
      c.to = c.caller;
      this.net.delivery.send(c.channels.response, c);
    }
    else if (why !== "lost") c.finish(false, why === "rejected" ? "rejected" : "errors");
  }

  /** A new connection: IPVS on the caller's node picks behind the VIP, or the caller takes its DNS answer's first address that does not refuse. */
  private connect(from: C, call: DownstreamCall, net: number, s: CalledService): Connection<C> | null {
    const now = this.sim.now();
    const service = call.service;
    const node = from.nodeIndex;
    let backend: Backend<C> | null;
    if (s.endpointMode === "vip") backend = this.net.routing.vip(net, service, node);
    else {
      const cache = this.dnsOf(from, service);
      const answer = cache.lookup(now, call.dnsCacheUs, () => this.net.routing.dns(net, service, node), this.rng);
      backend = null;
      for (let tries = answer.length; tries > 0 && backend === null; tries--) {
        const first = answer[0]!;
        if (this.open({ backend: first } as Connection<C>)) backend = first;
        else cache.demote(first); // refused: its container is gone from a live node
      }
    }
    if (!backend) return null;
    return { backend, entry: node, left: backend.container.spec.request.connection.reuse, lastUsedUs: now, viaIpvs: s.endpointMode === "vip" };
  }

  /** A connection is closed once its container stopped on a live node; a dead node's hangs. */
  private open(c: Pick<Connection<C>, "backend">): boolean {
    return !c.backend.container.stopped || !this.hosts[c.backend.nodeIndex]!.up;
  }

  /** The channels to a container of `spec` over network `net` (sizes change with rolling updates). */
  private channelsOf(net: number, spec: ServiceSpec): CallChannels {
    let bySpec = this.channels.get(net);
    if (!bySpec) this.channels.set(net, (bySpec = new Map()));
    let ch = bySpec.get(spec);
    if (!ch) {
      ch = {
        // A call that never arrives, or whose answer never does, ends at the caller's timeout.
        request: this.net.channel<Call>(net, spec.request.requestBytes, (c) => c.target.accept(c as unknown as Request), null),
        // A late answer (the caller gave up) finds its connection closed: it is not reused.
        response: this.net.channel<Call>(net, spec.request.responseBytes, (c) => {
          if (c.finish(true, "errors") && c.pool && c.conn) c.pool.release(c.conn, this.sim.now());
        }, null),
      };
      bySpec.set(spec, ch);
    }
    return ch;
  }

  private poolOf(from: C, service: number): ConnectionPool<C> {
    let list = this.pools.get(from);
    if (!list) this.pools.set(from, (list = []));
    return (list[service] ??= new ConnectionPool<C>());
  }

  private dnsOf(from: C, service: number): DnsCache<C> {
    let list = this.dns.get(from);
    if (!list) this.dns.set(from, (list = []));
    return (list[service] ??= new DnsCache<C>());
  }
}
