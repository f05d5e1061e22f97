import type { RandomStreams, Simulation } from "../kernel/index.js";
import type { Scenario } from "../scenario/types.js";
import { Channel, Delivery, type NetHost, type Parcel } from "./delivery.js";
import { Fabric, type Partition } from "./fabric.js";
import type { Reach } from "./endpoints.js";
import { failureDetectionUs } from "./gossip.js";
import { Images } from "./images.js";
import { buildOverlays, type OverlayNetwork } from "./overlay.js";
import { Routing, type RoutedContainer } from "./routing.js";

/**
 * The data plane, wired from a scenario: the underlay (fabric), the one delivery path, the
 * overlay networks, service discovery and load balancing (routing) and the nodes' images. The
 * engine builds one; the workload, the agents and the control plane send through it.
 */
export class DataPlane<C extends RoutedContainer> {
  readonly fabric: Fabric;
  readonly delivery: Delivery;
  readonly overlays: OverlayNetwork[];
  /** Overlay index by network name. */
  readonly overlayIndex: ReadonlyMap<string, number>;
  readonly routing: Routing<C>;
  readonly images: Images;
  /** What the routing tables need to know of partitions (a plain field: it is read on every pick). */
  private readonly reach: { partitioned: boolean; cutOff: Reach["cutOff"] };
  /** Channels by network index (-1 = the hosts' own traffic is not counted here). */
  private readonly channels: Channel<Parcel>[][];

  constructor(
    private readonly sim: Simulation,
    scenario: Scenario,
    rng: RandomStreams,
    private readonly liveHosts: () => number,
    /** memberlist's members (the live hosts and the crashed ones it has not reaped): its suspicion time grows with them. */
    members: () => number,
    /** Every host, by node index (for partitions, which name hosts). */
    private readonly hosts: () => readonly NetHost[],
  ) {
    this.fabric = new Fabric(scenario.cluster.network, scenario.cluster.registry);
    this.delivery = new Delivery(sim, this.fabric);
    this.overlays = buildOverlays(scenario.networks);
    this.overlayIndex = new Map(this.overlays.map((n) => [n.name, n.index]));
    // One key for every gossip draw: a node's view of the tables depends on the seed only.
    const key = Math.floor(rng.stream("network/gossip").next() * 2 ** 31);
    const fabric = this.fabric;
    this.reach = {
      partitioned: false,
      cutOff: (from, to, nowUs) => fabric.isolatedSinceUs(hosts()[from]!, hosts()[to]!) + failureDetectionUs(members()) <= nowUs,
    };
    this.routing = new Routing<C>(this.overlays, scenario.services, key, liveHosts, () => sim.now(), this.reach);
    this.images = new Images(sim, this.delivery);
    this.channels = this.overlays.map(() => []);
  }

  /** A channel for messages of `bytes` on overlay `net` (-1: the hosts' own network, as host-mode ports use). */
  channel<P extends Parcel>(net: number, bytes: number, arrive: (p: P) => void, lost: ((p: P) => void) | null): Channel<P> {
    const ch = new Channel<P>(this.fabric, net >= 0 ? this.overlays[net]! : null, bytes, arrive, lost);
    if (net >= 0) this.channels[net]!.push(ch as unknown as Channel<Parcel>);
    return ch;
  }

  /** Wire bytes each overlay carried between nodes since the last call. */
  takeOverlayBytes(): number[] {
    this.delivery.countInFlight();
    const out: number[] = [];
    for (const list of this.channels) {
      let n = 0;
      for (const ch of list) n += ch.takeCarried();
      out.push(n);
    }
    return out;
  }

  /**
   * A partition starts: messages between the groups are lost, transfers between them stall, and
   * after failure detection each side drops the other's backends from its tables, unless a live
   * host in no group bridges them (Partition.bridged): memberlist then declares no one dead.
   * SIMPLIFICATION: a change made on one side during the partition still reaches the other (it
   * does not wait for the heal); the other side stops using those backends anyway once it has
   * declared their nodes dead.
   */
  partition(groups: readonly (readonly string[])[]): Partition {
    const p = this.fabric.partition(groups, this.sim.now());
    p.bridged = this.hosts().some((h) => h.up && !p.holds(h.name));
    this.reach.partitioned = true;
    this.delivery.partitioned();
    return p;
  }

  heal(p: Partition): void {
    this.fabric.heal(p);
    this.reach.partitioned = this.fabric.partitioned;
    this.delivery.healed();
  }

  /** A host crashed: its transfers are lost and its tables forgotten. */
  hostDown(host: NetHost): void {
    this.delivery.hostDown(host);
    this.routing.forgetHost(host.index);
  }
}
