// Each node's IPVS table: learned by gossip at the node's own time, with its own round-robin
// position (moby/moby#25985 for the staleness; the position is per node as in Linux IPVS on each
// node). The tables are one list per service asked per node: these tests hold it to the per-node
// definition.
import { describe, expect, it } from "vitest";
import { ServiceEndpoints, learnedAtUs, newBackend, type Backend, type Change } from "../../src/network/endpoints.js";
import { epidemicCdf, failureDetectionUs, GOSSIP_ROUND_US } from "../../src/network/gossip.js";
import { Routing } from "../../src/network/routing.js";
import { buildOverlays } from "../../src/network/overlay.js";
import { parseScenario } from "../../src/scenario/index.js";
import { RandomStream } from "../../src/kernel/index.js";
import { scenarioYaml } from "../helpers.js";

const KEY = 987654;

/** A backend of container `id` on node `node`. */
function backend(id: string, node: number): Backend<{ id: string }> {
  return newBackend({ id }, node);
}

function change(b: Backend<{ id: string }>, join: boolean, atUs: number, seq: number, peers: number, origin = b.nodeIndex): Change<{ id: string }> {
  return { join, backend: b, atUs, originIndex: origin, spreadFromUs: atUs, cdf: epidemicCdf(peers), seq };
}

const ids = (bs: readonly Backend<{ id: string }>[]): string[] => bs.map((b) => b.container.id);

describe("a node's table", () => {
  it("the backend's own node knows at once; the others after their gossip rounds", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const b = backend("a", 3);
    e.record(change(b, true, 1_000, 0, 50));
    expect(e.visible(3, 1_000)).toEqual([b]);
    const times = Array.from({ length: 50 }, (_, n) => learnedAtUs(change(b, true, 1_000, 0, 50), n, KEY));
    const others = times.filter((_, n) => n !== 3);
    expect(Math.min(...others)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...others)).toBeGreaterThan(1_000 + GOSSIP_ROUND_US);
    expect(times[3]).toBe(1_000);
    for (let n = 0; n < 50; n++) {
      expect(e.visible(n, times[n]! - 1)).toEqual([]);
      expect(e.pick(n, times[n]! - 1)).toBe(null);
      expect(e.visible(n, times[n]!)).toEqual([b]);
      expect(e.pick(n, times[n]!)).toBe(b);
    }
  });

  it("holds, on every node at every time, exactly the backends whose join it learned and whose leave it did not", () => {
    // The reference is the per-node definition; joins, graceful leaves and crashes interleave.
    const rng = new RandomStream("endpoints", 7);
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const all: Backend<{ id: string }>[] = [];
    let seq = 0;
    for (let i = 0; i < 60; i++) {
      const at = i * 150_000;
      const b = backend(`b${i}`, rng.int(40));
      e.record(change(b, true, at, seq++, 40));
      all.push(b);
      if (rng.next() < 0.5) {
        const victim = all[rng.int(all.length)]!;
        if (victim.leave === null) {
          const crash = rng.next() < 0.5;
          const leave = { ...change(victim, false, at, seq++, 40, crash ? -1 : victim.nodeIndex), spreadFromUs: at + (crash ? 2_000_000 : 0) };
          e.record(leave);
        }
      }
    }
    const holds = (b: Backend<{ id: string }>, n: number, t: number): boolean =>
      learnedAtUs(b, n, KEY) <= t && !(b.leave !== null && learnedAtUs(b.leave, n, KEY) <= t);
    let checked = 0;
    for (let t = 0; t < 14_000_000; t += 97_000) {
      for (let n = 0; n < 40; n += 3) {
        const held = all.filter((b) => holds(b, n, t));
        expect(ids(e.visible(n, t))).toEqual(ids(held));
        // A pick is one of them (and none when it holds none), however settled the list is.
        const pick = e.pick(n, t);
        expect(pick === null ? held.length === 0 : held.includes(pick)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1_000);
  });

  it("round-robin goes on from each node's last pick as backends come and go", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const [a, b, c, d] = [backend("a", 0), backend("b", 0), backend("c", 0), backend("d", 0)];
    e.record(change(a, true, 0, 0, 1));
    e.record(change(b, true, 0, 1, 1));
    e.record(change(c, true, 0, 2, 1));
    const picks = (n: number, at: number): string[] => Array.from({ length: n }, () => e.pick(0, at)!.container.id);
    // The first pick starts somewhere in the list; from there the node walks it in join order.
    const first = picks(1, 0)[0]!;
    const order = ["a", "b", "c"];
    const after = (id: string, list: string[]): string => list[(list.indexOf(id) + 1) % list.length]!;
    expect(picks(1, 0)).toEqual([after(first, order)]);
    // Go on until the last pick was a: next is b.
    while (picks(1, 0)[0] !== "a");
    e.record(change(d, true, 10, 3, 1)); // appended: it comes after c
    expect(picks(4, 10)).toEqual(["b", "c", "d", "a"]);
    // The last pick (a) leaves: IPVS goes on with the one after it.
    e.record(change(a, false, 20, 4, 1));
    expect(picks(3, 20)).toEqual(["b", "c", "d"]);
    // Long after, every node knows the leave and a is swept from the list; positions hold.
    expect(picks(3, 60_000_000)).toEqual(["b", "c", "d"]);
  });

  it("each node's picks go round its own table in join order, through joins, leaves and sweeps; a pick's place names its container and node", () => {
    // The per-node definition: after its first pick, a node picks the first backend it holds
    // whose join came after its last pick's, or else the first it holds (it wraps).
    const rng = new RandomStream("round-robin", 3);
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const all: Backend<{ id: string }>[] = [];
    const last = new Map<number, Backend<{ id: string }>>();
    let seq = 0;
    let checked = 0;
    let leaves = 0;
    for (let step = 0; step < 400; step++) {
      const t = step * 200_000;
      if (rng.next() < 0.3 || all.length < 3) {
        const b = backend(`b${step}`, rng.int(30));
        e.record(change(b, true, t, seq++, 30));
        all.push(b);
      }
      if (rng.next() < 0.15) {
        const victim = all[rng.int(all.length)]!;
        if (victim.leave === null) {
          e.record(change(victim, false, t, seq++, 30));
          leaves++;
        }
      }
      for (let k = 0; k < 4; k++) {
        const n = rng.int(30);
        const held = all.filter((b) => e.visible(n, t).includes(b));
        const before = last.get(n);
        const place = e.pickPlace(n, t);
        if (place < 0) {
          expect(held).toEqual([]);
          continue;
        }
        const got = all.find((b) => b.container === e.containerAt(place))!;
        expect(e.nodeAt(place)).toBe(got.nodeIndex);
        expect(held).toContain(got);
        if (before !== undefined) expect(got).toBe(held.find((b) => b.seq > before.seq) ?? held[0]);
        last.set(n, got);
        checked++;
      }
    }
    // Many leaves, each known to every node within seconds of 80: swept from the list between picks.
    expect(leaves).toBeGreaterThan(20);
    expect(checked).toBeGreaterThan(1_000);
  });

  it("a leave that every node knows is never picked, also before the next sweep drops it", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const [a, b, c, d] = [backend("a", 0), backend("b", 0), backend("c", 0), backend("d", 0)];
    [a, b, c, d].forEach((x, i) => e.record(change(x, true, 0, i, 1)));
    e.record(change(a, false, 2_000_000, 4, 1));
    expect(e.pick(0, 2_500_000)).not.toBe(a); // sweeps a: the next sweep is a second later at the earliest
    e.record(change(b, false, 2_600_000, 5, 1));
    // Every node knows b has left, and b is still in the list until that sweep.
    const picks = Array.from({ length: 6 }, () => e.pick(0, 3_000_000)!.container.id);
    expect(picks).not.toContain("b");
    expect(new Set(picks)).toEqual(new Set(["c", "d"]));
  });

  it("a leave learned before its join wins (networkdb orders events per entry)", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const b = backend("a", 0);
    // The join spreads late for this node, the leave from a crash reaches it... it must never show up after.
    const join = { ...change(b, true, 0, 0, 1000), spreadFromUs: 5_000_000 };
    const leave = { ...change(b, false, 10, 1, 1000, -1), spreadFromUs: 100 };
    e.record(join);
    e.record(leave);
    for (let n = 1; n < 100; n++) expect(e.visible(n, 20_000_000)).toEqual([]);
  });

  it("with 1,000 nodes each sending its first request, the first picks spread over the backends", () => {
    // 200 backends start over 4 s, as a deployment does; 1,000 nodes route their first request.
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    for (let i = 0; i < 200; i++) e.record(change(backend(`b${i}`, i), true, i * 20_000, i, 1000));
    const hits = new Map<string, number>();
    for (let n = 0; n < 1000; n++) {
      const id = e.pick(n, 60_000_000)!.container.id;
      hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    // A shared list with every node starting at its head would send all 1,000 to b0; each node
    // starts at its own hashed place.
    expect(Math.max(...hits.values())).toBeLessThan(20);
    expect(hits.size).toBeGreaterThan(150);
  });
});

describe("routing over the networks", () => {
  const scenario = parseScenario(
    scenarioYaml({ name: "r", duration: "1m" }, `
networks: [{name: front}, {name: back}]
services:
  - {name: web, networks: [front, back], ports: [{published: 80, target: 80}]}
  - {name: api, networks: [back]}
  - {name: admin, networks: [front]}
  - {name: lonely, networks: []}
  - {name: stack}
  - {name: stack2}
`),
    "r.yaml",
  );
  const nets = buildOverlays(scenario.networks);
  const routing = new Routing<{ nodeIndex: number }>(nets, scenario.services, KEY, () => 10, () => 0);
  const idx = (name: string): number => scenario.services.findIndex((s) => s.name === name);
  const netName = (i: number): string | null => (i < 0 ? null : nets[i]!.name);

  it("a name resolves on the first network the two services share; ingress does not count", () => {
    expect(netName(routing.sharedNetwork(idx("web"), idx("api")))).toBe("back");
    expect(netName(routing.sharedNetwork(idx("web"), idx("admin")))).toBe("front");
    expect(netName(routing.sharedNetwork(idx("api"), idx("admin")))).toBe(null);
    expect(netName(routing.sharedNetwork(idx("lonely"), idx("web")))).toBe(null);
    // Services that list no network share `default`, as in a stack.
    expect(netName(routing.sharedNetwork(idx("stack"), idx("stack2")))).toBe("default");
  });

  it("a crashed node's backend stays in the others' tables until failure detection, then gossip", () => {
    const r = new Routing<{ nodeIndex: number }>(nets, scenario.services, KEY, () => 10, () => now);
    let now = 0;
    const c = { nodeIndex: 4 };
    r.join(c, idx("api"), false);
    now = 5_000_000;
    const back = nets.findIndex((n) => n.name === "back");
    expect(r.dns(back, idx("api"), 1)).toHaveLength(1);
    r.leave(c, idx("api"), failureDetectionUs(10));
    now += failureDetectionUs(10) - 1;
    expect(r.dns(back, idx("api"), 1)).toHaveLength(1);
    now += GOSSIP_ROUND_US * 5;
    expect(r.dns(back, idx("api"), 1)).toHaveLength(0);
  });

  // A container keeps its backends as a bare list in its service's network order: leaving must
  // take each one off its own network, the routing mesh's included.
  for (const crashed of [false, true]) {
    it(`a task of a service on three networks (ingress, front, back) leaves all three${crashed ? " when its node crashed" : ""}`, () => {
      let now = 0;
      const r = new Routing<{ nodeIndex: number }>(nets, scenario.services, KEY, () => 10, () => now);
      const web = idx("web");
      const [a, b] = [{ nodeIndex: 2 }, { nodeIndex: 5 }];
      r.join(a, web, false);
      r.join(b, web, false);
      now = 10_000_000;
      expect(r.networksOf[web]).toHaveLength(3);
      for (const net of r.networksOf[web]!) expect(r.dns(net, web, 7)).toHaveLength(2);
      r.leave(a, web, crashed ? failureDetectionUs(10) : null);
      now += failureDetectionUs(10) + GOSSIP_ROUND_US * 20;
      for (const net of r.networksOf[web]!) expect(r.dns(net, web, 7).map((x) => x.container)).toEqual([b]);
      expect(r.ingress(web).pick(7, now)?.container).toBe(b);
    });
  }

  it("refuses a leave from a service the container did not join, and a join read before it was recorded", () => {
    const r = new Routing<{ nodeIndex: number }>(nets, scenario.services, KEY, () => 10, () => 0);
    const c = { nodeIndex: 1 };
    r.join(c, idx("web"), false);
    expect(() => r.leave(c, idx("api"), null)).toThrow(/did not join/);
    expect(() => learnedAtUs(newBackend(c, 1), 4, KEY)).toThrow(/before it was recorded/);
  });
});
