import type { Simulation } from "../kernel/index.js";
import type { FabricSpec } from "../scenario/types.js";

/** Where a host sits on the underlay: what the fabric needs to price and route a message. */
export interface Endpoint {
  readonly name: string;
  readonly zone: string;
  /** A crashed host neither sends nor receives. */
  readonly up: boolean;
}

/** The path between two hosts, indexing Fabric.delayTable(): 0 same node, 1 same zone, 2 across zones. */
export function pathOf(from: Endpoint, to: Endpoint): 0 | 1 | 2 {
  return from === to ? 0 : from.zone === to.zone ? 1 : 2;
}

/** Hosts split into groups that cannot reach each other; hosts in no group reach everyone. */
export class Partition {
  private readonly groupOf = new Map<string, number>();

  constructor(groups: readonly (readonly string[])[]) {
    groups.forEach((g, i) => g.forEach((name) => this.groupOf.set(name, i)));
  }

  separates(a: string, b: string): boolean {
    const ga = this.groupOf.get(a);
    const gb = this.groupOf.get(b);
    return ga !== undefined && gb !== undefined && ga !== gb;
  }
}

/**
 * The underlay network between hosts. A message's one-way delay is the propagation latency
 * (same node / same zone / across zones) plus its size over the link bandwidth. A message is
 * lost if its sender is down, or if at delivery its receiver is down or a partition separates
 * the two. Every control-plane message travels through here.
 * SIMPLIFICATION: links have no queueing or random loss of their own; bandwidth only adds
 * serialisation delay, it is not shared between concurrent transfers.
 */
export class Fabric {
  private readonly usPerByte: number;
  private readonly partitions: Partition[] = [];
  /** Messages lost to crashes and partitions, for tests and diagnostics. */
  dropped = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly spec: FabricSpec,
  ) {
    this.usPerByte = (8 * 1e6) / spec.bandwidthBitsPerS;
  }

  latencyUs(from: Endpoint, to: Endpoint): number {
    const l = this.spec.latency;
    if (from === to) return l.sameNodeUs;
    return from.zone === to.zone ? l.sameZoneUs : l.crossZoneUs;
  }

  /** One-way delay in whole microseconds for `bytes` from `from` to `to`. */
  delayUs(from: Endpoint, to: Endpoint, bytes: number): number {
    return Math.round(this.latencyUs(from, to) + bytes * this.usPerByte);
  }

  /**
   * One-way delays of a message that is `localBytes` on the same node and `overlayBytes` across
   * nodes, by path: [same node, same zone, across zones]. For hot paths that send the same sizes
   * again and again; index it with pathOf().
   */
  delayTable(localBytes: number, overlayBytes: number): readonly [number, number, number] {
    const l = this.spec.latency;
    const d = (lat: number, bytes: number): number => Math.round(lat + bytes * this.usPerByte);
    return [d(l.sameNodeUs, localBytes), d(l.sameZoneUs, overlayBytes), d(l.crossZoneUs, overlayBytes)];
  }

  reachable(from: Endpoint, to: Endpoint): boolean {
    if (!from.up || !to.up) return false;
    for (const p of this.partitions) if (p.separates(from.name, to.name)) return false;
    return true;
  }

  /** Deliver `msg` to `handler` after the one-way delay, unless it is lost on the way. */
  send<M>(from: Endpoint, to: Endpoint, bytes: number, handler: (msg: M) => void, msg: M): void {
    if (!from.up) {
      this.dropped++;
      return;
    }
    this.sim.after(this.delayUs(from, to, bytes), () => {
      if (this.reachable(from, to)) handler(msg);
      else this.dropped++;
    });
  }

  /** Starts a partition; returns it so that it can be healed. */
  partition(groups: readonly (readonly string[])[]): Partition {
    const p = new Partition(groups);
    this.partitions.push(p);
    return p;
  }

  heal(p: Partition): void {
    const i = this.partitions.indexOf(p);
    if (i >= 0) this.partitions.splice(i, 1);
  }
}
