import type { FabricSpec, RegistrySpec } from "../scenario/types.js";
import { Link } from "./bandwidth/index.js";
import { LinkMeters, MeteredLink } from "./link-meters.js";

/** Where a host sits on the underlay: what the fabric needs to price and route a message. */
export interface Endpoint {
  readonly name: string;
  readonly zone: string;
  /** Creation order: indexes the host's NIC. */
  readonly index: number;
  /** A crashed host neither sends nor receives. */
  readonly up: boolean;
}

/** The path between two hosts: 0 same node, 1 same zone, 2 across zones (indexes delay tables). */
export type PathKind = 0 | 1 | 2;

export function pathOf(from: Endpoint, to: Endpoint): PathKind {
  return from === to ? 0 : from.zone === to.zone ? 1 : 2;
}

/** Hosts split into groups that cannot reach each other; hosts in no group reach everyone. */
export class Partition {
  private readonly groupOf = new Map<string, number>();
  /**
   * A live host was in none of its groups when it began: memberlist's indirect probes (ping-req
   * through other members) and its refutations go through such hosts, so no side declares the
   * other dead, though they cannot reach each other (a gray failure). Set by whoever starts it.
   * SIMPLIFICATION: decided when the partition begins (a bystander that dies later does not undo
   * it), and each partition in force is judged alone.
   */
  bridged = false;

  constructor(
    groups: readonly (readonly string[])[],
    /** When it began. */
    readonly sinceUs = 0,
  ) {
    groups.forEach((g, i) => g.forEach((name) => this.groupOf.set(name, i)));
  }

  /** Whether `name` is in one of its groups. */
  holds(name: string): boolean {
    return this.groupOf.has(name);
  }

  separates(a: string, b: string): boolean {
    const ga = this.groupOf.get(a);
    const gb = this.groupOf.get(b);
    return ga !== undefined && gb !== undefined && ga !== gb;
  }
}

/** A host's NIC in the fabric's table of link meters: its transmit link's slot, and its receive link's. */
function txSlot(host: Endpoint): number {
  return txSlotAt(host.index);
}
function rxSlot(host: Endpoint): number {
  return rxSlotAt(host.index);
}
function txSlotAt(hostIndex: number): number {
  return 2 * hostIndex;
}
function rxSlotAt(hostIndex: number): number {
  return 2 * hostIndex + 1;
}

/** A host's network card: a transmit and a receive link (full duplex, as SimGrid's SPLITDUPLEX). */
export interface Nic {
  readonly tx: MeteredLink;
  readonly rx: MeteredLink;
}

/** 8 bits a byte, 1e6 microseconds a second. */
export function bytesPerUs(bitsPerS: number): number {
  return bitsPerS / 8e6;
}

/**
 * The underlay between hosts: one-way latency by path (same node, same zone, across zones), the
 * links that transfers share (each host's NIC in each direction, optionally a link per pair of
 * zones and the registry's egress), and what is lost: a crashed host neither sends nor receives,
 * and a partition separates groups of hosts.
 * SIMPLIFICATION: links lose nothing at random and add no queueing delay of their own; their
 * capacity is shared between concurrent transfers (see bandwidth/).
 */
export class Fabric {
  private readonly partitions: Partition[] = [];
  private readonly nics: Nic[] = [];
  /** The NICs' small-message state, host by host (txSlot, rxSlot). */
  private readonly nicMeters: LinkMeters;
  private readonly zoneMeters: LinkMeters;
  private readonly zoneLinks = new Map<string, MeteredLink>();
  readonly nicBytesPerUs: number;
  /** Links between zones are a bottleneck (crossZoneBandwidth set). */
  private readonly zonesLimited: boolean;
  /** One-way latency by PathKind. */
  readonly latencies: readonly [number, number, number];
  /** The registry's egress, or null when it is not a bottleneck. */
  readonly registryLink: Link | null;

  constructor(
    readonly spec: FabricSpec,
    readonly registry: RegistrySpec,
  ) {
    this.nicBytesPerUs = bytesPerUs(spec.bandwidthBitsPerS);
    this.latencies = [spec.latency.sameNodeUs, spec.latency.sameZoneUs, spec.latency.crossZoneUs];
    this.zonesLimited = spec.crossZoneBandwidthBitsPerS > 0;
    this.nicMeters = new LinkMeters(this.nicBytesPerUs, 64);
    this.zoneMeters = new LinkMeters(bytesPerUs(spec.crossZoneBandwidthBitsPerS), 4);
    this.registryLink = registry.bandwidthBitsPerS > 0 ? new Link("registry", bytesPerUs(registry.bandwidthBitsPerS)) : null;
  }

  latencyUs(from: Endpoint, to: Endpoint): number {
    const l = this.spec.latency;
    if (from === to) return l.sameNodeUs;
    return from.zone === to.zone ? l.sameZoneUs : l.crossZoneUs;
  }

  nic(host: Endpoint): Nic {
    // No closure in here: V8 would allocate its context on every call of this hot function.
    return this.nics[host.index] ?? this.newNic(host);
  }

  private newNic(host: Endpoint): Nic {
    const n: Nic = {
      tx: new MeteredLink(this.nicMeters, txSlot(host), new Link(`${host.name}/tx`, this.nicBytesPerUs)),
      rx: new MeteredLink(this.nicMeters, rxSlot(host), new Link(`${host.name}/rx`, this.nicBytesPerUs)),
    };
    this.nics[host.index] = n;
    return n;
  }

  /** The link from one zone to another, or null when links between zones are not a bottleneck. */
  zoneLink(from: string, to: string): MeteredLink | null {
    if (!this.zonesLimited || from === to) return null;
    const key = `${from}>${to}`;
    let l = this.zoneLinks.get(key);
    if (!l) {
      l = new MeteredLink(this.zoneMeters, this.zoneLinks.size, new Link(`zone ${key}`, this.zoneMeters.capacityBytesPerUs));
      this.zoneLinks.set(key, l);
    }
    return l;
  }

  /** The links a transfer between two different hosts crosses. */
  route(from: Endpoint, to: Endpoint): Link[] {
    const zone = this.zoneLink(from.zone, to.zone);
    const out = this.nic(from).tx.link;
    const into = this.nic(to).rx.link;
    return zone ? [out, zone.link, into] : [out, into];
  }

  /**
   * How long a small message from `from` to `to` waits now beyond its own time on the wire, its
   * bytes counted on its links: 0 on quiet links; on a link that carries a transfer or that
   * small messages keep busy, its wait in the link's queue. Small messages never become flows:
   * thousands at once (a leader's assignments to 10,000 nodes, each sharing the NIC with a Raft
   * transfer) cost one step each instead of a max-min re-solve of thousands of flows each.
   * SIMPLIFICATION: a link serves its small messages in order (one FIFO per link direction), at
   * what its transfers leave of it but at least a fair share (as max-min would give one more
   * flow: a lone small message beside n transfers takes (n + 1) times its wire time either way),
   * and they do not slow its transfers down.
   */
  smallWaitUs(from: Endpoint, to: Endpoint, nowUs: number, wireBytes: number): number {
    if (this.quiet(from, to, nowUs, wireBytes)) return 0;
    const zone = this.zonesLimited ? this.zoneLink(from.zone, to.zone) : null;
    let doneUs = this.nic(from).tx.enqueue(nowUs, wireBytes);
    if (zone !== null) doneUs = Math.max(doneUs, zone.enqueue(nowUs, wireBytes));
    doneUs = Math.max(doneUs, this.nic(to).rx.enqueue(nowUs, wireBytes));
    return Math.max(0, doneUs - nowUs - wireBytes / this.nicBytesPerUs);
  }

  /**
   * Whether a small message from `from` to `to` crosses now without waiting in a queue (no link
   * of its path contended); if so its bytes are counted on its links.
   */
  quiet(from: Endpoint, to: Endpoint, nowUs: number, wireBytes: number): boolean {
    // The NICs by slot, not through their objects: a fast-path check reads one row of the table per end.
    const nics = this.nicMeters;
    const out = txSlot(from);
    const into = rxSlot(to);
    nics.ensure(Math.max(out, into));
    const zone = this.zonesLimited ? this.zoneLink(from.zone, to.zone) : null;
    if (nics.contended(out, nowUs) || nics.contended(into, nowUs) || (zone !== null && zone.contended(nowUs))) return false;
    nics.carry(out, nowUs, wireBytes);
    if (to.up) nics.carry(into, nowUs, wireBytes); // a crashed host's NIC takes nothing in
    zone?.carry(nowUs, wireBytes);
    return true;
  }

  /**
   * Bytes of a host's own small messages (heartbeats) that count in both NICs' traffic but not in
   * their load, the hosts by index. `received`: whether the receiving NIC counts them. A crashed
   * host takes in nothing, as in quiet() (agents' heartbeats to a dead leader leave their NICs
   * only), but messages counted after they were sent (held heartbeats, sent while both ends were
   * up, counted when they settle) were received.
   */
  countSmall(fromIndex: number, toIndex: number, wireBytes: number, received: boolean): void {
    const out = txSlotAt(fromIndex);
    const into = rxSlotAt(toIndex);
    this.nicMeters.ensure(Math.max(out, into));
    this.nicMeters.count(out, wireBytes);
    if (received) this.nicMeters.count(into, wireBytes);
  }

  /** The host crashed: its NIC's queues are gone. */
  hostDown(host: Endpoint): void {
    this.nicMeters.clearQueue(txSlot(host));
    this.nicMeters.clearQueue(rxSlot(host));
  }

  reachable(from: Endpoint, to: Endpoint): boolean {
    if (!from.up || !to.up) return false;
    if (this.partitions.length === 0) return true;
    for (const p of this.partitions) if (p.separates(from.name, to.name)) return false;
    return true;
  }

  /** Starts a partition at `sinceUs`; returns it so that it can be healed. */
  partition(groups: readonly (readonly string[])[], sinceUs = 0): Partition {
    const p = new Partition(groups, sinceUs);
    this.partitions.push(p);
    return p;
  }

  /** Some partition is in force. */
  get partitioned(): boolean {
    return this.partitions.length > 0;
  }

  /**
   * Since when a partition no host bridges has kept the two apart (the earliest if several), or
   * Infinity: what memberlist's failure detection sees (a bridged partition it does not).
   */
  isolatedSinceUs(a: Endpoint, b: Endpoint): number {
    let since = Infinity;
    for (const p of this.partitions) if (!p.bridged && p.separates(a.name, b.name) && p.sinceUs < since) since = p.sinceUs;
    return since;
  }

  heal(p: Partition): void {
    const i = this.partitions.indexOf(p);
    if (i >= 0) this.partitions.splice(i, 1);
  }

  /** Bytes the host sent and received since the last call (for nodes.csv). */
  takeHostBytes(host: Endpoint): { tx: number; rx: number } {
    const m = this.nicMeters;
    const tx = txSlot(host);
    const rx = rxSlot(host);
    // The NIC's own objects are read only if a transfer crossed it since (most NICs, most windows: none did).
    const n = m.flowed(tx) || m.flowed(rx) ? this.nics[host.index] : undefined;
    return { tx: m.take(tx, n?.tx.link ?? null), rx: m.take(rx, n?.rx.link ?? null) };
  }
}
