// Address management as libnetwork does it for swarm overlays: reserved addresses, serial
// allocation, /24s carved from 10.0.0.0/8, and swarmkit's network creation order.
import { describe, expect, it } from "vitest";
import { AddressSpace, formatIpv4, formatSubnet, nextPoolSubnet, parseSubnet, usableAddresses } from "../../src/network/ipam.js";
import { buildOverlays } from "../../src/network/overlay.js";
import type { NetworkSpec } from "../../src/scenario/types.js";

describe("usable addresses: the subnet minus network, broadcast and gateway", () => {
  it.each([
    ["10.0.1.0/24", 253],
    ["10.0.1.0/28", 13],
    ["10.0.4.0/22", 1021],
    ["10.1.0.0/16", 65_533],
  ])("%s has %i", (subnet, usable) => {
    expect(usableAddresses(parseSubnet(subnet))).toBe(usable);
    expect(new AddressSpace(parseSubnet(subnet)).usable).toBe(usable);
  });
});

describe("AddressSpace", () => {
  it("gives .2 first (.1 is the gateway), then every usable address once, then nothing", () => {
    const s = new AddressSpace(parseSubnet("10.0.9.0/28"));
    expect(formatIpv4(s.gateway)).toBe("10.0.9.1");
    const got: string[] = [];
    for (let a = s.allocate(); a !== null; a = s.allocate()) got.push(formatIpv4(a));
    expect(got[0]).toBe("10.0.9.2");
    expect(got.at(-1)).toBe("10.0.9.14");
    expect(got).toHaveLength(13);
    expect(new Set(got).size).toBe(13);
    expect(got).not.toContain("10.0.9.15"); // broadcast
    expect(s.inUse).toBe(13);
  });

  it("allocates serially: a freed address is reused only after the others", () => {
    const s = new AddressSpace(parseSubnet("10.0.9.0/28"));
    const a = s.allocate()!;
    const b = s.allocate()!;
    s.release(a);
    const c = s.allocate()!;
    expect(c).toBe(b + 1);
    // Fill the rest: the search wraps and finds the freed one last.
    const rest: number[] = [];
    for (let x = s.allocate(); x !== null; x = s.allocate()) rest.push(x);
    expect(rest.at(-1)).toBe(a);
    expect(s.inUse).toBe(13);
  });

  it("claims what a new leader restores, and refuses reserved or taken addresses", () => {
    const s = new AddressSpace(parseSubnet("10.0.9.0/29"));
    const base = parseSubnet("10.0.9.0/29").base;
    expect(s.claim(base + 3)).toBe(true);
    expect(s.claim(base + 3)).toBe(false);
    expect(s.claim(base)).toBe(false);
    expect(s.claim(base + 1)).toBe(false);
    expect(s.claim(base + 7)).toBe(false);
    expect(s.inUse).toBe(1);
  });
});

describe("subnets from the default pool", () => {
  it("the next free /24 of 10.0.0.0/8", () => {
    expect(formatSubnet(nextPoolSubnet([])!)).toBe("10.0.0.0/24");
    expect(formatSubnet(nextPoolSubnet([parseSubnet("10.0.0.0/24"), parseSubnet("10.0.1.0/24")])!)).toBe("10.0.2.0/24");
    expect(formatSubnet(nextPoolSubnet([parseSubnet("10.0.0.0/16")])!)).toBe("10.1.0.0/24");
  });

  const net = (name: string, subnet: string | null = null): NetworkSpec => ({ name, driver: "overlay", subnet, encrypted: false, mtuBytes: 1500, attachable: false });

  it("ingress first (10.0.0.0/24, VNI 4096), then the networks in order, skipping named subnets", () => {
    const nets = buildOverlays([net("ingress"), net("a", "10.0.1.0/24"), net("b"), net("c")]);
    expect(nets.map((n) => [n.name, n.subnetText, n.vni])).toEqual([
      ["ingress", "10.0.0.0/24", 4096],
      ["a", "10.0.1.0/24", 4097],
      ["b", "10.0.2.0/24", 4098],
      ["c", "10.0.3.0/24", 4099],
    ]);
    expect(nets[0]!.ingress).toBe(true);
    expect(nets[0]!.innerMtuBytes).toBe(1450);
  });
});
