// Each node's IPVS table: learned by gossip at the node's own time, in the order the node learned
// the backends, with its own round-robin position (moby/moby#25985 for the staleness; the order
// and position are per node as in Linux IPVS on each node).
import { describe, expect, it } from "vitest";
import { ServiceEndpoints, learnedAtUs, type Backend, type Change } from "../../src/network/endpoints.js";
import { epidemicCdf, failureDetectionUs, GOSSIP_ROUND_US } from "../../src/network/gossip.js";
import { Routing } from "../../src/network/routing.js";
import { buildOverlays } from "../../src/network/overlay.js";
import { parseScenario } from "../../src/scenario/index.js";

const KEY = 987654;

/** A backend of container `id` on node `node`. */
function backend(id: string, node: number): Backend<{ id: string }> {
  return { container: { id }, nodeIndex: node, leave: null };
}

function change(b: Backend<{ id: string }>, join: boolean, atUs: number, seq: number, peers: number, origin = b.nodeIndex): Change<{ id: string }> {
  return { join, backend: b, atUs, originIndex: origin, spreadFromUs: atUs, cdf: epidemicCdf(peers), seq };
}

describe("a node's table", () => {
  it("the backend's own node knows at once; the others after their gossip rounds", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const b = backend("a", 3);
    e.record(change(b, true, 1_000, 0, 50));
    expect(e.table(3, 1_000).backends).toEqual([b]);
    const times = Array.from({ length: 50 }, (_, n) => learnedAtUs(change(b, true, 1_000, 0, 50), n, KEY));
    const others = times.filter((_, n) => n !== 3);
    expect(Math.min(...others)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...others)).toBeGreaterThan(1_000 + GOSSIP_ROUND_US);
    expect(times[3]).toBe(1_000);
    for (let n = 0; n < 50; n++) {
      expect(e.table(n, times[n]! - 1).backends.length).toBe(n === 3 ? 1 : 0);
      expect(e.table(n, times[n]!).backends).toEqual([b]);
    }
  });

  it("nodes learn backends that start close together in different orders", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const bs = Array.from({ length: 8 }, (_, i) => backend(`b${i}`, 100 + i));
    bs.forEach((b, i) => e.record(change(b, true, i * 10_000, i, 200)));
    const orders = new Set<string>();
    for (let n = 0; n < 200; n++) orders.add(e.table(n, 10_000_000).backends.map((b) => b.container.id).join(","));
    expect(orders.size).toBeGreaterThan(20);
    for (let n = 0; n < 200; n++) expect(e.table(n, 10_000_000).backends).toHaveLength(8);
  });

  it("round-robin keeps each node's own position as backends come and go", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const [a, b, c] = [backend("a", 0), backend("b", 0), backend("c", 0)];
    e.record(change(a, true, 0, 0, 1));
    e.record(change(b, true, 0, 1, 1));
    const picks = (n: number, at: number): string[] => Array.from({ length: n }, () => e.pick(0, at)!.container.id);
    expect(picks(3, 0)).toEqual(["a", "b", "a"]);
    e.record(change(c, true, 10, 2, 1)); // appended: the position stays after a
    expect(picks(3, 10)).toEqual(["b", "c", "a"]);
    e.record(change(a, false, 20, 3, 1)); // a removed before the position: it moves back with the list
    expect(picks(3, 20)).toEqual(["b", "c", "b"]);
  });

  it("a leave learned before its join wins (networkdb orders events per entry)", () => {
    const e = new ServiceEndpoints<{ id: string }>("web", KEY);
    const b = backend("a", 0);
    // The join spreads late for this node, the leave from a crash reaches it... it must never show up after.
    const join = { ...change(b, true, 0, 0, 1000), spreadFromUs: 5_000_000 };
    const leave = { ...change(b, false, 10, 1, 1000, -1), spreadFromUs: 100 };
    e.record(join);
    e.record(leave);
    for (let n = 1; n < 100; n++) expect(e.table(n, 20_000_000).backends).toEqual([]);
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
    // One shared list with a position per node starting at 0 would send all 1,000 to b0. Each
    // node's own order (gossip reorders backends that start within its ~1.6 s spread) breaks that
    // up; what is left is real: backends that started first are first in most tables.
    expect(Math.max(...hits.values())).toBeLessThan(250);
    expect(hits.size).toBeGreaterThan(20);
  });
});

describe("routing over the networks", () => {
  const scenario = parseScenario(
    `version: 1
name: r
duration: 1m
networks: [{name: front}, {name: back}]
services:
  - {name: web, networks: [front, back], ports: [{published: 80, target: 80}]}
  - {name: api, networks: [back]}
  - {name: admin, networks: [front]}
  - {name: lonely, networks: []}
  - {name: stack}
  - {name: stack2}
`,
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
    r.leave(c, true);
    now += failureDetectionUs(10) - 1;
    expect(r.dns(back, idx("api"), 1)).toHaveLength(1);
    now += GOSSIP_ROUND_US * 5;
    expect(r.dns(back, idx("api"), 1)).toHaveLength(0);
  });
});
