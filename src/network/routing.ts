import type { ServiceSpec } from "../scenario/types.js";
import { ServiceEndpoints, newBackend, type Backend, type Change, type Reach } from "./endpoints.js";
import { EpidemicTables, GOSSIP_ROUND_US, hashUnit } from "./gossip.js";
import type { OverlayNetwork } from "./overlay.js";

/** What routing needs of a container: where it runs, and a field of its own on it. */
export interface RoutedContainer {
  readonly nodeIndex: number;
  /**
   * Routing's own: the container's backends while it is in the load balancers, else null or
   * absent. Held on the container rather than in a map by container: an entry of that map was
   * about 46 bytes of every task (issue 11's idle-task budget is 2 KB).
   */
  lbBackends?: readonly object[] | null;
}

/**
 * Service discovery and load balancing over the overlays: each service's endpoints on each of
 * its networks (joined when a task runs, left when it stops or its node dies, spread by gossip
 * among that network's nodes), the routing mesh's entries on ingress, host-mode ports, and which
 * network a service reaches another by (a name resolves only on a network the two share).
 * SIMPLIFICATION: a host-mode port answers from the moment its task runs until it stops (Docker
 * binds it when the container starts); the mesh forwards to the task without modelling its
 * target port (every container listens on its `target`).
 */
export class Routing<C extends RoutedContainer> {
  private readonly endpoints: ServiceEndpoints<C>[][];
  /** Backends per network per host, and how many hosts have any: the network's gossip peers. */
  private readonly perHost: number[][];
  private readonly peers: number[];
  /** Host-mode ports: the service's task on each host, if any. */
  private readonly hostPorts: (C | undefined)[][];
  /** Each service's networks (indexes), ingress first when it publishes a port there. */
  readonly networksOf: number[][];
  private readonly ingressIndex: number;
  /** The ingress network's endpoints by service: the routing mesh's hot path. */
  private readonly ingressEndpoints: ServiceEndpoints<C>[];
  private readonly epidemics = new EpidemicTables();
  private seq = 0;
  /** When every node will have learned every change so far. */
  settledUs = 0;

  constructor(
    private readonly overlays: readonly OverlayNetwork[],
    services: readonly ServiceSpec[],
    private readonly key: number,
    /** Live hosts: the ingress network's peers and memberlist's cluster. */
    private readonly liveHosts: () => number,
    private readonly nowUs: () => number,
    reach: Reach | null = null,
  ) {
    const index = new Map(overlays.map((n) => [n.name, n.index]));
    this.ingressIndex = overlays.findIndex((n) => n.ingress);
    this.networksOf = services.map((s) => {
      const ingress = s.ports.some((p) => p.mode === "ingress") ? [this.ingressIndex] : [];
      return [...ingress, ...s.networks.map((n) => index.get(n)!)];
    });
    this.endpoints = overlays.map(() => services.map((s) => new ServiceEndpoints<C>(s.name, key, reach)));
    this.ingressEndpoints = this.endpoints[this.ingressIndex]!;
    this.perHost = overlays.map(() => []);
    this.peers = overlays.map(() => 0);
    this.hostPorts = services.map(() => []);
  }

  /** The container serves: it joins its service on each of its networks (and binds host-mode ports). */
  join(c: C, service: number, hostMode: boolean): void {
    if (c.lbBackends) return;
    const backends = this.networksOf[service]!.map((net) => {
      const backend = newBackend(c, c.nodeIndex);
      const counts = this.perHost[net]!;
      counts[c.nodeIndex] = (counts[c.nodeIndex] ?? 0) + 1;
      if (counts[c.nodeIndex] === 1) this.peers[net]!++;
      this.record(net, service, backend, true, c.nodeIndex, 0, this.peersOf(net));
      return backend;
    });
    // A member's backend on each of its service's networks, in networksOf's order.
    c.lbBackends = backends;
    if (hostMode) this.hostPorts[service]![c.nodeIndex] = c;
  }

  /**
   * The container stops serving `service`, the one it joined (the caller's to say: a member keeps
   * no copy, to keep the routing mesh's memory per task small). Its node tells the others by gossip;
   * when the node crashed, the others drop its entries only once memberlist has declared it dead,
   * `deadAfterUs` after the crash (world.ts decides it, and logs the verdict; null: not crashed).
   */
  leave(c: C, service: number, deadAfterUs: number | null): void {
    const backends = c.lbBackends as Backend<C>[] | null | undefined;
    if (!backends) return;
    const nets = this.networksOf[service]!;
    if (backends.length !== nets.length) throw new Error(`routing: a container leaves service #${service}, which it did not join`);
    c.lbBackends = null;
    if (this.hostPorts[service]![c.nodeIndex] === c) this.hostPorts[service]![c.nodeIndex] = undefined;
    const live = this.liveHosts();
    backends.forEach((backend, i) => {
      const net = nets[i]!;
      const counts = this.perHost[net]!;
      counts[c.nodeIndex]!--;
      if (counts[c.nodeIndex] === 0) this.peers[net]!--;
      if (deadAfterUs !== null) this.record(net, service, backend, false, -1, deadAfterUs, live);
      else this.record(net, service, backend, false, c.nodeIndex, 0, this.peersOf(net));
    });
  }

  /** The host restarted: its tables are gone and are rebuilt when it next routes. */
  forgetHost(index: number): void {
    for (const byService of this.endpoints) for (const e of byService) e.forget(index);
  }

  /** The service's endpoints on the routing mesh: IPVS on an entry node picks from them (`pick(entry, now)`). */
  ingress(service: number): ServiceEndpoints<C> {
    return this.ingressEndpoints[service]!;
  }

  /** The service's task on `host` that holds its host-mode port, if any. */
  hostMode(service: number, host: number): C | null {
    return this.hostPorts[service]![host] ?? null;
  }

  /** IPVS on `node` picks a backend behind the service's VIP on network `net`. */
  vip(net: number, service: number, node: number): Backend<C> | null {
    return this.endpoints[net]![service]!.pick(node, this.nowUs());
  }

  /** The service's tasks as the embedded DNS server on `node` answers for them (dnsrr), in its table's order. */
  dns(net: number, service: number, node: number): readonly Backend<C>[] {
    return this.endpoints[net]![service]!.visible(node, this.nowUs());
  }

  /**
   * The network on which `from`'s containers resolve `to`'s name: the first of `from`'s networks
   * that `to` is on too (ingress does not count: it carries no service discovery); -1 if none.
   */
  sharedNetwork(from: number, to: number): number {
    const theirs = this.networksOf[to]!;
    return this.networksOf[from]!.find((n) => n !== this.ingressIndex && theirs.includes(n)) ?? -1;
  }

  /** Hosts taking part in a network's gossip now. */
  peersOf(net: number): number {
    return this.overlays[net]!.ingress ? this.liveHosts() : this.peers[net]!;
  }

  private record(net: number, service: number, backend: Backend<C>, join: boolean, originIndex: number, delayUs: number, peers: number): void {
    const seq = this.seq++;
    const atUs = this.nowUs();
    // The change leaves with its origin's next gossip round: somewhere in the next 200 ms.
    const phaseUs = Math.floor(hashUnit(this.key, seq, -1) * GOSSIP_ROUND_US);
    const change: Change<C> = { join, backend, atUs, originIndex, spreadFromUs: atUs + delayUs + phaseUs, cdf: this.epidemics.get(Math.max(1, peers)), seq };
    const e = this.endpoints[net]![service]!;
    e.record(change);
    this.settledUs = Math.max(this.settledUs, e.settledUs);
  }
}
