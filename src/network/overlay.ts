/** VXLAN encapsulation adds outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) bytes per packet. */
export const VXLAN_OVERHEAD_BYTES = 50;

/**
 * Bytes on the underlay for `payloadBytes` sent across the overlay: the payload is cut into
 * packets that fit the overlay MTU (underlay MTU minus the VXLAN overhead), each encapsulated.
 */
export function overlayWireBytes(payloadBytes: number, underlayMtuBytes: number): number {
  const perPacket = underlayMtuBytes - VXLAN_OVERHEAD_BYTES;
  const packets = Math.max(1, Math.ceil(payloadBytes / perPacket));
  return payloadBytes + packets * VXLAN_OVERHEAD_BYTES;
}
