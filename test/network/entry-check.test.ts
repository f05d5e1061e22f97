// The external load balancer's health checks (workload[].entryHealthcheck): each node probed
// every interval at its own phase, out after `unhealthyThreshold` failed probes in a row, back
// after `healthyThreshold` passing ones, as AWS's target groups and HAProxy's fall/rise do. The
// probes are not events: these tests hold the one event per change to what every probe would do.
import { describe, expect, it } from "vitest";
import { EntryHealthchecks } from "../../src/network/entry-check.js";
import { IngressEntry } from "../../src/network/mesh.js";
import { counterUniform, RandomStream, Simulation } from "../../src/kernel/index.js";
import type { WorkloadSpec } from "../../src/scenario/types.js";

const S = 1_000_000;
const I = 10 * S;
const KEY = 424242;

interface FakeHost {
  name: string;
  zone: string;
  group: string;
  index: number;
  up: boolean;
}

const hostsOf = (n: number): FakeHost[] => Array.from({ length: n }, (_, i) => ({ name: `w-${i + 1}`, zone: "a", group: "w", index: i, up: true }));

/** Node i's probes, as the balancer runs them: at its phase plus whole intervals. */
const phaseOf = (i: number): number => Math.floor(counterUniform(KEY, i) * I);
const firstProbeAtOrAfter = (i: number, t: number): number => phaseOf(i) + Math.max(0, Math.ceil((t - phaseOf(i)) / I)) * I;

/** The checks over `hosts`, with the times each node's view flipped. */
function checked(hosts: FakeHost[], o: { unhealthy?: number; healthy?: number } = {}) {
  const sim = new Simulation();
  const checks = new EntryHealthchecks<FakeHost>(sim, { intervalUs: I, unhealthyThreshold: o.unhealthy ?? 3, healthyThreshold: o.healthy ?? 2 }, KEY, (h) => h.up);
  const flips: number[][] = hosts.map(() => []);
  let seen: boolean[] = [];
  checks.start(hosts, () => {
    hosts.forEach((h, i) => {
      if (checks.sendsTo(h) !== seen[i]) flips[i]!.push(sim.now());
      seen[i] = checks.sendsTo(h);
    });
  });
  seen = hosts.map((h) => checks.sendsTo(h));
  /** Node h goes down (or comes up) at `atUs`. */
  const set = (h: FakeHost, up: boolean, atUs: number): void => {
    sim.at(atUs, () => {
      h.up = up;
      checks.recheck(h);
    });
  };
  return { sim, checks, flips, set };
}

describe("a node that goes down", () => {
  it("is taken out at the unhealthyThreshold-th probe after: between t+(U-1)I and t+UI, at the probe its phase says", () => {
    for (const U of [1, 2, 3, 5]) {
      const hosts = hostsOf(40);
      const { sim, flips, set } = checked(hosts, { unhealthy: U });
      const t = 100 * S + 12_345;
      for (const h of hosts) set(h, false, t);
      sim.run({ untilUs: t + 10 * I });
      hosts.forEach((h, i) => {
        expect(flips[i]).toEqual([firstProbeAtOrAfter(i, t) + (U - 1) * I]);
        expect(flips[i]![0]! - t).toBeGreaterThanOrEqual((U - 1) * I);
        expect(flips[i]![0]! - t).toBeLessThan(U * I);
      });
      // The phases spread the nodes over the interval (they are not all probed at once).
      const lags = flips.map((f) => f[0]! - t - (U - 1) * I);
      expect(Math.max(...lags) - Math.min(...lags)).toBeGreaterThan(0.8 * I);
    }
  });

  it("costs one event per change, not one per probe", () => {
    const hosts = hostsOf(1000);
    const { sim, set } = checked(hosts);
    for (const h of hosts) set(h, false, 5 * S);
    sim.run({ untilUs: 3600 * S });
    // 1,000 failures and 1,000 flips in an hour of 10 s probes (360,000 probes).
    expect(sim.eventsProcessed).toBe(2000);
  });

  it("down and back up between two probes: no probe saw it, the balancer never takes it out", () => {
    const hosts = hostsOf(1);
    const { sim, flips, set } = checked(hosts);
    const t = firstProbeAtOrAfter(0, 50 * S) + 1;
    set(hosts[0]!, false, t);
    set(hosts[0]!, true, t + I - 2);
    sim.run({ untilUs: t + 10 * I });
    expect(flips[0]).toEqual([]);
  });

  it("back up for a moment between two probes: the failed probes in a row go on counting", () => {
    const hosts = hostsOf(1);
    const { sim, flips, set } = checked(hosts, { unhealthy: 3 });
    const first = firstProbeAtOrAfter(0, 50 * S);
    set(hosts[0]!, false, first - 1); // the probe at `first` fails
    set(hosts[0]!, true, first + 1);
    set(hosts[0]!, false, first + I - 1); // the probe at first + I fails too
    sim.run({ untilUs: first + 10 * I });
    expect(flips[0]).toEqual([first + 2 * I]);
  });

  it("back up across a probe: that passing probe starts the count again", () => {
    const hosts = hostsOf(1);
    const { sim, flips, set } = checked(hosts, { unhealthy: 3 });
    const first = firstProbeAtOrAfter(0, 50 * S);
    set(hosts[0]!, false, first - 1);
    set(hosts[0]!, true, first + I - 1); // the probe at first + I passes
    set(hosts[0]!, false, first + I + 1);
    sim.run({ untilUs: first + 10 * I });
    expect(flips[0]).toEqual([first + 4 * I]);
  });
});

describe("a node that comes back", () => {
  it("is put back at the healthyThreshold-th passing probe after it came up", () => {
    for (const H of [1, 2, 5]) {
      const hosts = hostsOf(20);
      const { sim, flips, set } = checked(hosts, { unhealthy: 2, healthy: H });
      const down = 10 * S;
      const up = 200 * S + 777;
      for (const h of hosts) {
        set(h, false, down);
        set(h, true, up);
      }
      sim.run({ untilUs: up + 10 * I });
      hosts.forEach((_, i) => {
        expect(flips[i]).toEqual([firstProbeAtOrAfter(i, down) + I, firstProbeAtOrAfter(i, up) + (H - 1) * I]);
        expect(flips[i]![1]! - up).toBeGreaterThanOrEqual((H - 1) * I);
        expect(flips[i]![1]! - up).toBeLessThan(H * I);
      });
    }
  });

  it("a node first seen after the start (addNodes) waits for healthyThreshold probes, as a new target does", () => {
    const hosts = hostsOf(3);
    const { sim, checks, flips } = checked(hosts.slice(0, 2), { healthy: 3 });
    const late = hosts[2]!;
    sim.at(30 * S, () => checks.recheck(late));
    const inUs = firstProbeAtOrAfter(2, 30 * S) + 2 * I;
    sim.run({ untilUs: inUs - 1 });
    expect(checks.sendsTo(late)).toBe(false);
    sim.run({ untilUs: inUs });
    expect(checks.sendsTo(late)).toBe(true);
    expect(flips[0]).toEqual([]);
    expect(flips[1]).toEqual([]);
  });
});

describe("the balancer with health checks", () => {
  const spec = { entry: { kind: "round-robin" }, entryNodes: [] } as unknown as WorkloadSpec;

  /** The nodes the balancer sends the next 6 connections to. */
  const nextSix = (entry: IngressEntry<FakeHost>): string[] => Array.from({ length: 6 }, () => entry.next()?.name ?? "-");

  it("keeps sending new connections to a node that is down until its probes take it out", () => {
    const hosts = hostsOf(3);
    const sim = new Simulation();
    const checks = new EntryHealthchecks<FakeHost>(sim, { intervalUs: I, unhealthyThreshold: 3, healthyThreshold: 2 }, KEY, (h) => h.up);
    const entry = new IngressEntry(spec, hosts, new RandomStream("t", 1), checks);
    const t = 40 * S;
    const out = firstProbeAtOrAfter(2, t) + 2 * I;
    sim.at(t, () => {
      hosts[2]!.up = false;
      entry.hostsChanged(hosts[2]!);
    });
    sim.run({ untilUs: out - 1 });
    expect(nextSix(entry)).toEqual(["w-1", "w-2", "w-3", "w-1", "w-2", "w-3"]);
    sim.run({ untilUs: out });
    expect(nextSix(entry)).toEqual(["w-1", "w-2", "w-1", "w-2", "w-1", "w-2"]);
  });

  it("without them, it skips a node that is down at once", () => {
    const hosts = hostsOf(3);
    const entry = new IngressEntry(spec, hosts, new RandomStream("t", 1));
    hosts[2]!.up = false;
    entry.hostsChanged(hosts[2]!);
    expect(nextSix(entry)).toEqual(["w-1", "w-2", "w-1", "w-2", "w-1", "w-2"]);
  });
});
