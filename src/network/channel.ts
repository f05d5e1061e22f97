// A channel: a kind of message sent again and again between containers, its size and fate worked
// out once; and what the delivery path needs to know of a host.
import type { Endpoint, Fabric } from "./fabric.js";
import type { OverlayNetwork } from "./overlay.js";
import { blackHoled, underlayFormat, wireBytes, type PacketFormat } from "./packets.js";

/**
 * Messages up to this many wire bytes never enter the flow model.
 * SIMPLIFICATION: on a quiet link such messages do not slow one another down; a link that carries
 * a transfer, or that small messages keep busy over half its capacity, queues them in order
 * (Fabric.smallWaitUs).
 */
export const FAST_PATH_BYTES = 64 * 1024;
/** CPU work a host's kernel does for the network (IPsec), on the node's shared cores. */
export interface KernelCpu {
  submit<A>(workUs: number, onDone: (arg: A) => void, arg: A): unknown;
  cancel(job: unknown): void;
}

/** A host as the delivery path sees it. */
export interface NetHost extends Endpoint {
  readonly kernel: KernelCpu;
}

/** Something sent over a channel: it says where it goes (set before each send; an answer swaps them). */
export interface Parcel {
  from: NetHost;
  to: NetHost;
}

/**
 * A kind of message sent again and again (a service's requests, its responses): its size and
 * fate worked out once. `arrive` gets a parcel, `lost` is told when it will never arrive (its
 * sender or receiver crashed or was cut off, or the MTU black hole).
 */
export class Channel<P extends Parcel> {
  readonly wireBytes: number;
  /** Fast-path delay by PathKind: latency plus wire bytes at the NIC's rate. */
  readonly delayUs: readonly [number, number, number];
  readonly latencyUs: readonly [number, number, number];
  /** Its packets exceed the underlay's MTU across nodes (never on the same node: no VXLAN there). */
  readonly blackHoled: boolean;
  /** IPsec work at each end across nodes (encrypted overlays). */
  readonly cpuUs: number;
  readonly fast: boolean;
  /** Arrival: delivered if the two ends can still reach each other, else lost. */
  readonly check: (p: P) => void;
  /** Wire bytes sent between nodes since the last takeCarried() (for the network's traffic per window). */
  carried = 0;

  constructor(
    fabric: Fabric,
    net: OverlayNetwork | null,
    readonly payloadBytes: number,
    readonly arrive: (p: P) => void,
    readonly lost: ((p: P) => void) | null,
  ) {
    const mtu = fabric.spec.mtuBytes;
    const format: PacketFormat = net?.format ?? underlayFormat(mtu);
    this.wireBytes = wireBytes(payloadBytes, format);
    const usPerByte = 1 / fabric.nicBytesPerUs;
    const lat = fabric.latencies;
    this.latencyUs = lat;
    // On one node the message crosses the bridge, not the NIC: no encapsulation, no encryption,
    // and a memory copy far faster than the wire (SIMPLIFICATION: taken as instant).
    this.delayUs = [Math.round(lat[0]), Math.round(lat[1] + this.wireBytes * usPerByte), Math.round(lat[2] + this.wireBytes * usPerByte)];
    this.blackHoled = net !== null && blackHoled(payloadBytes, format, mtu);
    this.cpuUs = net?.encrypted ? (this.wireBytes * fabric.spec.encryptionCpuUsPerGB) / 1e9 : 0;
    this.fast = this.wireBytes <= FAST_PATH_BYTES;
    this.check = (p) => {
      if (fabric.reachable(p.from, p.to)) this.arrive(p);
      else this.lost?.(p);
    };
  }

  takeCarried(): number {
    const c = this.carried;
    this.carried = 0;
    return c;
  }
}
