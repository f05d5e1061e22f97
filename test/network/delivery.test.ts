// The one delivery path: transfer times against theory (latency + wire bytes over bandwidth, and
// max-min sharing of a NIC), image pulls through a shared registry egress, the MTU black hole,
// and IPsec work on both hosts' CPUs.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { Host, type HostSpec } from "../../src/cluster/host.js";
import { Channel, Delivery } from "../../src/network/delivery.js";
import { Fabric } from "../../src/network/fabric.js";
import { buildOverlays } from "../../src/network/overlay.js";
import { overlayFormat, underlayFormat, wireBytes } from "../../src/network/packets.js";
import type { FabricSpec, NetworkSpec } from "../../src/scenario/types.js";

const GBPS_10 = 10e9;
const B_PER_US = GBPS_10 / 8e6; // 1250

function fabricSpec(o: Partial<FabricSpec> = {}): FabricSpec {
  return {
    latency: { sameNodeUs: 20, sameZoneUs: 100, crossZoneUs: 1000 },
    bandwidthBitsPerS: GBPS_10,
    crossZoneBandwidthBitsPerS: 0,
    mtuBytes: 1500,
    encryptionCpuUsPerGB: 4_000_000,
    ...o,
  };
}

function world(o: Partial<FabricSpec> = {}, registry = { bandwidthBitsPerS: 0, latencyUs: 10_000 }) {
  const sim = new Simulation();
  const fabric = new Fabric(fabricSpec(o), registry);
  const delivery = new Delivery(sim, fabric);
  const host = (i: number, zone = "a", cores = 4): Host => {
    const spec: HostSpec = { name: `h${i}`, role: "worker", group: "h", zone, cpuCores: cores, memoryBytes: 1e9, labels: {}, engineLabels: {}, generic: {}, runsTasks: true, images: [] };
    return new Host(i, spec, sim);
  };
  return { sim, fabric, delivery, host };
}

interface Msg {
  from: Host;
  to: Host;
  doneUs?: number;
  lost?: boolean;
}

function channel(w: ReturnType<typeof world>, bytes: number, net: NetworkSpec | null = null): Channel<Msg> {
  const overlay = net ? buildOverlays([net])[0]! : null;
  return new Channel<Msg>(w.fabric, overlay, bytes, (m) => void (m.doneUs = w.sim.now()), (m) => void (m.lost = true));
}

const overlay = (o: Partial<NetworkSpec> = {}): NetworkSpec => ({ name: "ingress", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false, ...o });

describe("transfer times", () => {
  it("a small message on quiet links: latency + wire bytes at the NIC's rate", () => {
    const w = world();
    const [a, b, c] = [w.host(0, "a"), w.host(1, "a"), w.host(2, "b")];
    const ch = channel(w, 1000, overlay());
    const m1: Msg = { from: a, to: b };
    const m2: Msg = { from: a, to: c };
    w.delivery.send(ch, m1);
    w.delivery.send(ch, m2);
    w.sim.run();
    expect(m1.doneUs).toBe(Math.round(100 + 1090 / B_PER_US));
    expect(m2.doneUs).toBe(Math.round(1000 + 1090 / B_PER_US));
  });

  it("a single large transfer: latency + wire bytes over bandwidth", () => {
    const w = world();
    const bytes = 100 * 2 ** 20;
    const ch = channel(w, bytes, overlay());
    const m: Msg = { from: w.host(0), to: w.host(1) };
    w.delivery.send(ch, m);
    w.sim.run();
    const expected = 100 + wireBytes(bytes, overlayFormat(1450, false)) / B_PER_US;
    expect(Math.abs(m.doneUs! - expected)).toBeLessThanOrEqual(1);
  });

  it("N senders into one receiver share its NIC: each takes N times as long", () => {
    const w = world();
    const bytes = 10 * 2 ** 20;
    const ch = channel(w, bytes, overlay());
    const sink = w.host(0);
    const msgs = [1, 2, 3, 4].map((i) => ({ from: w.host(i), to: sink }) as Msg);
    for (const m of msgs) w.delivery.send(ch, m);
    w.sim.run();
    const one = wireBytes(bytes, overlayFormat(1450, false)) / B_PER_US;
    for (const m of msgs) expect(Math.abs(m.doneUs! - (100 + 4 * one))).toBeLessThanOrEqual(2);
  });

  it("a NIC that small messages keep over half busy queues them in order at its rate: no flow, and the last waits for all the others", () => {
    const w = world();
    const sender = w.host(0);
    const receivers = Array.from({ length: 1000 }, (_, i) => w.host(i + 1));
    const heavy = channel(w, 60_000);
    const light = channel(w, 10_000);
    // 10 ms of 60 KB messages every 50 us: about 1,200 bytes/us of the NIC's 1,250.
    for (let t = 0; t < 10_000; t += 50) w.sim.at(t, () => w.delivery.send(heavy, { from: sender, to: receivers[t / 50]! }));
    const burst: Msg[] = receivers.map((to) => ({ from: sender, to }));
    w.sim.at(10_000, () => {
      for (const m of burst) w.delivery.send(light, m);
      expect(w.fabric.nic(sender).tx.link.flows.length).toBe(0);
    });
    w.sim.run();
    const perMessageUs = light.wireBytes / B_PER_US;
    const arrivals = burst.map((m) => m.doneUs!);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]!).toBeGreaterThanOrEqual(arrivals[i - 1]!);
    // The first of the burst closes the busy window and goes at once; the other 999 queue in
    // order at the NIC's rate: the last leaves 999 messages' time after the burst, plus latency.
    expect(Math.abs(arrivals[999]! - (10_000 + 100 + 999 * perMessageUs))).toBeLessThanOrEqual(2);
    expect(Math.abs(arrivals[0]! - (10_000 + 100 + perMessageUs))).toBeLessThanOrEqual(2);
  });

  it("a small message beside 3 transfers on its NIC takes 4 times its wire time, as max-min would give it, and is no flow", () => {
    const w = world();
    const [a, b, c] = [w.host(0), w.host(1), w.host(2)];
    const big = channel(w, 10 * 2 ** 20);
    for (let i = 0; i < 3; i++) w.delivery.send(big, { from: a, to: b });
    const small = channel(w, 10_000);
    const m: Msg = { from: a, to: c };
    w.sim.at(1_000, () => {
      w.delivery.send(small, m);
      expect(w.fabric.nic(a).tx.link.flows.length).toBe(3);
    });
    w.sim.run();
    expect(Math.abs(m.doneUs! - (1_000 + 100 + (4 * small.wireBytes) / B_PER_US))).toBeLessThanOrEqual(1);
  });

  it("once the transfers have left the NIC, small messages cross at wire time again, a burst of them too; the NIC's count has every byte", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const receivers = Array.from({ length: 100 }, (_, i) => w.host(i + 2));
    const big = channel(w, 1_000_000);
    for (let i = 0; i < 3; i++) w.delivery.send(big, { from: a, to: b });
    const small = channel(w, 10_000);
    const burst: Msg[] = receivers.map((to) => ({ from: a, to }));
    // The three share the NIC for 3 x wire time: 1 s is long after, and the busy window has passed.
    w.sim.at(1_000_000, () => {
      expect(w.fabric.nic(a).tx.link.flows.length).toBe(0);
      for (const m of burst) w.delivery.send(small, m);
    });
    w.sim.run();
    // A NIC still taken for busy would queue them: the last would wait for the 99 before it.
    for (const m of burst) expect(Math.abs(m.doneUs! - (1_000_000 + 100 + small.wireBytes / B_PER_US))).toBeLessThanOrEqual(1);
    expect(w.fabric.takeHostBytes(a).tx).toBeCloseTo(3 * big.wireBytes + 100 * small.wireBytes, 3);
    expect(w.fabric.takeHostBytes(a).tx).toBe(0);
  });

  it("small messages that keep a link between zones over half busy queue on it at its rate; within a zone they go at once", () => {
    const w = world({ crossZoneBandwidthBitsPerS: 1e9 }); // 125 bytes/us
    const zoneA = Array.from({ length: 210 }, (_, i) => w.host(i, "a"));
    const zoneB = Array.from({ length: 210 }, (_, i) => w.host(1_000 + i, "b"));
    const msg = channel(w, 10_000);
    // 10 ms of 10 KB messages every 50 us, each between two hosts of their own: 200 bytes/us
    // across the zones, more than the link carries, though no NIC is busy.
    for (let k = 0; k < 200; k++) w.sim.at(50 * k, () => w.delivery.send(msg, { from: zoneA[k]!, to: zoneB[k]! }));
    const across: Msg = { from: zoneA[205]!, to: zoneB[205]! };
    const within: Msg = { from: zoneA[206]!, to: zoneA[207]! };
    // The window closes at 10 ms (the first message after it finds it was busy); 100 us later:
    w.sim.at(10_000, () => w.delivery.send(msg, { from: zoneA[200]!, to: zoneB[200]! }));
    w.sim.at(10_100, () => {
      w.delivery.send(msg, across);
      w.delivery.send(msg, within);
    });
    w.sim.run();
    expect(Math.abs(across.doneUs! - (10_100 + 1_000 + msg.wireBytes / 125))).toBeLessThanOrEqual(2);
    expect(Math.abs(within.doneUs! - (10_100 + 100 + msg.wireBytes / B_PER_US))).toBeLessThanOrEqual(1);
  });

  it("the hosts' own traffic goes the same way: a 1 MB message takes latency + wire over bandwidth", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    let at = -1;
    w.delivery.sendHost(a, b, 1_000_000, () => void (at = w.sim.now()), null);
    w.sim.run();
    expect(Math.abs(at - (100 + wireBytes(1_000_000, underlayFormat(1500)) / B_PER_US))).toBeLessThanOrEqual(1);
  });

  it("a crashed receiver: the transfer is lost and frees the link", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const ch = channel(w, 50 * 2 ** 20, overlay());
    const m: Msg = { from: a, to: b };
    w.delivery.send(ch, m);
    w.sim.run({ untilUs: 1000 });
    b.up = false;
    w.delivery.hostDown(b);
    w.sim.run();
    expect(m.lost).toBe(true);
    expect(m.doneUs).toBeUndefined();
    expect(w.delivery.flows.active).toBe(0);
  });
});

describe("partitions", () => {
  it("a transfer between hosts a partition separates stalls, and goes on from where it was when it heals", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const ch = channel(w, 100 * 2 ** 20, overlay());
    const m: Msg = { from: a, to: b };
    w.delivery.send(ch, m);
    w.sim.run({ untilUs: 20_000 });
    const p = w.fabric.partition([["h0"], ["h1"]], w.sim.now());
    w.delivery.partitioned();
    expect(w.delivery.flows.active).toBe(0); // its bandwidth is free meanwhile
    w.sim.run({ untilUs: 2_020_000 });
    w.fabric.heal(p);
    w.delivery.healed();
    w.sim.run();
    const alone = 100 + wireBytes(100 * 2 ** 20, overlayFormat(1450, false)) / B_PER_US;
    expect(Math.abs(m.doneUs! - (alone + 2_000_000))).toBeLessThanOrEqual(2);
  });
});

describe("a stream between two hosts (Raft's connection)", () => {
  // 20 MB go as a transfer (over 64 KiB: 16 ms at 10 Gbps); 100 bytes by the fast path, in 0.1 ms.
  function sendBoth(inOrder: boolean) {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const got: string[] = [];
    const hand = (m: string) => void got.push(m);
    w.delivery.sendHost(a, b, 20_000_000, hand, "big", inOrder);
    w.delivery.sendHost(a, b, 100, hand, "small", inOrder);
    return { w, a, got };
  }

  it("a small message sent after a large one is handed over after it, not when it arrives", () => {
    const plain = sendBoth(false);
    plain.w.sim.run();
    expect(plain.got).toEqual(["small", "big"]);
    const stream = sendBoth(true);
    stream.w.sim.run();
    expect(stream.got).toEqual(["big", "small"]);
  });

  it("when the sender crashes mid-transfer, the large one is lost and the small one that arrived is handed over", () => {
    const { w, a, got } = sendBoth(true);
    w.sim.run({ untilUs: 1_000 }); // the small one has arrived and waits; the large one is on the wire
    expect(got).toEqual([]);
    a.up = false;
    w.delivery.hostDown(a);
    w.sim.run();
    expect(got).toEqual(["small"]);
  });
});

describe("a partition in the microsecond a transfer's last byte crosses", () => {
  it("the transfer, stalled with nothing left to send, finishes when the partition heals", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const bytes = 10 * 2 ** 20;
    const lastByteUs = Math.ceil(wireBytes(bytes, overlayFormat(1450, false)) / B_PER_US);
    let running = -1;
    let p: ReturnType<typeof w.fabric.partition> | null = null;
    // Scheduled before the transfer starts, so it runs before the flow's own end in that microsecond.
    w.sim.at(lastByteUs, () => {
      running = w.delivery.flows.active;
      p = w.fabric.partition([["h0"], ["h1"]], w.sim.now());
      w.delivery.partitioned();
    });
    const m: Msg = { from: a, to: b };
    w.delivery.send(channel(w, bytes, overlay()), m);
    w.sim.run({ untilUs: 1_000_000 });
    expect(running).toBe(1);
    expect(m.doneUs).toBeUndefined();
    w.fabric.heal(p!);
    w.delivery.healed();
    w.sim.run();
    expect(m.doneUs).toBe(1_000_000 + 100); // the same-zone latency after the heal
  });
});

describe("image pulls", () => {
  it("50 nodes pulling 1 GB together from a 1 Gbps registry take 50 x 8 s (its egress is shared)", () => {
    const w = world({}, { bandwidthBitsPerS: 1e9, latencyUs: 1_000 });
    const done: number[] = [];
    for (let i = 0; i < 50; i++) w.delivery.pull(w.host(i), 1e9, () => done.push(w.sim.now()), () => undefined);
    w.sim.run();
    const wire = wireBytes(1e9, underlayFormat(1500));
    const expectedUs = (50 * wire) / (1e9 / 8e6) + 1_000;
    expect(done).toHaveLength(50);
    for (const t of done) expect(Math.abs(t - expectedUs) / expectedUs).toBeLessThan(1e-6);
  });

  it("one pull from a distant registry is bounded by the TCP window over the round trip", () => {
    const w = world({}, { bandwidthBitsPerS: 0, latencyUs: 20_000 });
    let at = 0;
    w.delivery.pull(w.host(0), 1e9, () => void (at = w.sim.now()), () => undefined);
    w.sim.run();
    const rate = (4 * 2 ** 20) / 40_000; // bytes per us: 4 MiB per 40 ms round trip
    expect(Math.abs(at - (20_000 + wireBytes(1e9, underlayFormat(1500)) / rate))).toBeLessThanOrEqual(2);
  });
});

describe("the MTU black hole", () => {
  it("with a 1400-byte underlay, small messages arrive and large ones are lost; mtu: 1400 on the network fixes it", () => {
    const w = world({ mtuBytes: 1400 });
    const [a, b] = [w.host(0), w.host(1)];
    const small: Msg = { from: a, to: b };
    const large: Msg = { from: a, to: b };
    const fixed: Msg = { from: a, to: b };
    w.delivery.send(channel(w, 1000, overlay()), small);
    w.delivery.send(channel(w, 64 * 1024, overlay()), large);
    w.delivery.send(channel(w, 64 * 1024, overlay({ mtuBytes: 1400 })), fixed);
    w.sim.run();
    expect(small.doneUs).toBeDefined();
    expect(large.lost).toBe(true);
    expect(large.doneUs).toBeUndefined();
    expect(fixed.doneUs).toBeDefined();
  });

  it("on the same node there is no VXLAN: no black hole", () => {
    const w = world({ mtuBytes: 1400 });
    const a = w.host(0);
    const m: Msg = { from: a, to: a };
    w.delivery.send(channel(w, 64 * 1024, overlay()), m);
    w.sim.run();
    expect(m.doneUs).toBeDefined();
  });
});

describe("encryption", () => {
  it("takes CPU on both hosts: 4 s per GB at each end, so a 100 MB transfer uses 0.4 core-seconds on each", () => {
    const w = world();
    const [a, b] = [w.host(0), w.host(1)];
    const ch = channel(w, 1e8, overlay({ encrypted: true }));
    const m: Msg = { from: a, to: b };
    w.delivery.send(ch, m);
    w.sim.run();
    const cpuUs = (ch.wireBytes * 4_000_000) / 1e9;
    expect(a.cpu.takeBusyCoreUs()).toBeCloseTo(cpuUs, -1);
    expect(b.cpu.takeBusyCoreUs()).toBeCloseTo(cpuUs, -1);
    // One core per transfer: the CPU (0.41 s) is slower than the wire (0.08 s), so it decides.
    expect(Math.abs(m.doneUs! - cpuUs)).toBeLessThanOrEqual(2);
  });

  it("a busy node encrypts slower: CPU is shared with its containers", () => {
    const w = world();
    const [a, b] = [w.host(0, "a", 1), w.host(1, "a", 1)];
    const busy = a.cpu.group(Infinity);
    a.cpu.submit(busy, 10_000_000, () => undefined, null);
    const ch = channel(w, 1e8, overlay({ encrypted: true }));
    const m: Msg = { from: a, to: b };
    w.delivery.send(ch, m);
    w.sim.run();
    expect(m.doneUs!).toBeGreaterThan(1.9 * ch.cpuUs);
  });
});
