import { JobHeap } from "./job-heap.js";
import type { NodeCpu } from "./node-cpu.js";

/**
 * Where a job is in its life. "due" means its work is done and its callback is about to run in this
 * instant; a cancel then still suppresses the callback, as cancelling a kernel event does.
 */
export type CpuJobState = "running" | "due" | "done" | "cancelled";

/**
 * A unit of CPU work on a node: a request being served, a container's start-up, a health check.
 * Fields other than the readonly ones are written only by the node's scheduler.
 */
export class CpuJob {
  state: CpuJobState = "running";
  /** Position in the group's heap, -1 when not in it. */
  heapIndex = -1;

  constructor(
    readonly group: CpuGroup,
    /** Node-wide submission number: breaks ties between equal finish tags. */
    readonly seq: number,
    readonly submittedUs: number,
    /** CPU time the job needs, in core-microseconds. */
    readonly workUs: number,
    /** Finish tag: the group's virtual clock when the job will have received `workUs`. */
    public tagUs: number,
    readonly onDone: (arg: any, job: CpuJob) => void,
    readonly arg: unknown,
  ) {}

  /** Still receiving CPU (neither finished nor cancelled). */
  get active(): boolean {
    return this.state === "running";
  }
}

/**
 * A cgroup on a node: usually one container. Every job of a group runs at the same rate, so the
 * group keeps one virtual clock (the work each of its jobs has received since the clock was last
 * rebased) and orders its jobs by finish tag; a job is done when the clock reaches its tag.
 * The group is its jobs' heap rather than holding one: on a big cluster's idle node every object
 * a request reaches is a cache miss, and a heap of its own was one more.
 * Fields other than the readonly ones are written only by the node's scheduler.
 */
export class CpuGroup extends JobHeap {
  // -0, not 0: doubles from the start, so that a group's boxes are made with it (see NodeCpu's lastUs).
  vclockUs = -0;
  /** Cores each job gets now: `rateCores / jobs`. */
  ratePerJob = -0;
  /** The demand the node's current water level was computed with. */
  levelDemandCores = -0;
  /** Cores the whole group gets now. */
  rateCores = -0;
  usedCoreUs = -0;
  removed = false;

  constructor(
    /** Creation order on its node: groups are always visited in this order, for determinism. */
    readonly id: number,
    /** The container's CPU limit in cores; Infinity for none. */
    readonly capCores: number,
    /** The node the group belongs to: its jobs are submitted there (checked). */
    readonly owner: NodeCpu,
    /** Brings the node's accounting up to now. */
    private readonly sync: () => void,
  ) {
    super();
  }

  /** Jobs receiving CPU in this group. */
  get jobs(): number {
    return this.size;
  }

  /** Cores this group can use with its current jobs: one per job, at most its cap. */
  get demandCores(): number {
    return Math.min(this.capCores, this.size);
  }

  /** Core-microseconds this group used since the last call (for container CPU per window). */
  takeUsedCoreUs(): number {
    if (!this.removed) this.sync();
    const used = this.usedCoreUs;
    this.usedCoreUs = 0;
    return used + 0; // +0, not the field's first -0
  }

  /**
   * Restarts the virtual clock at 0, moving every tag with it, so that clock and tags stay small
   * numbers whose floating error is far below the completion epsilon.
   */
  rebase(): void {
    this.shiftTags(this.vclockUs);
    this.vclockUs = 0;
  }
}
