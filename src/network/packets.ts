// How many bytes a message is on the wire, and whether its packets fit the path: TCP segments
// cut to the MSS, IPv4 and TCP headers, VXLAN encapsulation on overlays and ESP on encrypted
// ones (libnetwork drivers/overlay). "Wire bytes" are IP-level bytes on the underlay: the
// underlay's own Ethernet framing is left out (SIMPLIFICATION: NIC bandwidth is taken as
// IP-level throughput).

/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + the inner Ethernet header (14) (libnetwork vxlanEncap). */
export const VXLAN_OVERHEAD_BYTES = 50;
/** IPsec ESP on an encrypted overlay: SPI 4 + sequence 4 + IV 8 + pad length 1 + next header 1 + ICV 8 (libnetwork pktExpansion). */
export const ESP_OVERHEAD_BYTES = 26;
/** IPv4 (20) and TCP (20) headers of every segment, without options. */
export const TCP_IP_HEADER_BYTES = 40;

/** How a path cuts and wraps the messages sent over it. */
export interface PacketFormat {
  /** Largest TCP payload per packet: the sender's MTU minus the IP and TCP headers. */
  mssBytes: number;
  /** Bytes each packet carries on the underlay beyond its TCP payload. */
  overheadBytes: number;
  /** Bytes of encapsulation around each inner packet (0 for the hosts' own traffic). */
  encapBytes: number;
}

/**
 * The MTU of an overlay's containers, as libnetwork computes it (drivers/overlay maxMTU): the
 * network's `mtu` option (1500 unless set, whatever the underlay really carries) minus VXLAN, and
 * on an encrypted network minus ESP too, rounded down to a multiple of 4.
 */
export function overlayMtuBytes(optionMtuBytes: number, encrypted: boolean): number {
  let mtu = optionMtuBytes - VXLAN_OVERHEAD_BYTES;
  if (encrypted) {
    mtu -= ESP_OVERHEAD_BYTES;
    mtu -= mtu % 4;
  }
  return mtu;
}

/** Packets of an overlay whose containers have `innerMtuBytes`. */
export function overlayFormat(innerMtuBytes: number, encrypted: boolean): PacketFormat {
  const encapBytes = VXLAN_OVERHEAD_BYTES + (encrypted ? ESP_OVERHEAD_BYTES : 0);
  return { mssBytes: innerMtuBytes - TCP_IP_HEADER_BYTES, overheadBytes: TCP_IP_HEADER_BYTES + encapBytes, encapBytes };
}

/**
 * Packets of the hosts' own traffic (Raft, heartbeats, image pulls): not encapsulated, and cut to
 * the path's MTU, which the hosts' TCP learns by path-MTU discovery.
 */
export function underlayFormat(pathMtuBytes: number): PacketFormat {
  return { mssBytes: pathMtuBytes - TCP_IP_HEADER_BYTES, overheadBytes: TCP_IP_HEADER_BYTES, encapBytes: 0 };
}

/** Packets a message of `payloadBytes` takes (an empty one still takes one). */
export function packetCount(payloadBytes: number, f: PacketFormat): number {
  return Math.max(1, Math.ceil(payloadBytes / f.mssBytes));
}

/** Bytes on the underlay for a message of `payloadBytes`. */
export function wireBytes(payloadBytes: number, f: PacketFormat): number {
  return payloadBytes + packetCount(payloadBytes, f) * f.overheadBytes;
}

/** The largest underlay packet the message makes: a full segment, or the whole message if smaller. */
export function largestPacketBytes(payloadBytes: number, f: PacketFormat): number {
  return Math.min(payloadBytes, f.mssBytes) + f.overheadBytes;
}

/**
 * Whether the message's packets exceed what the path carries. For an overlay this is the MTU
 * black hole: the VTEP's outer packet is dropped on the way and the ICMP "fragmentation needed"
 * never reaches the container's TCP, so it resends the same segment until the caller gives up
 * (moby/moby#24906). Small messages get through; large ones never arrive.
 */
export function blackHoled(payloadBytes: number, f: PacketFormat, pathMtuBytes: number): boolean {
  return largestPacketBytes(payloadBytes, f) > pathMtuBytes;
}
