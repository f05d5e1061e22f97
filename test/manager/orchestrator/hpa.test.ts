// The autoscaler's rules, each against Kubernetes' HPA documentation ("Horizontal Pod
// Autoscaling": Algorithm details; Configurable scaling behavior) and its replica calculator.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../../src/kernel/index.js";
import { Autoscaler, hpaRecommend, type ServiceCpu } from "../../../src/manager/orchestrator/autoscaler.js";
import { DEFAULTS } from "../../../src/scenario/index.js";
import type { AutoscaleSpec } from "../../../src/scenario/types.js";

const SPEC: AutoscaleSpec = { ...DEFAULTS.autoscale, min: 1, max: 100, targetCpu: 0.5 };

describe("the recommendation (replica_calculator.go)", () => {
  it("desiredReplicas = ceil(currentReplicas x currentMetric / desiredMetric), over the measured containers", () => {
    // 10 at 80% for a 50% target: ceil(10 x 1.6) = 16.
    expect(hpaRecommend(SPEC, 10, 0.8, 10, 0)).toBe(16);
    expect(hpaRecommend(SPEC, 10, 0.2, 10, 0)).toBe(4);
  });

  it("tolerance: within 10% of the target nothing changes", () => {
    expect(hpaRecommend(SPEC, 10, 0.5 * 1.09, 10, 0)).toBe(10);
    expect(hpaRecommend(SPEC, 10, 0.5 * 0.91, 10, 0)).toBe(10);
    expect(hpaRecommend(SPEC, 10, 0.5 * 1.12, 10, 0)).toBe(12);
    expect(hpaRecommend({ ...SPEC, tolerance: 0 }, 10, 0.5 * 1.05, 10, 0)).toBe(11);
  });

  it("scaling up, containers not yet ready count as 0%; the result may then be smaller", () => {
    // 8 at 100% (ratio 2) and 4 starting: (2 x 8) / 12 = 1.33 -> ceil(16) = 16, not 20.
    expect(hpaRecommend(SPEC, 12, 1, 8, 4)).toBe(16);
  });

  it("scaling down, missing pods count as 100% of the target and not-ready ones are left out", () => {
    // 5 measured at 20% (ratio 0.4), 3 starting, 2 with no container: (0.4 x 5 + 2) / 7 = 0.57.
    expect(hpaRecommend(SPEC, 10, 0.2, 5, 3)).toBe(4);
  });

  it("the correction never reverses the direction: it does nothing instead (the issue's 29 -> 32 case)", () => {
    // 6 running at 45% for a 60% target would scale down; 23 not ready must not make it scale up.
    expect(hpaRecommend({ ...SPEC, targetCpu: 0.6 }, 29, 0.26, 6, 23)).toBeLessThanOrEqual(29);
    // 1 running at 100% and 15 starting (ratio 2): counted idle, the ratio falls below 1: no change.
    expect(hpaRecommend(SPEC, 16, 1, 1, 15)).toBe(16);
  });

  it("for any input, the recommendation moves only in the direction of the measured ratio", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (current, running, starting, util) => {
        const r = hpaRecommend(SPEC, current, util, running, starting);
        if (util / SPEC.targetCpu < 1) expect(r).toBeLessThanOrEqual(Math.max(current, Math.ceil((util / SPEC.targetCpu) * running)));
        if (util / SPEC.targetCpu <= 1) expect(r <= current || r <= Math.ceil(running * util / SPEC.targetCpu)).toBe(true);
        if (util / SPEC.targetCpu > 1) expect(r).toBeGreaterThanOrEqual(Math.min(current, running));
      }),
      { seed: 12, numRuns: 2000 },
    );
  });
});

/** An autoscaler on a scripted service: `load(now, replicas)` is the utilisation of its running containers. */
function scripted(spec: AutoscaleSpec, start: number, load: (nowS: number, replicas: number) => number, untilS: number): { at: number; from: number; to: number }[] {
  const sim = new Simulation();
  let replicas = start;
  const changes: { at: number; from: number; to: number }[] = [];
  const sample = (): ServiceCpu => ({ usedCoreUs: load(sim.now() / 1e6, replicas) * replicas * spec.intervalUs, running: replicas, starting: 0, perContainerCores: 1 });
  new Autoscaler({
    sim,
    service: "web",
    spec,
    sampleCpu: sample,
    replicas: () => replicas,
    scale: (n) => {
      changes.push({ at: sim.now() / 1e6, from: replicas, to: n });
      replicas = n;
      return true;
    },
    emit: () => undefined,
  }).start();
  sim.run({ untilUs: untilS * 1e6 });
  return changes;
}

describe("scaling behaviour (behavior: the HPA's defaults)", () => {
  it("scale-up: at most max(4 pods, 100%) per 15 s", () => {
    // Always at 100% for a 10% target: it wants 10x; it gets 2 -> 6 -> 12 -> 24 -> 48 -> 96 -> 100.
    const changes = scripted({ ...SPEC, targetCpu: 0.1 }, 2, () => 1, 120);
    expect(changes.map((c) => c.to)).toEqual([6, 12, 24, 48, 96, 100]);
    expect(changes.map((c) => c.at)).toEqual([15, 30, 45, 60, 75, 90]);
  });

  it("scale-down stabilization: the highest recommendation of the last 5 minutes wins, so a dip does not shrink it", () => {
    // 20 replicas at 50% (on target) until 60 s, then at 10%: every recommendation is 4 from
    // 75 s; the last 20 (at 60 s) leaves the window, which holds what came strictly after its
    // start, at 360 s.
    const changes = scripted(SPEC, 20, (t) => (t <= 60 ? 0.5 : 0.1), 600);
    expect(changes).toEqual([{ at: 360, from: 20, to: 4 }]);
  });

  it("a demand that flaps does not flap the replicas", () => {
    // 5.8 and 4.6 cores of demand in turn, shared by the containers: 10 become 12 (58% of a 50%
    // target); at 12, 4.6 cores (38%) recommend 10, but the 12 of the last 5 minutes hold it.
    const changes = scripted(SPEC, 10, (t, n) => (Math.floor(t / 15) % 2 === 1 ? 5.8 : 4.6) / n, 1200);
    expect(changes).toEqual([{ at: 15, from: 10, to: 12 }]);
    // Without the window (as orchsim was), it flaps between 12 and 10 every 30 s.
    const flapping = scripted({ ...SPEC, scaleDownStabilizationUs: 0 }, 10, (t, n) => (Math.floor(t / 15) % 2 === 1 ? 5.8 : 4.6) / n, 1200);
    expect(flapping.length).toBeGreaterThan(30);
  });

  it("the scale-up limit counts from the replicas at the period's start, scale-downs included", () => {
    // 10 -> 4 at 15 s (a dip to 2 cores), then 10 cores: with a 60 s period the start is 10, so 20 is allowed
    // at once (max(10 + 4, 2 x 10)), not 8 (max(4 + 4, 2 x 4)).
    const spec = { ...SPEC, scaleUpPeriodUs: 60e6, scaleDownStabilizationUs: 0 };
    const changes = scripted(spec, 10, (t, n) => (t <= 15 ? 2 / n : 10 / n), 31);
    expect(changes).toEqual([{ at: 15, from: 10, to: 4 }, { at: 30, from: 4, to: 20 }]);
  });

  it("cooldown (an orchsim extra, default 0): the least time between two changes", () => {
    const changes = scripted({ ...SPEC, targetCpu: 0.1, cooldownUs: 60e6 }, 2, () => 1, 200);
    expect(changes.map((c) => c.at)).toEqual([15, 75, 135, 195]);
  });
});
