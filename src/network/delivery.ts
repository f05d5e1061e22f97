import type { Simulation } from "../kernel/index.js";
import { FlowNetwork, type Flow, type Link } from "./bandwidth/index.js";
import { pathOf, type Fabric, type PathKind } from "./fabric.js";
import { underlayFormat, wireBytes, type PacketFormat } from "./packets.js";
import { HostStreams, type Stream } from "./streams.js";
import { Channel, FAST_PATH_BYTES, type KernelCpu, type NetHost, type Parcel } from "./channel.js";

export { Channel, FAST_PATH_BYTES, type KernelCpu, type NetHost, type Parcel };

/**
 * SimGrid's default TCP window (TCP_gamma, 4 MiB): a flow's rate is at most window / RTT, which
 * is what bounds a pull from a distant registry (20 ms round trip: about 200 MB/s).
 */
export const TCP_WINDOW_BYTES = 4 * 1024 * 1024;

/** A host's own message on its way. */
interface HostMessage {
  from: NetHost;
  to: NetHost;
  handler: (msg: any) => void;
  msg: unknown;
  /** The stream it is part of (sendHost's inOrder), and its place there; null and 0 otherwise. */
  stream: Stream<HostMessage> | null;
  seq: number;
}

/** A message that goes through the flow model or the hosts' CPU: several parts to wait for. */
interface Transfer {
  parts: number;
  from: NetHost;
  to: NetHost;
  flow: Flow | null;
  /** Its route and rate bound, to start it again after a partition; null for a fixed delay. */
  route: readonly Link[] | null;
  boundBytesPerUs: number;
  /** Stopped by a partition, to go on when it heals (with stalledBytes left: 0 if its last byte had crossed). */
  stalled: boolean;
  /** Bytes left when a partition stopped it (0 while it runs). */
  stalledBytes: number;
  latencyUs: number;
  /** The channel whose traffic it is (its overlay's count), or null; its size and what was counted. */
  carrier: { carried: number } | null;
  wire: number;
  counted: number;
  /** IPsec work on the sender and on the receiver. */
  enc: unknown;
  dec: unknown;
  timer: ReturnType<Simulation["after"]> | null;
  /** Runs once every part is done. */
  done: () => void;
  lost: () => void;
}

/**
 * The one delivery path of the cluster: every request, response, call, image pull and
 * control-plane message goes through send(). A small message on links that carry no transfer
 * takes the fast path: one kernel event after latency + wire bytes at the NIC's rate. Anything
 * else is a transfer: a flow sharing its links max-min fairly with the others (bandwidth/), plus,
 * on an encrypted overlay, IPsec work on both hosts' CPUs; it arrives when the last part is done
 * and the latency has passed. Whether it arrives is decided on arrival (crash, partition).
 */
export class Delivery {
  readonly flows: FlowNetwork;
  /** How the hosts' own traffic is cut: to the path's MTU, no encapsulation. */
  private readonly hostFormat: PacketFormat;
  /** The hosts' ordered streams (Raft's connections). */
  private readonly streams = new HostStreams<HostMessage>((p) => p.handler(p.msg));
  /** A host's message arrives, if its two ends still reach each other. */
  private readonly hostArrive = (p: HostMessage): void => {
    if (this.fabric.reachable(p.from, p.to)) p.handler(p.msg);
  };
  /** A message of a stream arrives: handed over in its turn, or given up in it if its ends no longer reach each other. */
  private readonly streamArrive = (p: HostMessage): void => {
    p.stream!.arrived(p.seq, this.fabric.reachable(p.from, p.to) ? p : null);
  };
  /** Transfers under way, by host index, so that a crash can end them. */
  private readonly active: Set<Transfer>[] = [];
  /** How many transfers are under way: most windows close with none, and need not visit every host's set. */
  private live = 0;

  constructor(
    private readonly sim: Simulation,
    readonly fabric: Fabric,
  ) {
    this.flows = new FlowNetwork(sim);
    this.hostFormat = underlayFormat(fabric.spec.mtuBytes);
  }

  /**
   * Sends one parcel of a channel. Kept small so that V8 inlines it into its callers: a message
   * between two containers of one node (the bridge, no NIC) costs one event and nothing more.
   */
  send<P extends Parcel>(ch: Channel<P>, p: P): void {
    const from = p.from;
    const to = p.to;
    if (!from.up) ch.lost?.(p);
    else if (from === to) this.sim.after(ch.delayUs[0], ch.check, p);
    else this.sendAcross(ch, p, from, to);
  }

  /** Between nodes: the black hole, the fast path (queued on a contended link), or a transfer. */
  private sendAcross<P extends Parcel>(ch: Channel<P>, p: P, from: NetHost, to: NetHost): void {
    if (ch.blackHoled) {
      // The sender does send it (and again and again); the path drops it.
      ch.carried += ch.wireBytes;
      ch.lost?.(p);
      return;
    }
    const kind = pathOf(from, to);
    if (ch.fast && ch.cpuUs === 0) {
      const waitUs = this.fabric.smallWaitUs(from, to, this.sim.now(), ch.wireBytes);
      ch.carried += ch.wireBytes;
      this.sim.after(ch.delayUs[kind] + waitUs, ch.check, p);
      return;
    }
    this.transferParcel(ch, p, kind);
  }

  private transferParcel<P extends Parcel>(ch: Channel<P>, p: P, kind: PathKind): void {
    const t = this.transfer(p.from, p.to, kind, ch.wireBytes, ch.cpuUs, () => ch.check(p), () => ch.lost?.(p));
    t.carrier = ch;
    if (t.counted > 0) ch.carried += t.counted;
  }

  /**
   * The fast-path delay of a channel's parcel from `from` to `to`, with its bytes counted, or -1
   * when it must go by send() (a transfer, or a wait in a link's queue). For answers whose
   * arrival can be computed at once.
   */
  fastDelayUs<P extends Parcel>(ch: Channel<P>, from: NetHost, to: NetHost): number {
    if (from === to) return ch.delayUs[0];
    if (!ch.fast || ch.cpuUs > 0 || ch.blackHoled) return -1;
    // Only a message on quiet links is booked at once: one that waits in a queue goes by send(),
    // which checks on arrival that its ends still reach each other.
    if (!this.fabric.quiet(from, to, this.sim.now(), ch.wireBytes)) return -1;
    ch.carried += ch.wireBytes;
    return ch.delayUs[pathOf(from, to)];
  }

  /**
   * A host's own message (Raft, heartbeats, assignments): the underlay, no overlay.
   * SIMPLIFICATION: the hosts' TCP finds the path's MTU (ICMP reaches it), so their own traffic
   * never falls into the black hole; it is cut to the path MTU instead.
   * `inOrder`: the message is part of the stream from `from` to `to` (one TCP connection:
   * Raft's), and is handed over only after every earlier one of it (network/streams.ts).
   */
  sendHost<M>(from: NetHost, to: NetHost, bytes: number, handler: (msg: M) => void, msg: M, inOrder = false): void {
    if (!from.up) return;
    const stream = inOrder ? this.streams.of(from.index, to.index) : null;
    const p: HostMessage = { from, to, handler, msg, stream, seq: stream === null ? 0 : stream.take() };
    const arrive = stream === null ? this.hostArrive : this.streamArrive;
    const kind = pathOf(from, to);
    if (kind === 0) {
      this.sim.after(this.fabric.latencies[0], arrive, p);
      return;
    }
    const wire = wireBytes(bytes, this.hostFormat);
    const delayUs = this.fabric.latencies[kind] + wire / this.fabric.nicBytesPerUs;
    if (wire <= FAST_PATH_BYTES) this.sim.after(delayUs + this.fabric.smallWaitUs(from, to, this.sim.now(), wire), arrive, p);
    else this.transfer(from, to, kind, wire, 0, () => arrive(p), stream === null ? () => undefined : () => stream.arrived(p.seq, null));
  }

  /**
   * A heartbeat or its answer: a host's own small message that crosses at latency plus wire time.
   * SIMPLIFICATION: heartbeats (256 bytes each way, every 5 s per node) never wait in a link's
   * queue and do not count toward a link's load; their bytes count in the NICs' traffic. So a
   * live node's heartbeats do not depend on the data plane, and a manager can hold them in
   * aggregate (manager/quiet-sessions.ts). Larger ones (a new session reporting hundreds of
   * tasks) go by sendHost. `key` is the arrival's place in its instant (kernel atKeyed), so that
   * it does not depend on when the message was sent.
   */
  sendControl<M>(from: NetHost, to: NetHost, bytes: number, key: number, handler: (msg: M) => void, msg: M): void {
    if (!from.up) return;
    if (wireBytes(bytes, this.hostFormat) > FAST_PATH_BYTES) {
      this.sendHost(from, to, bytes, handler, msg);
      return;
    }
    this.countControl(from, to, bytes);
    this.controlArrivesAt(this.sim.now() + this.controlDelayUs(from, to, bytes), key, from, to, handler, msg);
  }

  /** How long sendControl takes from `from` to `to` (whole microseconds, as the kernel rounds it). */
  controlDelayUs(from: NetHost, to: NetHost, bytes: number): number {
    const kind = pathOf(from, to);
    if (kind === 0) return Math.round(this.fabric.latencies[0]);
    return Math.round(this.fabric.latencies[kind] + wireBytes(bytes, this.hostFormat) / this.fabric.nicBytesPerUs);
  }

  /** Counts `times` control messages' bytes on the two NICs (none on one node). */
  countControl(from: NetHost, to: NetHost, bytes: number, times = 1): void {
    if (from === to) return;
    this.fabric.countSmall(from.index, to.index, times * wireBytes(bytes, this.hostFormat), to.up);
  }

  /**
   * countControl for messages sent earlier, while both ends were up (held heartbeats), whatever
   * they are now; the hosts by index, which is all the count needs.
   */
  countHeldControl(fromIndex: number, toIndex: number, bytes: number, times: number): void {
    if (fromIndex === toIndex) return;
    this.fabric.countSmall(fromIndex, toIndex, times * wireBytes(bytes, this.hostFormat), true);
  }

  /** A control message sent earlier (held in aggregate until now) arrives at `atUs`, if its ends still reach each other then. */
  controlArrivesAt<M>(atUs: number, key: number, from: NetHost, to: NetHost, handler: (msg: M) => void, msg: M): void {
    const p: HostMessage = { from, to, handler, msg, stream: null, seq: 0 };
    this.sim.atKeyed(atUs, key, this.hostArrive, p);
  }

  /** An image pull: `bytes` from the registry (outside the cluster) to `to`; `done` when it has all, `lost` if `to` crashes first. */
  pull(to: NetHost, bytes: number, done: () => void, lost: () => void): void {
    const wire = wireBytes(bytes, this.hostFormat);
    const latencyUs = this.fabric.registry.latencyUs;
    const registry = this.fabric.registryLink;
    const route = registry ? [registry, this.fabric.nic(to).rx.link] : [this.fabric.nic(to).rx.link];
    const t: Transfer = { parts: 1, from: to, to, flow: null, route, boundBytesPerUs: boundOf(latencyUs), stalled: false, stalledBytes: 0, latencyUs, carrier: null, wire, counted: 0, enc: null, dec: null, timer: null, done, lost };
    this.track(t);
    this.flowOn(t, wire);
  }

  /** The host crashed: its transfers end, lost, and its NIC's queues with them. */
  hostDown(host: NetHost): void {
    this.fabric.hostDown(host);
    const set = this.active[host.index];
    if (!set) return;
    for (const t of [...set]) {
      this.untrack(t);
      this.count(t); // what crossed before the crash was carried
      if (t.flow) this.flows.cancel(t.flow);
      this.sim.cancel(t.timer);
      if (t.enc !== null) t.from.kernel.cancel(t.enc);
      if (t.dec !== null) t.to.kernel.cancel(t.dec);
      t.lost();
    }
  }

  private transfer(from: NetHost, to: NetHost, kind: PathKind, wire: number, cpuUs: number, done: () => void, lost: () => void): Transfer {
    const latencyUs = this.fabric.latencies[kind];
    const t: Transfer = { parts: 1, from, to, flow: null, route: null, boundBytesPerUs: boundOf(latencyUs), stalled: false, stalledBytes: 0, latencyUs, carrier: null, wire, counted: 0, enc: null, dec: null, timer: null, done, lost };
    this.track(t);
    if (cpuUs > 0) {
      // SIMPLIFICATION: IPsec runs alongside the wire (packets are encrypted and decrypted as
      // they stream), so the transfer takes as long as the slowest of the three parts.
      t.parts += 2;
      t.enc = from.kernel.submit(cpuUs, () => this.partDone(t), null);
      t.dec = to.kernel.submit(cpuUs, () => this.partDone(t), null);
    }
    if (wire <= FAST_PATH_BYTES) {
      const waitUs = this.fabric.smallWaitUs(from, to, this.sim.now(), wire);
      t.counted = wire; // crosses at once: counted now (by the caller's channel, below)
      t.timer = this.sim.after(latencyUs + wire / this.fabric.nicBytesPerUs + waitUs, this.partDoneFn, t);
      return t;
    }
    t.route = this.fabric.route(from, to);
    this.flowOn(t, wire);
    return t;
  }

  /** The transfer's bytes go as a flow on its route; the latency follows the last byte. */
  private flowOn(t: Transfer, bytes: number): void {
    t.flow = this.flows.start(t.route!, bytes, t.boundBytesPerUs, () => {
      t.flow = null;
      this.count(t);
      t.timer = this.sim.after(t.latencyUs, this.partDoneFn, t);
    }, null);
  }

  /** Adds to its channel's count the bytes of `t` that crossed since it was last counted. */
  private count(t: Transfer): void {
    const left = t.flow !== null ? this.flows.remainingOf(t.flow) : t.stalledBytes;
    const crossed = t.wire - left;
    if (t.carrier !== null && crossed > t.counted) t.carrier.carried += crossed - t.counted;
    t.counted = Math.max(t.counted, crossed);
  }

  /** Counts what transfers in progress carried so far (a metrics window closes). */
  countInFlight(): void {
    for (const t of this.transfers()) this.count(t);
  }

  /**
   * A partition began: transfers between hosts it separates stall where they are (TCP keeps
   * resending into the void) and free their links; they go on from there when it heals.
   * SIMPLIFICATION: a stalled transfer never gives up on its own (TCP would after some 15
   * minutes); its client's timeout ends the wait. Small messages in flight are lost instead.
   */
  partitioned(): void {
    for (const t of this.transfers()) {
      if (t.flow === null || this.fabric.reachable(t.from, t.to)) continue;
      this.count(t);
      t.stalled = true;
      t.stalledBytes = this.flows.remainingOf(t.flow);
      this.flows.cancel(t.flow);
      t.flow = null;
    }
  }

  /** A partition healed: stalled transfers whose hosts reach each other again go on. */
  healed(): void {
    for (const t of this.transfers()) {
      // A transfer whose last byte crossed in the partition's very microsecond has 0 bytes left:
      // its flow was cancelled before it could finish, so it finishes now.
      if (!t.stalled || !this.fabric.reachable(t.from, t.to)) continue;
      const bytes = t.stalledBytes;
      t.stalled = false;
      t.stalledBytes = 0;
      this.flowOn(t, bytes);
    }
  }

  /** Every transfer under way, each once, in host order. */
  private transfers(): Transfer[] {
    if (this.live === 0) return [];
    const all = new Set<Transfer>();
    for (const set of this.active) if (set) for (const t of set) all.add(t);
    return [...all];
  }

  /** partDone as a kernel action with the transfer as its argument: no closure per transfer's timer. */
  private readonly partDoneFn = (t: Transfer): void => this.partDone(t);

  private partDone(t: Transfer): void {
    t.timer = null;
    if (--t.parts > 0) return;
    this.untrack(t);
    t.done();
  }

  private track(t: Transfer): void {
    this.live++;
    for (const h of t.from === t.to ? [t.from] : [t.from, t.to]) (this.active[h.index] ??= new Set()).add(t);
  }

  private untrack(t: Transfer): void {
    const fromHad = this.active[t.from.index]?.delete(t) === true;
    const toHad = this.active[t.to.index]?.delete(t) === true;
    if (fromHad || toHad) this.live--;
  }
}

/** A flow's rate bound from the TCP window over the round trip (Infinity with no latency). */
function boundOf(oneWayLatencyUs: number): number {
  return oneWayLatencyUs > 0 ? TCP_WINDOW_BYTES / (2 * oneWayLatencyUs) : Infinity;
}
