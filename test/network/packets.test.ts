// MTU and wire bytes as libnetwork's overlay driver and TCP/IP make them.
import { describe, expect, it } from "vitest";
import {
  ESP_OVERHEAD_BYTES,
  VXLAN_OVERHEAD_BYTES,
  blackHoled,
  largestPacketBytes,
  overlayFormat,
  overlayMtuBytes,
  packetCount,
  underlayFormat,
  wireBytes,
} from "../../src/network/packets.js";

describe("overlay MTU (libnetwork drivers/overlay maxMTU)", () => {
  it.each([
    [1500, false, 1450],
    [1500, true, 1424], // 1500 - 50 - 26, already a multiple of 4
    [1400, false, 1350],
    [1400, true, 1324],
    [9000, true, 8924],
    [1503, true, 1424], // 1427 rounded down to a multiple of 4
  ])("mtu option %i, encrypted %s: containers get %i", (option, encrypted, inner) => {
    expect(overlayMtuBytes(option, encrypted)).toBe(inner);
  });

  it("VXLAN adds 50 bytes and ESP 26 per packet", () => {
    expect(VXLAN_OVERHEAD_BYTES).toBe(20 + 8 + 8 + 14);
    expect(ESP_OVERHEAD_BYTES).toBe(4 + 4 + 8 + 1 + 1 + 8);
  });
});

describe("wire bytes", () => {
  const plain = overlayFormat(1450, false);
  const secure = overlayFormat(1424, true);

  it("a message fitting one segment: payload + IP/TCP + VXLAN", () => {
    expect(wireBytes(1000, plain)).toBe(1000 + 40 + 50);
    expect(wireBytes(0, plain)).toBe(90); // an empty message still takes one packet
  });

  it("a larger one is cut to the MSS (MTU - 40) and every packet is wrapped", () => {
    expect(plain.mssBytes).toBe(1410);
    expect(packetCount(10_000, plain)).toBe(8);
    expect(wireBytes(10_000, plain)).toBe(10_000 + 8 * 90);
    expect(secure.mssBytes).toBe(1384);
    expect(wireBytes(10_000, secure)).toBe(10_000 + Math.ceil(10_000 / 1384) * (40 + 50 + 26));
  });

  it("the hosts' own traffic has no encapsulation and is cut to the path MTU", () => {
    const f = underlayFormat(1500);
    expect(wireBytes(3000, f)).toBe(3000 + 3 * 40);
    expect(largestPacketBytes(3000, f)).toBe(1500);
  });
});

describe("the MTU black hole", () => {
  const overlay = overlayFormat(overlayMtuBytes(1500, false), false);

  it("with a 1400-byte underlay, a full-size overlay packet (1500 on the wire) is dropped", () => {
    expect(largestPacketBytes(100_000, overlay)).toBe(1500);
    expect(blackHoled(100_000, overlay, 1400)).toBe(true);
  });

  it("messages whose packets fit still get through: up to 1400 - 90 bytes", () => {
    expect(blackHoled(1310, overlay, 1400)).toBe(false);
    expect(blackHoled(1311, overlay, 1400)).toBe(true);
    expect(blackHoled(100_000, overlay, 1500)).toBe(false);
  });

  it("an overlay built for the real underlay (mtu: 1400) carries anything", () => {
    const fixed = overlayFormat(overlayMtuBytes(1400, false), false);
    expect(blackHoled(10_000_000, fixed, 1400)).toBe(false);
  });
});
