import type { NetworkSpec } from "../scenario/types.js";
import { formatSubnet, nextPoolSubnet, parseSubnet, usableAddresses, type Subnet } from "./ipam.js";
import { overlayFormat, overlayMtuBytes, type PacketFormat } from "./packets.js";

/** VXLAN network identifiers are handed out in order from here (libnetwork's overlay driver). */
export const FIRST_VNI = 4096;

/** One overlay network as the cluster built it: its VNI, subnet, MTU and packet format. */
export interface OverlayNetwork {
  readonly name: string;
  /** Index in the cluster's network list; the allocator and the data plane key by it. */
  readonly index: number;
  readonly vni: number;
  readonly subnet: Subnet;
  readonly subnetText: string;
  /** Addresses for tasks, VIPs and load-balancer endpoints (the subnet minus network, broadcast, gateway). */
  readonly usableAddresses: number;
  readonly encrypted: boolean;
  /** The MTU of the containers' interfaces on this network. */
  readonly innerMtuBytes: number;
  readonly format: PacketFormat;
  /** The routing mesh's network: every node takes part in it. */
  readonly ingress: boolean;
}

/**
 * The cluster's overlay networks in creation order (ingress first, as `swarm init` creates it):
 * each gets the next VNI, and those without a subnet get the next free /24 of 10.0.0.0/8 that no
 * named subnet overlaps, so the ingress network is 10.0.0.0/24 and the first user network
 * 10.0.1.0/24, as in Docker. Throws if the pool is exhausted (65,536 networks).
 */
export function buildOverlays(specs: readonly NetworkSpec[]): OverlayNetwork[] {
  const taken: Subnet[] = specs.filter((s) => s.subnet !== null).map((s) => parseSubnet(s.subnet!));
  return specs.map((spec, index) => {
    if (spec.driver !== "overlay") throw new Error(`network ${spec.name}: only the overlay driver is modelled, not ${String(spec.driver)}`);
    const subnet: Subnet | null = spec.subnet !== null ? parseSubnet(spec.subnet) : nextPoolSubnet(taken);
    if (subnet === null) throw new Error("ipam: the default address pool 10.0.0.0/8 has no free /24 left");
    if (spec.subnet === null) taken.push(subnet);
    const innerMtuBytes = overlayMtuBytes(spec.mtuBytes, spec.encrypted);
    return {
      name: spec.name,
      index,
      vni: FIRST_VNI + index,
      subnet,
      subnetText: formatSubnet(subnet),
      usableAddresses: usableAddresses(subnet),
      encrypted: spec.encrypted,
      innerMtuBytes,
      format: overlayFormat(innerMtuBytes, spec.encrypted),
      ingress: spec.name === "ingress",
    };
  });
}
