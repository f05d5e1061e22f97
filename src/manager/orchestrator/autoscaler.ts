import type { Simulation } from "../../kernel/index.js";
import type { AutoscaleSpec } from "../../scenario/types.js";

/** CPU a service's running containers used since the last look, and what they could have used. */
export interface ServiceCpu {
  usedCoreUs: number;
  /** Running containers now. */
  running: number;
  /** Containers of the service not running yet (starting, or waiting for a first healthy check). */
  starting: number;
  /** Cores one container may use: its CPU limit, or 1 without a limit. */
  perContainerCores: number;
}

export interface AutoscalerOptions {
  sim: Simulation;
  service: string;
  spec: AutoscaleSpec;
  /** Reads and resets the service's CPU use (the metrics pipeline). */
  sampleCpu(): ServiceCpu;
  /** The replicas the managers currently want, or null if no manager can say. */
  replicas(): number | null;
  /** A `docker service scale` call; false when the swarm has no leader. */
  scale(replicas: number): boolean;
  emit(event: { kind: string } & Record<string, unknown>): void;
}

/**
 * A target-tracking autoscaler, as users bolt onto Swarm (Swarm has none), that behaves as
 * Kubernetes' HorizontalPodAutoscaler does (kubernetes.io, "Horizontal Pod Autoscaling",
 * "Algorithm details" and "Configurable scaling behavior"; pkg/controller/podautoscaler):
 * every `interval` (the HPA's sync period, 15 s) it measures the CPU utilisation of the running
 * containers against their CPU limit (one core without a limit) and
 * 1. recommends ceil(pods × utilisation / target), where pods are the containers measured
 *    (hpaRecommend);
 * 2. changes nothing while utilisation / target is within 1 ± `tolerance` (default 10%);
 * 3. corrects for containers it cannot measure: those still starting count as 0% busy when it
 *    would scale up (and are left out when it would scale down); desired tasks with no container
 *    (pending, failed, not yet replaced) count as 100% of the target when it would scale down and
 *    0% when it would scale up. If the corrected ratio reverses the direction or falls within
 *    the tolerance, it does nothing: the correction only ever holds a change back;
 * 4. scales down to the highest recommendation of the last `scaleDownStabilization` (5 min), so
 *    a dip does not shed what the next minute needs (stabilize);
 * 5. scales up by at most max(`scaleUpPods` (4), `scaleUpPercent` (100%)) over the replicas it
 *    had `scaleUpPeriod` (15 s) ago (limitScaleUp);
 * 6. stays within [min, max].
 * `cooldown` (default 0, the HPA has none) is an orchsim extra: after a change it waits that
 * long before the next. Its decisions are API calls, so without a leader they fail.
 * SIMPLIFICATION: the metrics it reads are exact and instantaneous (no scrape interval or
 * averaging window); only containers running at the end of the interval are measured, from the
 * moment they began to run (their start-up CPU is not load). The HPA's scale-down rate policy
 * is its default (100% per 15 s: no limit).
 */
export class Autoscaler {
  private lastChangeUs = -Infinity;
  /** Every recommendation (before stabilization) of the last scaleDownStabilization, oldest first. */
  private readonly recommendations: { atUs: number; replicas: number }[] = [];
  /** Every change made in the last scaleUpPeriod: replicas added (> 0) or removed (< 0). */
  private readonly changes: { atUs: number; delta: number }[] = [];

  constructor(private readonly o: AutoscalerOptions) {}

  start(): void {
    this.o.sampleCpu();
    this.o.sim.after(this.o.spec.intervalUs, () => this.evaluate());
  }

  private evaluate(): void {
    const { spec, sim } = this.o;
    sim.after(spec.intervalUs, () => this.evaluate());
    const cpu = this.o.sampleCpu();
    const current = this.o.replicas();
    if (current === null || cpu.running === 0) return;
    const utilisation = cpu.usedCoreUs / (cpu.running * cpu.perContainerCores * spec.intervalUs);
    const recommended = hpaRecommend(spec, current, utilisation, cpu.running, cpu.starting);
    const stabilized = this.stabilize(current, recommended);
    const wanted = Math.min(spec.max, Math.max(spec.min, stabilized > current ? this.limitScaleUp(current, stabilized) : stabilized));
    if (wanted === current || sim.now() - this.lastChangeUs < spec.cooldownUs) return;
    const ok = this.o.scale(wanted);
    this.o.emit({ kind: "autoscale", service: this.o.service, from: current, to: wanted, cpu: Math.round(utilisation * 1e4) / 1e4, ok });
    if (!ok) return;
    this.lastChangeUs = sim.now();
    this.changes.push({ atUs: sim.now(), delta: wanted - current });
  }

  /**
   * The HPA's stabilization: a scale-down goes only as far as the highest recommendation of the
   * last scaleDownStabilization; a scale-up as far as the recommendation (its window is 0).
   */
  private stabilize(current: number, recommended: number): number {
    const now = this.o.sim.now();
    const list = this.recommendations;
    // The window holds what came strictly after its start, as the HPA's does, and always this one.
    while (list.length > 0 && list[0]!.atUs <= now - this.o.spec.scaleDownStabilizationUs) list.shift();
    list.push({ atUs: now, replicas: recommended });
    const highest = Math.max(...list.map((r) => r.replicas));
    if (recommended > current) return recommended;
    return Math.min(current, highest);
  }

  /**
   * At most max(pods, percent) more than the replicas of scaleUpPeriod ago: the HPA's
   * periodStartReplicas = current - added in the period + deleted in the period.
   */
  private limitScaleUp(current: number, wanted: number): number {
    const { spec } = this.o;
    const now = this.o.sim.now();
    while (this.changes.length > 0 && this.changes[0]!.atUs <= now - spec.scaleUpPeriodUs) this.changes.shift();
    const periodStart = current - this.changes.reduce((n, c) => n + c.delta, 0);
    const limit = Math.max(periodStart + spec.scaleUpPods, Math.ceil(periodStart * (1 + spec.scaleUpPercent)));
    return Math.min(wanted, Math.max(current, limit));
  }
}

/**
 * The HPA's replica calculation for one resource metric (replica_calculator.go,
 * calcPlainMetricReplicas), with `running` measured containers at `utilisation` of their limit,
 * `starting` ones not ready, and desired tasks with no container as missing pods.
 */
export function hpaRecommend(spec: AutoscaleSpec, current: number, utilisation: number, running: number, starting: number): number {
  const ratio = utilisation / spec.targetCpu;
  const missing = Math.max(0, current - running - starting);
  const within = (r: number): boolean => Math.abs(1 - r) <= spec.tolerance;
  const upWithStarting = starting > 0 && ratio > 1;
  if (!upWithStarting && missing === 0) return within(ratio) ? current : Math.ceil(ratio * running - 1e-9);
  // Missing pods at 100% of the target for a scale-down, 0% for a scale-up; starting ones at 0%
  // for a scale-up, left out otherwise.
  const counted = running + (upWithStarting ? starting : 0) + missing;
  const usage = ratio * running + (ratio < 1 ? missing : 0);
  const corrected = usage / counted;
  if ((ratio < 1 && corrected > 1) || (ratio > 1 && corrected < 1) || within(corrected)) return current;
  const replicas = Math.ceil(corrected * counted - 1e-9);
  if ((corrected < 1 && replicas > current) || (corrected > 1 && replicas < current)) return current;
  return replicas;
}
