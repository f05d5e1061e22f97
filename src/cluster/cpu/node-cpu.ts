import type { ScheduledEvent, Simulation } from "../../kernel/index.js";
import { CpuGroup, CpuJob } from "./group.js";
import { waterLevel } from "./water-level.js";
import { sharedEmptyList } from "../empty-list.js";

/**
 * A job is finished when its remaining work is at most this many core-microseconds (a picosecond of
 * CPU): the virtual clocks are sums of rate x elapsed and carry floating error of a few ulps, which
 * must not leave a job a hair short of done. Completion times subtract half of it before rounding
 * up, so a job whose exact end is an integer microsecond ends there and not one microsecond later.
 */
const EPS_WORK_US = 1e-6;
/**
 * A group's virtual clock is rebased to 0 once it passes this (67 s of CPU per job), so the clock's
 * ulp stays below 1.5e-8, well under EPS_WORK_US. It is also reset whenever the group empties.
 */
const REBASE_ABOVE_US = 2 ** 26;

/** The busy groups of a node with none: shared (empty-list.ts), replaced when a group gets a job. */
const NO_GROUPS: CpuGroup[] = sharedEmptyList<CpuGroup>();

/**
 * Scratch lists every node shares, so that the steady state allocates only the jobs and a node's
 * event reads no list of its own: on a big cluster a node's own lists were cache misses of each
 * request it served. Only a kernel event runs completeDue, so one node's callbacks never run
 * inside another's (checked: `dueInUse`).
 */
const DUE: (CpuJob | undefined)[] = [];
const DEMANDS: number[] = [];
let dueInUse = false;

/**
 * A node's cores, shared as Linux CFS shares them with Docker's default equal cpu.shares: each job
 * uses at most one core, each group (cgroup) at most its cap (`--cpus`), and the cores are split
 * max-min fairly between the groups that have jobs, then equally between a group's jobs.
 *
 * SIMPLIFICATION: CFS reaches this split on average over its scheduling periods (a few ms) and
 * enforces `--cpus` by quota per 100 ms period, so a capped container really runs in bursts and is
 * throttled; we give every job its long-run average rate continuously (fluid processor sharing),
 * because the bursts are far shorter than the request latencies the model reports.
 *
 * One kernel event per node, at the earliest completion over its groups, moved only when a job
 * arrives, leaves or is cancelled. Completion callbacks run from that event and may submit or
 * cancel jobs on this node: the rates and the event are recomputed once after all callbacks.
 */
export class NodeCpu {
  /**
   * Groups with at least one job, in creation order. A new list when the first group gets a job
   * and none when the last one is done: an idle node keeps no list whose reading would be a miss.
   */
  private active: CpuGroup[] = NO_GROUPS;
  private groupsCreated = 0;
  private jobsSubmitted = 0;
  private running = 0;
  // These three start as -0 (level is Infinity, a double already), which equals 0 in every use
  // here (what leaves the class is made +0) but is a double where 0 is a small integer. V8 keeps
  // a double field of an object in a box of its own, and a field that held small integers until
  // some node's first fraction gets its boxes only then, for each node as it is next touched,
  // anywhere in the heap. Doubles from the start, a node's boxes are made with it and lie
  // together: on a big cluster each box apart was one more cache miss of a request (interleaved
  // at 20,001 workers: 0.93 of the steady state). group.ts does the same.
  private lastUs = -0;
  private busyCoreUs = -0;
  /** Cores in use now: min(cores, total demand). */
  private busyCores = -0;
  /** Set when the job sets changed since the rates were last computed. */
  private ratesStale = false;
  /** The max-min fair water level for the busy groups' demands (Infinity: every demand is met). */
  private level = Infinity;
  /** Set when the set of busy groups changed since the level was last computed (a changed demand
   * within the set is caught by comparing it with the one the level used). */
  private levelStale = false;
  /** True while completion callbacks run: changes then wait for one recompute at the end. */
  private firing = false;
  private event: ScheduledEvent | null = null;
  private readonly fire = (): void => this.completeDue();
  private readonly sync = (): void => this.advance();

  constructor(
    private readonly sim: Simulation,
    readonly cores: number,
  ) {
    if (!(cores > 0 && Number.isFinite(cores))) throw new Error(`cpu: a node needs a positive finite number of cores, got ${cores}`);
    this.lastUs = sim.now();
  }

  /** A new cgroup on this node; `capCores` is its CPU limit (Infinity for none). */
  group(capCores: number): CpuGroup {
    if (!(capCores > 0)) throw new Error(`cpu: a group's cap must be positive (Infinity for none), got ${capCores}`);
    return new CpuGroup(this.groupsCreated++, capCores, this, this.sync);
  }

  /** The group is gone (its container stopped): its jobs are cancelled without callbacks. */
  removeGroup(g: CpuGroup): void {
    this.checkOwn(g);
    if (g.removed) return;
    this.advance();
    g.removed = true;
    if (g.size === 0) return;
    const jobs = g.drain();
    for (const job of jobs) job.state = "cancelled";
    this.running -= jobs.length;
    this.deactivate(g);
    this.changed();
  }

  /**
   * Starts `workUs` core-microseconds of work in group `g`; `onDone(arg, job)` runs when it is
   * done (the job is passed so that one handler can serve many jobs without a closure each). Zero
   * work completes in this instant, from a kernel event, never synchronously inside `submit`.
   */
  submit<A>(g: CpuGroup, workUs: number, onDone: (arg: A, job: CpuJob) => void, arg: A): CpuJob {
    this.checkOwn(g);
    if (g.removed) throw new Error(`cpu: submit to group #${g.id}, which was removed`);
    if (!(workUs >= 0 && Number.isFinite(workUs))) throw new Error(`cpu: work must be a finite number of microseconds >= 0, got ${workUs}`);
    this.advance();
    if (g.size === 0) this.activate(g);
    const job = new CpuJob(g, this.jobsSubmitted++, this.sim.now(), workUs, g.vclockUs + workUs, onDone, arg);
    g.push(job);
    this.running++;
    this.changed();
    return job;
  }

  /** Stops a job without its callback; a no-op if it already finished or was cancelled. */
  cancel(job: CpuJob): void {
    if (job.state === "due") {
      // Its work ended in this instant but its callback has not run yet: suppress the callback.
      job.state = "cancelled";
      return;
    }
    if (job.state !== "running") return;
    this.advance();
    const g = job.group;
    g.remove(job);
    job.state = "cancelled";
    this.running--;
    if (g.size === 0) this.deactivate(g);
    this.changed();
  }

  /** Core-microseconds used on this node since the last call (for utilisation per window). */
  takeBusyCoreUs(): number {
    this.advance();
    const busy = this.busyCoreUs;
    this.busyCoreUs = 0;
    return busy + 0; // +0, not the field's first -0
  }

  /** Jobs receiving CPU now. */
  get activeJobs(): number {
    return this.running;
  }

  /** Cores `job` receives now (0 once it finished or was cancelled). */
  rateOf(job: CpuJob): number {
    if (job.state !== "running") return 0;
    if (this.ratesStale) this.updateRates();
    return job.group.ratePerJob;
  }

  /** Brings every busy group's virtual clock and the usage integrals up to now. */
  private advance(): void {
    const now = this.sim.now();
    const dt = now - this.lastUs;
    if (dt === 0) return;
    // Rates left stale since the last change apply from that change (lastUs) on, so computing them
    // now, before integrating, is exact.
    if (this.ratesStale) this.updateRates();
    this.lastUs = now;
    this.busyCoreUs += this.busyCores * dt;
    const active = this.active;
    for (let i = 0; i < active.length; i++) {
      const g = active[i]!;
      g.vclockUs += g.ratePerJob * dt;
      g.usedCoreUs += g.rateCores * dt;
      if (g.vclockUs > REBASE_ABOVE_US) g.rebase();
    }
  }

  /**
   * Max-min fair rates for the busy groups. The water level depends only on the groups' demands,
   * which stay put while a busy group's jobs come and go above its cap or a job replaces another,
   * so it is recomputed (O(groups), plus a sort when the cores are oversubscribed) only when a
   * demand or the set of busy groups changed; the per-job rates are O(groups) every time.
   */
  private updateRates(): void {
    const active = this.active;
    if (!this.levelStale) {
      for (let i = 0; i < active.length; i++) {
        const g = active[i]!;
        if (g.demandCores !== g.levelDemandCores) {
          this.levelStale = true;
          break;
        }
      }
    }
    if (this.levelStale) this.updateLevel();
    const level = this.level;
    for (let i = 0; i < active.length; i++) {
      const g = active[i]!;
      g.rateCores = Math.min(g.levelDemandCores, level);
      g.ratePerJob = g.rateCores / g.size;
    }
    this.ratesStale = false;
  }

  private updateLevel(): void {
    const demands = DEMANDS;
    while (demands.length > 0) demands.pop();
    let total = 0;
    const active = this.active;
    for (let i = 0; i < active.length; i++) {
      const g = active[i]!;
      const u = g.demandCores;
      g.levelDemandCores = u;
      total += u;
      demands.push(u);
    }
    this.level = total <= this.cores ? Infinity : waterLevel(demands, this.cores);
    // The node's total is computed from the demands, not by summing the groups' shares, so that
    // a saturated node reports exactly `cores`.
    this.busyCores = Math.min(total, this.cores);
    this.levelStale = false;
  }

  private changed(): void {
    this.ratesStale = true;
    if (!this.firing) this.reschedule();
  }

  /** Moves the node's one event to the earliest completion, keeping it if the time is unchanged. */
  private reschedule(): void {
    if (this.ratesStale) this.updateRates();
    let delayUs = Infinity;
    const active = this.active;
    for (let i = 0; i < active.length; i++) {
      const g = active[i]!;
      const remainingUs = g.peek()!.tagUs - g.vclockUs;
      const d = remainingUs <= EPS_WORK_US ? 0 : Math.ceil((remainingUs - EPS_WORK_US / 2) / g.ratePerJob);
      if (d < delayUs) delayUs = d;
    }
    const old = this.event;
    if (delayUs === Infinity) {
      this.sim.cancel(old);
      this.event = null;
      return;
    }
    const atUs = this.sim.now() + delayUs;
    if (old !== null) {
      if (old.pending && old.timeUs === atUs) return;
      this.sim.cancel(old);
    }
    this.event = this.sim.at(atUs, this.fire);
  }

  /**
   * The node's event: every job whose work is done finishes (groups in creation order, each in
   * finish-tag order), then the callbacks run, then rates and the event are recomputed once.
   */
  private completeDue(): void {
    this.event = null;
    this.advance();
    if (dueInUse) throw new Error("cpu: a node's completions ran inside another's");
    const due = DUE;
    const active = this.active;
    let kept = 0;
    // A count rather than truncating the reused arrays: setting an array's length is a slow
    // path in V8, and this runs once per completed request.
    let dueCount = 0;
    for (let i = 0; i < active.length; i++) {
      const g = active[i]!;
      for (let head = g.peek(); head !== undefined && head.tagUs - g.vclockUs <= EPS_WORK_US; head = g.peek()) {
        g.pop();
        head.state = "due";
        due[dueCount++] = head;
      }
      if (g.size > 0) active[kept++] = g;
      else this.resetIdle(g);
    }
    if (kept < active.length) {
      this.levelStale = true;
      if (kept === 0) this.active = NO_GROUPS;
      else while (active.length > kept) active.pop();
    }
    this.running -= dueCount;
    this.ratesStale = true;
    this.firing = true;
    dueInUse = true;
    try {
      for (let i = 0; i < dueCount; i++) {
        const job = due[i]!;
        due[i] = undefined;
        // An earlier callback in this instant may have cancelled the job or removed its group.
        if (job.state !== "due" || job.group.removed) {
          job.state = "cancelled";
          continue;
        }
        job.state = "done";
        job.onDone(job.arg, job);
      }
    } finally {
      for (let i = 0; i < dueCount; i++) due[i] = undefined;
      this.firing = false;
      dueInUse = false;
    }
    this.reschedule();
  }

  /** Inserts a group that just got its first job, keeping `active` in creation order. */
  private activate(g: CpuGroup): void {
    const active = this.active;
    this.levelStale = true;
    if (active.length === 0) {
      this.active = [g];
      return;
    }
    let i = active.length;
    active.push(g);
    while (i > 0 && active[i - 1]!.id > g.id) {
      active[i] = active[i - 1]!;
      i--;
    }
    active[i] = g;
  }

  private deactivate(g: CpuGroup): void {
    const i = this.active.indexOf(g);
    if (i < 0) throw new Error(`cpu: group #${g.id} has no jobs but was not active`);
    if (this.active.length === 1) this.active = NO_GROUPS;
    else this.active.splice(i, 1);
    this.levelStale = true;
    this.resetIdle(g);
  }

  /** An idle group's clock restarts at 0: nothing depends on it and small clocks keep precision. */
  private resetIdle(g: CpuGroup): void {
    g.vclockUs = 0;
    g.rateCores = 0;
    g.ratePerJob = 0;
  }

  private checkOwn(g: CpuGroup): void {
    if (g.owner !== this) throw new Error(`cpu: group #${g.id} belongs to another node`);
  }
}
