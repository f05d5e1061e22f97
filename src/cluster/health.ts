import type { Simulation, ScheduledEvent } from "../kernel/index.js";
import type { HealthcheckSpec } from "../scenario/types.js";
import type { Container, ContainerRequest } from "./container.js";

/**
 * Docker's HEALTHCHECK for one container, from the moment it starts: every `interval` after the
 * previous check ended (every `startInterval` while it has not yet been healthy and is inside
 * its `startPeriod`, as Docker Engine 25+ does), a probe request enters the container like any
 * request and passes if served within `timeout`; while the application is still starting up
 * nothing listens, so the probe fails at once. `retries` consecutive failures make the container
 * unhealthy; a failed probe that began within `startPeriod` of the start, before the container
 * was first healthy, does not count. So a start-up still under way at the `retries`-th probe
 * that counts (unansweredKillUs), e.g. starved of CPU, is killed as unhealthy, as in Docker
 * (daemon/health.go). A probe that timed out keeps its worker until it is served.
 */
/**
 * When a container whose application never answers is killed, from its start: its probes fail
 * as they are sent, every startInterval inside the start period and every interval after it
 * (HealthMonitor's schedule), and the `retries`-th that began at or after startPeriod kills it:
 * the first such probe, then retries - 1 intervals. (startPeriod 60 s, intervals of 5 s,
 * retries 3: the probes at 60, 65 and 70 s, killed at 70 s.)
 */
export function unansweredKillUs(spec: HealthcheckSpec): number {
  const firstCountedUs = spec.startPeriodUs > 0 ? Math.ceil(spec.startPeriodUs / spec.startIntervalUs) * spec.startIntervalUs : spec.intervalUs;
  return firstCountedUs + Math.max(0, spec.retries - 1) * spec.intervalUs;
}

export class HealthMonitor {
  private failures = 0;
  private healthy = false;
  private timer: ScheduledEvent | null = null;
  private pending: { timeout: ScheduledEvent; startUs: number } | null = null;
  private readonly startedUs: number;
  private stopped = false;

  /** probe, made once rather than at every probe. */
  private readonly probeFn = (): void => this.probe();

  constructor(
    private readonly sim: Simulation,
    /** The container's request path once the application serves; null while it starts up. */
    private readonly container: () => Container<ContainerRequest> | null,
    private readonly spec: HealthcheckSpec,
    private readonly onHealthy: () => void,
    private readonly onUnhealthy: () => void,
  ) {
    this.startedUs = sim.now();
    this.timer = sim.after(this.intervalUs(), this.probeFn);
  }

  /** The wait before the next probe: startInterval while starting inside the start period (Docker's getInterval). */
  private intervalUs(): number {
    const starting = !this.healthy && this.sim.now() - this.startedUs < this.spec.startPeriodUs;
    return starting ? this.spec.startIntervalUs : this.spec.intervalUs;
  }


  stop(): void {
    this.stopped = true;
    this.sim.cancel(this.timer);
    if (this.pending) this.sim.cancel(this.pending.timeout);
    this.pending = null;
  }

  private probe(): void {
    this.timer = null;
    if (this.stopped) return;
    const timeout = this.sim.after(this.spec.timeoutUs, () => this.ended(false));
    this.pending = { timeout, startUs: this.sim.now() };
    // A fresh handler per probe, so a late answer to an abandoned probe is ignored.
    const pending = this.pending;
    const probe: ContainerRequest = {
      workUs: this.spec.cpuUs,
      job: null,
      probe: { presetWork: true, probeDone: (ok) => this.pending === pending && this.ended(ok) },
    };
    const c = this.container();
    if (c) c.accept(probe);
    else this.ended(false);
  }

  private ended(ok: boolean): void {
    if (this.stopped || !this.pending) return;
    this.sim.cancel(this.pending.timeout);
    const startUs = this.pending.startUs;
    this.pending = null;
    if (ok) {
      this.failures = 0;
      if (!this.healthy) {
        this.healthy = true;
        this.onHealthy();
      }
    } else if (this.healthy || startUs - this.startedUs >= this.spec.startPeriodUs) {
      this.failures++;
      if (this.failures >= this.spec.retries) {
        this.stop();
        this.onUnhealthy();
        return;
      }
    }
    if (!this.stopped) this.timer = this.sim.after(this.intervalUs(), this.probeFn);
  }
}
