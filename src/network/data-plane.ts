import type { RandomStreams, Simulation } from "../kernel/index.js";
import type { Scenario } from "../scenario/types.js";
import { Channel, Delivery, type NetHost } from "./delivery.js";
import { Fabric } from "./fabric.js";
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
  readonly routing: Routing<C>;
  readonly images: Images;
  /** Channels by network index (-1 = the hosts' own traffic is not counted here). */
  private readonly channels: Channel<never>[][];

  constructor(
    sim: Simulation,
    scenario: Scenario,
    rng: RandomStreams,
    liveHosts: () => number,
  ) {
    this.fabric = new Fabric(scenario.cluster.network, scenario.cluster.registry);
    this.delivery = new Delivery(sim, this.fabric);
    this.overlays = buildOverlays(scenario.networks);
    // One key for every gossip draw: a node's view of the tables depends on the seed only.
    const key = Math.floor(rng.stream("network/gossip").next() * 2 ** 31);
    this.routing = new Routing<C>(this.overlays, scenario.services, key, liveHosts, () => sim.now());
    this.images = new Images(sim, this.delivery);
    this.channels = this.overlays.map(() => []);
  }

  /** A channel for messages of `bytes` on overlay `net` (-1: the hosts' own network, as host-mode ports use). */
  channel<P>(net: number, bytes: number, src: (p: P) => NetHost, dst: (p: P) => NetHost, arrive: (p: P) => void, lost: ((p: P) => void) | null): Channel<P> {
    const ch = new Channel<P>(this.fabric, net >= 0 ? this.overlays[net]! : null, bytes, src, dst, arrive, lost);
    if (net >= 0) this.channels[net]!.push(ch as unknown as Channel<never>);
    return ch;
  }

  /** Wire bytes each overlay carried between nodes since the last call. */
  takeOverlayBytes(): number[] {
    return this.channels.map((list) => list.reduce((n, ch) => n + ch.takeCarried(), 0));
  }

  /** A host crashed: its transfers are lost and its tables forgotten. */
  hostDown(host: NetHost): void {
    this.delivery.hostDown(host);
    this.routing.forgetHost(host.index);
  }
}
