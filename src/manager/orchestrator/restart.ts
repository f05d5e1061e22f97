import type { Simulation, ScheduledEvent } from "../../kernel/index.js";
import { TaskState } from "../../api/task-state.js";
import { SlotMap, type Store, type StoreCommand, type TaskRecord } from "../store.js";
import { TaskFlags, taskStopped } from "./tasks.js";

/** A replacement waits at most this long for the task it replaces to stop (swarmkit). */
const WAIT_FOR_OLD_TASK_US = 60_000_000;

interface Pending {
  replacement: TaskRecord;
  old: TaskRecord;
  deadlineUs: number;
  timer: ScheduledEvent | null;
  delayOver: boolean;
  /** The replacement stopped within its delay: restarted, as this says, once this wait is over. */
  then: { delay: boolean; moving: boolean } | null;
}

/**
 * Swarm's restart supervisor (manager/orchestrator/restart): decides whether a stopped task is
 * restarted (condition, maxAttempts within window), creates the replacement at once with desired
 * READY so it can be placed and pulled during the delay, and gives it desired RUNNING once the
 * delay has passed and the old task has stopped (or its node is down, or a minute has passed).
 * Its history lives in the leader's memory and is lost on a leader change, as in Swarm.
 */
export class RestartSupervisor {
  /** The tasks it took charge of; its tables go by task number (TaskRecord.num). */
  private readonly restarted = new TaskFlags();
  /** Per slot: the restarts' times, and the spec they were of (a new spec starts afresh, as swarmkit's specVersion does). */
  private readonly history = new SlotMap<{ spec: TaskRecord["spec"]; times: number[] }>();
  /** By the number of the task replaced. */
  private readonly waiting = new Map<number, Pending>();
  /** Replacements still in their restart delay or waiting for the task they replace to stop, by their own number. */
  private readonly delaying = new Map<number, Pending>();
  /** While `together` runs: the restarts' commands, proposed together when it ends. */
  private collected: StoreCommand[] | null = null;
  private stopped = false;

  constructor(
    private readonly sim: Simulation,
    private readonly store: Store,
    private readonly propose: (cmds: StoreCommand[]) => void,
    private readonly createReplacement: (old: TaskRecord) => TaskRecord | null,
    /** Told when the supervisor takes charge of a task (isRestarting turns true). */
    private readonly tookCharge: (task: TaskRecord) => void = () => {},
  ) {}

  stop(): void {
    this.stopped = true;
    for (const p of this.waiting.values()) this.sim.cancel(p.timer);
    this.delaying.clear();
  }

  /** The store deleted the task: nothing about it needs remembering any more. */
  forget(task: TaskRecord): void {
    this.restarted.delete(task);
  }

  private takeCharge(task: TaskRecord): void {
    this.restarted.add(task);
    this.tookCharge(task);
  }

  /** True once the supervisor has taken charge of the task (its slot is being refilled). */
  isRestarting(task: TaskRecord): boolean {
    return this.restarted.has(task);
  }

  /**
   * Runs `fn` and proposes the restarts it decides together, as swarmkit restarts the tasks of a
   * node gone DOWN: restartTasksByNodeID collects them and tickTasks commits them in one
   * store.Batch. A restart decided alone is proposed alone.
   * SIMPLIFICATION: swarmkit's tickTasks batches every restart of a committed entry's events (all
   * the tasks one status batch reports failed); here only a node's and a new leader's are.
   */
  together(fn: () => void): void {
    const outer = this.collected;
    const mine: StoreCommand[] = [];
    this.collected = mine;
    try {
      fn();
    } finally {
      this.collected = outer;
    }
    if (mine.length > 0) this.proposeRestart(mine);
  }

  private proposeRestart(cmds: StoreCommand[]): void {
    if (this.collected === null) this.propose(cmds);
    else for (const c of cmds) this.collected.push(c);
  }

  /**
   * `moving`: the task is taken off its node (drained, or the node was lost or removed). It is
   * shut down whatever its policy says (as swarmkit's Restart does first); the policy only
   * decides whether a replacement comes from here. A task that stopped by itself and may not be
   * restarted instead keeps its slot (desired running, state stopped), so the slot stays empty.
   */
  restart(task: TaskRecord, how: { delay: boolean; moving: boolean }): void {
    if (this.restarted.has(task)) return;
    // A replacement that stops while still in its own restart delay (or waiting for the task it
    // replaced to stop) is restarted once that wait is over, as swarmkit's Restart waits "to
    // avoid tight restart loops (for example, when the image doesn't exist)": a task its node's
    // engine rejects at once would be replaced at once.
    const inDelay = this.delaying.get(task.num);
    if (inDelay) {
      inDelay.then ??= how;
      return;
    }
    const stop: StoreCommand = { type: "SetTaskDesiredState", id: task.id, desiredState: TaskState.SHUTDOWN };
    // on-failure restarts anything that did not complete, a running task being moved included.
    const failed = task.state !== TaskState.COMPLETE;
    if (!this.shouldRestart(task, failed)) {
      if (how.moving) {
        this.takeCharge(task);
        this.proposeRestart([stop]);
      }
      return;
    }
    this.takeCharge(task);
    const replacement = this.createReplacement(task);
    if (!replacement) {
      this.proposeRestart([stop]);
      return;
    }
    this.proposeRestart([stop, { type: "CreateTask", task: replacement }]);
    this.recordAttempt(task, replacement);
    const delayUs = how.delay ? task.spec.restartPolicy.delayUs : 0;
    // The minute's wait for the old task runs alongside the delay (swarmkit's DelayStart starts both together).
    const p: Pending = { replacement, old: task, deadlineUs: this.sim.now() + WAIT_FOR_OLD_TASK_US, timer: null, delayOver: false, then: null };
    this.waiting.set(task.num, p);
    this.delaying.set(replacement.num, p);
    p.timer = this.sim.after(delayUs, () => {
      p.delayOver = true;
      this.tryPromote(p);
    });
  }

  /**
   * A replacement created by an earlier leader and still waiting: it gets RUNNING once what is
   * left of its delay has passed (swarmkit taskinit counts it from the task's status timestamp).
   * SIMPLIFICATION: counted from the replacement's creation; its status may have changed since
   * (PENDING, ASSIGNED), which in Swarm leaves a little more of the delay to wait.
   */
  resume(replacement: TaskRecord): void {
    const delayUs = replacement.spec.restartPolicy.delayUs;
    const leftUs = Math.min(delayUs, Math.max(0, replacement.createdUs + delayUs - this.sim.now()));
    this.sim.after(leftUs, () => {
      if (this.stopped) return;
      const t = this.store.tasks.get(replacement.id);
      // A task that already ended is left alone (swarmkit taskinit skips a state past COMPLETE).
      if (t && t.desiredState === TaskState.READY && t.state <= TaskState.COMPLETE) {
        this.propose([{ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.RUNNING }]);
      }
    });
  }

  /** The old task changed: a waiting replacement may go now. */
  taskChanged(task: TaskRecord): void {
    const p = this.waiting.get(task.num);
    if (p && p.delayOver) this.tryPromote(p);
  }

  private tryPromote(p: Pending): void {
    if (this.stopped || !this.waiting.has(p.old.num)) return;
    if (!taskStopped(this.store, p.old.id) && this.sim.now() < p.deadlineUs) {
      p.timer = this.sim.at(p.deadlineUs, () => this.tryPromote(p));
      return;
    }
    this.sim.cancel(p.timer);
    this.waiting.delete(p.old.num);
    this.delaying.delete(p.replacement.num);
    if (p.then !== null) {
      // The replacement stopped meanwhile: its own restart, now (swarmkit waitRestart).
      const t = this.store.tasks.get(p.replacement.id);
      if (t && t.desiredState <= TaskState.RUNNING) this.restart(t, p.then);
      return;
    }
    this.propose([{ type: "SetTaskDesiredState", id: p.replacement.id, desiredState: TaskState.RUNNING }]);
  }

  private shouldRestart(task: TaskRecord, failed: boolean): boolean {
    const policy = task.spec.restartPolicy;
    if (policy.condition === "none") return false;
    if (policy.condition === "on-failure" && !failed) return false;
    if (policy.maxAttempts === 0) return true;
    const now = this.sim.now();
    const h = this.history.get(task);
    // Restarts of an earlier spec do not count against this one (a rolling update gave it a new one).
    if (!h || h.spec !== task.spec) return true;
    const times = h.times.filter((t) => policy.windowUs === 0 || t > now - policy.windowUs);
    return times.length < policy.maxAttempts;
  }

  private recordAttempt(task: TaskRecord, replacement: TaskRecord): void {
    const h = this.history.get(task);
    if (h && h.spec === replacement.spec) h.times.push(this.sim.now());
    else this.history.set(task, { spec: replacement.spec, times: [this.sim.now()] });
  }
}
