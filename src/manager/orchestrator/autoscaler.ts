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
 * A target-tracking autoscaler, as users bolt onto Swarm (Swarm has none), in the manner of
 * Kubernetes' HPA: every `interval` it measures the CPU utilisation of the service's running
 * containers against their CPU limit (or one core without a limit) and asks for
 * ceil(replicas x utilisation / target) replicas, within [min, max], where `replicas` is what the
 * service is set to now (so containers that died or are still starting do not make it shrink
 * in a crisis). After a change it waits `cooldown` before the next. Its decisions are API calls,
 * so without a leader they fail like any other.
 * SIMPLIFICATION: the metrics it reads are exact and instantaneous (no scrape interval or
 * averaging window); only containers running at the end of the interval are measured, from the
 * moment they began to run (their start-up CPU is not load).
 */
export class Autoscaler {
  private lastChangeUs = -Infinity;

  constructor(private readonly o: AutoscalerOptions) {}

  start(): void {
    this.o.sampleCpu();
    this.o.sim.after(this.o.spec.intervalUs, () => this.evaluate());
  }

  private recommend(current: number, utilisation: number): number {
    const { spec } = this.o;
    return Math.min(spec.max, Math.max(spec.min, Math.ceil((current * utilisation) / spec.targetCpu - 1e-9)));
  }

  private evaluate(): void {
    const { spec, sim } = this.o;
    sim.after(spec.intervalUs, () => this.evaluate());
    const cpu = this.o.sampleCpu();
    const current = this.o.replicas();
    if (current === null || cpu.running === 0) return;
    const capacity = cpu.perContainerCores * spec.intervalUs;
    const utilisation = cpu.usedCoreUs / (cpu.running * capacity);
    let wanted = this.recommend(current, utilisation);
    if (wanted < current && cpu.starting > 0) {
      // As Kubernetes' HPA does: before shrinking, count the containers not yet serving as fully
      // busy, so that a service whose containers are all restarting is not scaled down. That
      // estimate can only hold back a scale-down: where it would reverse the direction, the HPA
      // takes no action, so it never scales up.
      const pessimistic = (cpu.usedCoreUs + cpu.starting * capacity) / ((cpu.running + cpu.starting) * capacity);
      wanted = Math.min(current, Math.max(wanted, this.recommend(current, pessimistic)));
    }
    if (wanted === current || sim.now() - this.lastChangeUs < spec.cooldownUs) return;
    const ok = this.o.scale(wanted);
    this.o.emit({ kind: "autoscale", service: this.o.service, from: current, to: wanted, cpu: Math.round(utilisation * 1e4) / 1e4, ok });
    if (ok) this.lastChangeUs = sim.now();
  }
}
