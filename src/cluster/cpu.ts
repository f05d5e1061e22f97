import type { Simulation, ScheduledEvent } from "../kernel/index.js";

/** A unit of CPU work on a node: a request, a start-up, a health check. */
export class CpuJob {
  event: ScheduledEvent | null = null;
  finished = false;

  constructor(
    readonly startUs: number,
    readonly workUs: number,
    readonly onDone: (arg: any) => void,
    readonly arg: unknown,
  ) {}
}

/**
 * A node's cores.
 * SIMPLIFICATION (until CPU contention is modelled): every job runs on a core of its own at full
 * speed, so work on a node never slows other work; utilisation is reported as the busy share of
 * the cores, capped at 100%.
 */
export class NodeCpu {
  private active = 0;
  private lastChangeUs = 0;
  private busyCoreUs = 0;
  private readonly complete = (job: CpuJob): void => {
    job.finished = true;
    this.advance();
    this.active--;
    job.onDone(job.arg);
  };

  constructor(
    private readonly sim: Simulation,
    readonly cores: number,
  ) {}

  submit<A>(workUs: number, onDone: (arg: A) => void, arg: A): CpuJob {
    this.advance();
    this.active++;
    const job = new CpuJob(this.sim.now(), workUs, onDone, arg);
    job.event = this.sim.after(workUs, this.complete, job);
    return job;
  }

  cancel(job: CpuJob): void {
    if (job.finished || job.event === null || job.event.cancelled) return;
    this.sim.cancel(job.event);
    this.advance();
    this.active--;
  }

  /** Core-microseconds of busy time since the last call (for utilisation per window). */
  takeBusyCoreUs(): number {
    this.advance();
    const b = this.busyCoreUs;
    this.busyCoreUs = 0;
    return b;
  }

  get activeJobs(): number {
    return this.active;
  }

  private advance(): void {
    const now = this.sim.now();
    this.busyCoreUs += Math.min(this.active, this.cores) * (now - this.lastChangeUs);
    this.lastChangeUs = now;
  }
}
