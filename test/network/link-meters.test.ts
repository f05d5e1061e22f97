// The small messages' state of the links, one row per link in a table (link-meters.ts): when a
// link counts as busy (a transfer on it, a busy load window, a queue), the queue's times, and
// the bytes a NIC's count takes, with and without its link having carried a transfer.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { FlowNetwork, Link } from "../../src/network/bandwidth/index.js";
import { LinkMeters, MeteredLink } from "../../src/network/link-meters.js";

/** 10 Gbps in bytes per microsecond. */
const B_PER_US = 1250;
/** The load window, as link-meters.ts measures it. */
const WINDOW_US = 10_000;

describe("a metered link", () => {
  it("is busy for two windows after a window in which small messages used over half of it, and not after one under half", () => {
    const m = new LinkMeters(B_PER_US);
    // Window [0, 10 ms): 0.6 of capacity on slot 0, 0.4 on slot 1.
    for (let t = 0; t < WINDOW_US; t += 100) {
      m.carry(0, t, 0.6 * 100 * B_PER_US);
      m.carry(1, t, 0.4 * 100 * B_PER_US);
    }
    // The window closes with the next message: the busy one is hot for two windows from then.
    m.carry(0, WINDOW_US, 1);
    m.carry(1, WINDOW_US, 1);
    expect(m.contended(0, WINDOW_US)).toBe(true);
    expect(m.contended(0, 3 * WINDOW_US - 1)).toBe(true);
    expect(m.contended(0, 3 * WINDOW_US)).toBe(false);
    expect(m.contended(1, WINDOW_US)).toBe(false);
  });

  it("queues small messages in order at its capacity, and a crash empties the queue", () => {
    const m = new LinkMeters(B_PER_US);
    const link = new MeteredLink(m, 3, new Link("nic", B_PER_US)).link;
    const done = [0, 1, 2].map(() => m.enqueue(3, link, 1_000, 12_500));
    expect(done).toEqual([1_010, 1_020, 1_030]);
    expect(m.contended(3, 1_029)).toBe(true);
    m.clearQueue(3);
    expect(m.contended(3, 1_029)).toBe(false);
    expect(m.enqueue(3, link, 1_029, 12_500)).toBe(1_039);
  });

  it("is busy while a transfer is on it, told by the link as flows come and go", () => {
    const sim = new Simulation();
    const m = new LinkMeters(B_PER_US);
    const metered = new MeteredLink(m, 5, new Link("nic", B_PER_US));
    const net = new FlowNetwork(sim);
    net.start([metered.link], 1_250_000, Infinity, () => undefined, null); // 1 ms alone
    sim.run({ untilUs: 500 });
    expect(m.contended(5, 500)).toBe(true);
    sim.run({ untilUs: 2_000 });
    expect(m.contended(5, 2_000)).toBe(false);
  });

  it("gives a NIC's count its transfers' bytes and its small messages', taken in the middle of a transfer too", () => {
    const sim = new Simulation();
    const m = new LinkMeters(B_PER_US);
    const metered = new MeteredLink(m, 0, new Link("nic", B_PER_US));
    const net = new FlowNetwork(sim);
    net.start([metered.link], 3_000_000, Infinity, () => undefined, null); // 2.4 ms alone
    const taken: number[] = [];
    for (const t of [800, 1_600, 3_000]) {
      sim.run({ untilUs: t });
      m.count(0, 100);
      taken.push(m.take(0, metered.link));
    }
    // A third of the transfer in each of the first two, the rest in the last; 100 small bytes each.
    expect(taken[0]).toBeCloseTo(1_000_100, 6);
    expect(taken[1]).toBeCloseTo(1_000_100, 6);
    expect(taken[2]).toBeCloseTo(1_000_100, 6);
    // Nothing since: the link is not read, and its small bytes alone are the count.
    m.carry(0, 4_000, 300);
    expect(m.flowed(0)).toBe(false);
    expect(m.take(0, metered.link)).toBe(300);
    expect(m.take(0, null)).toBe(0);
  });

  it("counts a slot beyond the table as idle and empty, and refuses a link with no limit", () => {
    const m = new LinkMeters(B_PER_US, 1);
    expect(m.take(40, null)).toBe(0);
    expect(m.flowed(40)).toBe(false);
    m.clearQueue(40);
    m.ensure(40);
    expect(m.contended(40, 0)).toBe(false);
    expect(() => new MeteredLink(m, 1, new Link("unlimited", Infinity))).toThrow(/no capacity limit/);
  });
});
