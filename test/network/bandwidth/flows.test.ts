// The flow network against hand-computed transfer times: equal sharing, the textbook topologies run
// in time, a flow joining and leaving mid-way, cancellation, selective update and instant flows.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../../src/kernel/index.js";
import { FlowNetwork, Link } from "../../../src/network/bandwidth/index.js";
import type { Flow } from "../../../src/network/bandwidth/index.js";

/** 10 Gbps in bytes per microsecond. */
const GBPS10 = 1250;

function setup(): { sim: Simulation; net: FlowNetwork; done: Map<string, number>; send: Send } {
  const sim = new Simulation();
  const net = new FlowNetwork(sim);
  const done = new Map<string, number>();
  const record = (label: string): void => {
    expect(done.has(label), `${label} completed twice`).toBe(false);
    done.set(label, sim.now());
  };
  const send: Send = (label, route, bytes, bound = Infinity) => net.start(route, bytes, bound, record, label);
  return { sim, net, done, send };
}

type Send = (label: string, route: readonly Link[], bytes: number, bound?: number) => Flow;

describe("N flows on one link", () => {
  for (const n of [1, 2, 5, 37]) {
    it(`${n} flow(s) of 1 MB on 10 Gbps each get C/${n} and all finish at bytes x ${n} / C`, () => {
      const { sim, net, done, send } = setup();
      const link = new Link("l", GBPS10);
      const flows = Array.from({ length: n }, (_, i) => send(`f${i}`, [link], 1_000_000));
      for (const f of flows) expect(net.rateOf(f)).toBeCloseTo(GBPS10 / n, 9);
      sim.run();
      // 1e6 x n / 1250 is a whole number of microseconds: no flow may end a microsecond late.
      const endUs = (1_000_000 * n) / GBPS10;
      expect([...done.values()]).toEqual(Array(n).fill(endUs));
      // One solve for the starts; the first end finds the others due in the same instant and takes
      // them all off the link in one pass, leaving nothing to solve.
      expect(net.recomputations).toBe(1);
      expect(net.flowsRecomputed).toBe(n);
      expect(net.active).toBe(0);
      expect(link.idle).toBe(true);
      expect(link.bytesCarried).toBeCloseTo(n * 1_000_000, 3);
    });
  }
});

describe("textbook topologies, run in time", () => {
  it("parking lot with equal capacities: every flow gets C/2", () => {
    const { net, send } = setup();
    const links = [1, 2, 3, 4].map((i) => new Link(`L${i}`, 100));
    const long = send("long", links, 1e6);
    const shorts = links.map((l, i) => send(`s${i}`, [l], 1e6));
    for (const f of [long, ...shorts]) expect(net.rateOf(f)).toBeCloseTo(50, 12);
  });

  it("parking lot with L1 = 10 and L2 = 4: long 2, L2 flow 2, L1 flow 8; then each finishes on time", () => {
    const { sim, net, done, send } = setup();
    const l1 = new Link("L1", 10);
    const l2 = new Link("L2", 4);
    const long = send("long", [l1, l2], 400);
    const s1 = send("s1", [l1], 1600);
    const s2 = send("s2", [l2], 100);
    expect([net.rateOf(long), net.rateOf(s1), net.rateOf(s2)]).toEqual([2, 8, 2]);
    sim.run();
    // s2 ends at 50 (100 B at 2); long has 300 B left and gets 4 (L2 alone) while s1 drops to 6:
    // s1 has 1600 - 400 = 1200 left. long ends at 50 + 75 = 125; s1 has 1200 - 450 = 750 left at 10: 200.
    expect(Object.fromEntries(done)).toEqual({ s2: 50, long: 125, s1: 200 });
  });

  it("a flow limited by its other end leaves the rest of the shared link to the other flow (8, not 5)", () => {
    const { net, send } = setup();
    const x = new Link("X", 10);
    const y = new Link("Y", 2);
    const a = send("A", [x, y], 1e6);
    const b = send("B", [x], 1e6);
    expect(net.rateOf(a)).toBe(2);
    expect(net.rateOf(b)).toBe(8);
  });

  it("a flow bounded at 3 (window / RTT) on a link of 10 beside an unbounded flow: 3 and 7", () => {
    const { net, send } = setup();
    const link = new Link("l", 10);
    const bounded = send("bounded", [link], 1e6, 3);
    const free = send("free", [link], 1e6);
    expect(net.rateOf(bounded)).toBe(3);
    expect(net.rateOf(free)).toBe(7);
  });
});

describe("transfer times", () => {
  it("a lone transfer takes bytes / bandwidth, rounded up to the microsecond", () => {
    const { sim, done, send } = setup();
    send("exact", [new Link("a", 1000)], 1_000_000);
    send("fraction", [new Link("b", 1000)], 1001);
    send("third", [new Link("c", 3)], 1);
    sim.run();
    expect(Object.fromEntries(done)).toEqual({ exact: 1000, fraction: 2, third: 1 });
  });

  it("a second flow joining at t1 and leaving at t2 delays the first by what it took", () => {
    const { sim, net, done, send } = setup();
    const link = new Link("l", 1000);
    send("A", [link], 1_000_000);
    // A alone until 200 (200,000 B); both at 500 until B's 100,000 B are through at 400 (A: +100,000);
    // A alone again with 700,000 B left: 700 us more, so 1,100.
    sim.at(200, () => send("B", [link], 100_000));
    sim.run();
    expect(Object.fromEntries(done)).toEqual({ A: 1100, B: 400 });
    expect(net.recomputations).toBe(3);
    expect(link.bytesCarried).toBeCloseTo(1_100_000, 3);
  });

  it("rates that change at fractional shares still end on the hand-computed microsecond", () => {
    const { sim, done, send } = setup();
    const link = new Link("l", 3);
    send("A", [link], 100);
    send("B", [link], 100);
    send("C", [link], 10);
    // 1 B/us each: C ends at 10 (A, B at 90 left), then 1.5 each: 60 us more, at 70 exactly.
    sim.run();
    expect(Object.fromEntries(done)).toEqual({ C: 10, A: 70, B: 70 });
  });
});

describe("batching the changes of one instant", () => {
  it("a flow ending and the flow its callback starts are handled in one recomputation", () => {
    const { sim, net, done, send } = setup();
    const link = new Link("l", 100);
    const other = send("other", [link], 1e6);
    let next: Flow | undefined;
    net.start([link], 1_000, Infinity, () => (next = send("next", [link], 1_000)), null);
    sim.run({ untilUs: 19 });
    const before = net.recomputations;
    // The first flow ends at 20 (50 B/us); its successor starts in its callback.
    sim.run({ untilUs: 20 });
    expect(net.recomputations - before).toBe(1);
    expect(net.rateOf(next!)).toBe(50);
    expect(net.rateOf(other)).toBe(50);
    sim.run({ untilUs: 40 });
    expect(done.get("next")).toBe(40);
  });

  it("flows started by one event and by later events in the same instant share one recomputation", () => {
    const { sim, net, send } = setup();
    const link = new Link("l", 90);
    sim.at(5, () => send("a", [link], 900));
    sim.at(5, () => send("b", [link], 900));
    sim.at(5, () => send("c", [link], 900));
    sim.run({ untilUs: 5 });
    expect(net.recomputations).toBe(1);
    expect(net.flowsRecomputed).toBe(3);
  });
});

describe("selective update", () => {
  it("a flow on disjoint links leaves another busy component's rates and completion times untouched", () => {
    const { sim, net, send } = setup();
    const x = new Link("X", 100);
    const y = new Link("Y", 100);
    const busy = [send("a", [x], 1e6), send("b", [x, y], 1e6), send("c", [y], 1e6)];
    sim.run({ untilUs: 10 });
    const ends = busy.map((f) => f.endUs);
    const rates = busy.map((f) => net.rateOf(f));
    const solvedBefore = net.flowsRecomputed;
    const changedBefore = net.ratesChanged;
    const z = new Link("Z", 100);
    const other = send("d", [z], 1e6);
    sim.run({ untilUs: 10 });
    expect(net.rateOf(other)).toBe(100);
    expect(net.flowsRecomputed - solvedBefore).toBe(1);
    expect(net.ratesChanged).toBe(changedBefore);
    expect(busy.map((f) => f.endUs)).toEqual(ends);
    expect(busy.map((f) => net.rateOf(f))).toEqual(rates);
  });

  it("flows slower than a flow that ends keep their rates and completion times (they are not re-solved)", () => {
    const { sim, net, send } = setup();
    // One component through M, but the slow flows are held to 10 each by S and cannot gain from
    // the end of `fast` (485 on M): only flows at or above its rate are re-solved.
    const s = new Link("S", 30);
    const m = new Link("M", 1000);
    const slow = [send("s1", [s, m], 1e6), send("s2", [s, m], 1e6), send("s3", [s, m], 1e6)];
    const fast = send("fast", [m], 100);
    const other = send("other", [m], 1e6);
    expect(net.rateOf(fast)).toBe(485);
    const ends = slow.map((f) => f.endUs);
    const before = net.flowsRecomputed;
    sim.run({ untilUs: 1 });
    expect(fast.state).toBe("done");
    expect(net.rateOf(other)).toBe(970);
    // Only `other` was re-solved: the three flows at 10 are below fast's 485.
    expect(net.flowsRecomputed - before).toBe(1);
    expect(slow.map((f) => f.endUs)).toEqual(ends);
  });
});

describe("cancel", () => {
  it("frees the bandwidth at once: the survivor speeds up and finishes when the arithmetic says", () => {
    const { sim, net, done, send } = setup();
    const link = new Link("l", 1000);
    const a = send("A", [link], 1_000_000);
    const b = send("B", [link], 1_000_000);
    sim.at(400, () => {
      net.cancel(b);
      expect(net.rateOf(a)).toBe(1000);
      expect(net.rateOf(b)).toBe(0);
    });
    sim.run();
    // 200,000 B by 400, then 800,000 B alone: 800 us more.
    expect(Object.fromEntries(done)).toEqual({ A: 1200 });
    expect(b.state).toBe("cancelled");
    expect(link.bytesCarried).toBeCloseTo(1_200_000, 3);
    net.cancel(b);
    net.cancel(a);
    expect(a.state).toBe("done");
  });

  it("cancelling a flow in the instant its last byte crosses suppresses its callback", () => {
    const { sim, net, done, send } = setup();
    const link = new Link("l", 10);
    // Both end at 20; A started first, so its callback runs first, and it cancels B.
    let b: Flow | undefined;
    const a = net.start([link], 100, Infinity, () => net.cancel(b!), null);
    b = send("B", [link], 100);
    sim.run();
    expect(sim.now()).toBe(20);
    expect(done.has("B")).toBe(false);
    expect(a.state).toBe("done");
    expect(b.state).toBe("cancelled");
    expect(link.bytesCarried).toBeCloseTo(200, 9);
  });

  it("a cancel in the instant a flow would end, before the network's event, suppresses its callback", () => {
    const { sim, net, done, send } = setup();
    const link = new Link("l", 10);
    const a = send("A", [link], 100);
    sim.at(10, () => net.cancel(a));
    sim.run();
    expect(done.size).toBe(0);
    expect(a.state).toBe("cancelled");
    expect(link.bytesCarried).toBeCloseTo(100, 9);
  });
});

describe("flows that complete in the instant", () => {
  it("zero bytes completes in this instant, from an event, never inside start", () => {
    const { sim, done, send } = setup();
    sim.run({ untilUs: 50 });
    const f = send("zero", [new Link("l", 10)], 0);
    expect(done.size).toBe(0);
    expect(f.state).toBe("due");
    sim.run();
    expect(done.get("zero")).toBe(50);
    expect(f.state).toBe("done");
  });

  it("a route of infinite links with no bound completes in this instant and counts its bytes", () => {
    const { sim, net, done, send } = setup();
    const inf = new Link("loopback", Infinity);
    send("instant", [inf], 5_000);
    expect(done.size).toBe(0);
    sim.run();
    expect(done.get("instant")).toBe(0);
    expect(inf.takeBytes()).toBe(5_000);
    expect(inf.takeBytes()).toBe(0);
    expect(net.active).toBe(0);
  });

  it("a bound makes an infinite route a constraint: 1000 B at 10 B/us take 100 us", () => {
    const { sim, done, send } = setup();
    const loopback = new Link("loopback", Infinity);
    send("bounded", [loopback], 1000, 10);
    sim.run({ untilUs: 40 });
    expect(loopback.bytesCarried).toBeCloseTo(400, 9);
    sim.run();
    expect(done.get("bounded")).toBe(100);
    expect(loopback.bytesCarried).toBeCloseTo(1000, 9);
  });
});

describe("accounting and input checks", () => {
  it("takeBytes gives the bytes of each window, flows in progress included", () => {
    const { sim, send } = setup();
    const link = new Link("l", 100);
    send("A", [link], 10_000);
    sim.run({ untilUs: 30 });
    expect(link.takeBytes()).toBeCloseTo(3_000, 9);
    link.addBytes(7);
    sim.run({ untilUs: 50 });
    expect(link.takeBytes()).toBeCloseTo(2_007, 9);
    sim.run();
    expect(link.takeBytes()).toBeCloseTo(5_000, 6);
    expect(link.bytesCarried).toBeCloseTo(10_007, 6);
  });

  it("rejects bad input", () => {
    const { net } = setup();
    const l = new Link("l", 1);
    expect(() => new Link("bad", 0)).toThrow(/capacity/);
    expect(() => net.start([l], -1, Infinity, () => undefined, null)).toThrow(/bytes/);
    expect(() => net.start([l], 1, 0, () => undefined, null)).toThrow(/bound/);
    expect(() => net.start([l, l], 1, Infinity, () => undefined, null)).toThrow(/twice/);
    expect(() => new FlowNetwork(new Simulation()).start([l], 1, Infinity, () => undefined, null)).toThrow(/another/);
  });
});
