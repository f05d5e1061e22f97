import type { Simulation, ScheduledEvent } from "../kernel/index.js";

/** A unit of CPU work on a node: a request, a start-up, a health check. */
export interface CpuJob {
  event: ScheduledEvent;
  startUs: number;
  workUs: number;
  finished: boolean;
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

  constructor(
    private readonly sim: Simulation,
    readonly cores: number,
  ) {}

  submit<A>(workUs: number, onDone: (arg: A) => void, arg: A): CpuJob {
    this.advance();
    this.active++;
    const job: CpuJob = { event: null as unknown as ScheduledEvent, startUs: this.sim.now(), workUs, finished: false };
    job.event = this.sim.after(workUs, (a: A) => {
      job.finished = true;
      this.advance();
      this.active--;
      onDone(a);
    }, arg);
    return job;
  }

  cancel(job: CpuJob): void {
    if (job.finished || job.event.cancelled) return;
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
