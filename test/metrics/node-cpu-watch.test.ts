// The hot-node watch behind the warnings: a run samples it by host index, the report by name
// (nodes.csv); both must list the same nodes in the same order.

import { describe, expect, it } from "vitest";
import { NodeCpuWatch } from "../../src/metrics/warnings.js";

/** Samples every 10 s to 90 s (each for the 10 s before it): `hot` nodes at 99% CPU, the others at 10%. */
function rows(order: string[], hot: Set<string>) {
  const out: { t_s: number; node: string; cpu_util: number }[] = [];
  for (let t = 10; t <= 90; t += 10) for (const node of order) out.push({ t_s: t, node, cpu_util: hot.has(node) ? 0.99 : 0.1 });
  return out;
}

describe("NodeCpuWatch", () => {
  it("lists hot nodes in the order of their first samples, by name", () => {
    const w = NodeCpuWatch.of(rows(["w-3", "w-1", "w-2"], new Set(["w-1", "w-3"])));
    expect(w.hotNodes()).toEqual(["nodes w-3,w-1 stayed above 95% CPU for 90 s, their longest stretch (from t = 0 s to 90 s)"]);
    expect(w.peak).toEqual({ t_s: 10, node: "w-3", cpu_util: 0.99, fromS: 0 });
  });

  it("gives the same as names when sampled by a run's host index, a removed host's key unused", () => {
    const byName = NodeCpuWatch.of(rows(["a", "b", "c"], new Set(["a", "c"])));
    const byIndex = new NodeCpuWatch();
    const index = new Map([["a", 0], ["b", 2], ["c", 3]]); // host 1 was removed before its first sample
    for (const r of rows(["a", "b", "c"], new Set(["a", "c"]))) byIndex.sample(index.get(r.node)!, r.t_s, r.node, r.cpu_util);
    expect(byIndex.hotNodes()).toEqual(byName.hotNodes());
    expect(byIndex.hotNodes()).toEqual(["nodes a,c stayed above 95% CPU for 90 s, their longest stretch (from t = 0 s to 90 s)"]);
    expect(byIndex.peak).toEqual(byName.peak);
  });

  it("keeps each node's stretch apart: a cool sample ends only that node's", () => {
    const w = new NodeCpuWatch();
    for (let t = 10; t <= 90; t += 10) {
      w.sample(0, t, "x", 0.99);
      w.sample(1, t, "y", t === 50 ? 0.1 : 0.99);
    }
    expect(w.hotNodes()).toEqual(["node x stayed above 95% CPU for 90 s, its longest stretch (from t = 0 s to 90 s)"]);
  });

  it("one line per stretch: nodes hot over the same span share it (consecutive names folded), in the order of first samples", () => {
    const w = new NodeCpuWatch();
    const names = Array.from({ length: 8 }, (_, i) => `a-${i + 1}`);
    for (let t = 10; t <= 90; t += 10) {
      w.sample(0, t, "late", t <= 10 ? 0.1 : 0.99);
      names.forEach((n, i) => w.sample(i + 1, t, n, 0.99));
    }
    expect(w.hotNodes()).toEqual([
      "node late stayed above 95% CPU for 80 s, its longest stretch (from t = 10 s to 90 s)",
      "nodes a-1..a-8 stayed above 95% CPU for 90 s, their longest stretch (from t = 0 s to 90 s)",
    ]);
  });

  it("refuses a key that is not a whole number, which hotNodes() would never visit", () => {
    const w = new NodeCpuWatch();
    expect(() => w.sample(-1, 10, "x", 0.99)).toThrow("NodeCpuWatch: node x's key -1 is not a whole number");
    expect(() => w.sample(0.5, 10, "x", 0.99)).toThrow("key 0.5 is not a whole number");
  });
});
