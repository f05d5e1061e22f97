import type { Simulation, ScheduledEvent, RandomStream } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import { TASK_HISTORY_PER_SLOT, TaskState, taskStateName } from "../api/task-state.js";
import { TaskEvent } from "../metrics/task-event.js";
import type { AgentToManager, AssignmentMessage, ManagerToAgent, NodeDescription, SessionParking, TaskStatusUpdate } from "../api/messages.js";
import type { CpuGroup, CpuJob, NodeCpu } from "./cpu.js";
import { Container, type ContainerRequest, type RequestModel } from "./container.js";
import { AgentSession } from "./session.js";
import { HealthMonitor } from "./health.js";
import { memoryOf, oomVictims, overLimit } from "./memory.js";
import { formatNumber } from "../metrics/fmt.js";

/** Swarm sets a stopping backend's IPVS weight to 0 and waits this long for gossip before stopping it. */
export const LB_DRAIN_US = 2_000_000;

/** What the agent needs from the rest of the world; wired by the engine. */
export interface AgentDeps<R extends ContainerRequest> {
  sim: Simulation;
  /** The node's CPU: containers' start-ups and their requests' work run there. */
  cpu: NodeCpu;
  /** Draws start-up failures (a spec's startup.failRate). */
  rng: RandomStream;
  managers: readonly string[];
  description: NodeDescription;
  /** Sends to a manager over the fabric. */
  send(manager: string, msg: AgentToManager, bytes: number): void;
  /** Where the session may be held between heartbeats while it has nothing to report (cluster/session.ts). */
  parking: SessionParking | null;
  /** Uniform in [0, 1), for the session's backoff (a stream of its own, made when first needed). */
  readonly sessionRandom: () => number;
  /** A task here moved from state `from` to `to` (null: not here), for the metrics' running and starting counts. */
  countTask(service: string, from: TaskState | null, to: TaskState | null): void;
  /** What the tasks here hold may have changed (their number, states, or memory): for the metrics' node rows. */
  changed(): void;
  /**
   * The data plane: a running container joins its service's load balancer, a stopping one
   * leaves; `crashed` when its node died (the others notice later, by failure detection).
   */
  joinLoadBalancer(container: Container<R>): void;
  leaveLoadBalancer(container: Container<R>, crashed: boolean): void;
  /** How requests to containers of `spec` are served: one model per spec, shared by its containers. */
  requestsOf(spec: ServiceSpec): RequestModel<R>;
  /** `done` once this node has the image (pulled from the registry if it had not). */
  pullImage(image: ServiceSpec["image"], done: () => void): void;
  memoryBytes: number;
  /** A container was OOM-killed (for the per-service count). */
  onOom(service: string): void;
  /** A container was found unhealthy (for the per-service count). */
  onUnhealthy(service: string): void;
  emit(event: { kind: string } & Record<string, unknown>): void;
}

export interface AgentTask<R extends ContainerRequest> {
  id: string;
  service: string;
  slot: number;
  spec: ServiceSpec;
  state: TaskState;
  desired: TaskState;
  timer: ScheduledEvent | null;
  job: CpuJob | null;
  container: Container<R> | null;
  stopping: boolean;
  group: CpuGroup | null;
  health: HealthMonitor | null;
  /** Creation order on this agent, for the OOM killer's ties. */
  seq: number;
}

/**
 * The worker agent on one node (swarmkit agent/): keeps a session with the managers, accepts
 * assignments, walks each task through ACCEPTED, PREPARING (image pull), READY, STARTING
 * (start-up work on the node's CPU) to RUNNING, stops tasks whose desired state says so, and
 * reports every change.
 */
export class Agent<R extends ContainerRequest> {
  readonly tasks = new Map<string, AgentTask<R>>();
  /**
   * Tasks that stopped here, with their final report: Swarm's worker keeps its task database on
   * disk, so this outlives a crash of the node.
   */
  private readonly finished = new Map<string, TaskStatusUpdate>();
  /** Tasks that were live here when the node crashed (their containers died with it). */
  private readonly lost = new Set<string>();
  /**
   * Per slot, the tasks of `finished` and `lost`, oldest first. Swarm's managers keep five tasks
   * per slot and its worker forgets those they delete: the five latest of a slot here cover all
   * that a manager may still assign.
   */
  private readonly history = new Map<string, string[]>();
  readonly session: AgentSession;
  private seq = 0;
  /** Bumped by whatever may change the memory the tasks hold (a state, a start-up ending, a crash). */
  private changes = 0;
  private memoryAt = -1;
  private memory = 0;

  constructor(
    readonly node: string,
    readonly nodeIndex: number,
    private readonly d: AgentDeps<R>,
  ) {
    this.session = new AgentSession(node, {
      sim: d.sim,
      nodeIndex,
      managers: d.managers,
      send: d.send,
      allStatuses: () => [...this.tasks.values()].map((t) => ({ taskId: t.id, state: t.state, reason: null })),
      description: d.description,
      parking: d.parking,
      random: d.sessionRandom,
    });
  }

  start(): void {
    this.session.start();
  }

  receive(msg: ManagerToAgent): void {
    if (msg.type === "Assignment") this.assign(msg);
    else this.session.receive(msg);
  }

  assign(msg: AssignmentMessage): void {
    let t = this.tasks.get(msg.taskId);
    if (!t) {
      this.newTask(msg);
      return;
    }
    t.desired = Math.max(t.desired, msg.desiredState) as TaskState;
    if (t.desired > TaskState.RUNNING) this.shutdown(t);
    else if (t.state === TaskState.READY && t.desired >= TaskState.RUNNING) this.start_(t);
  }

  private newTask(msg: AssignmentMessage): void {
    // Already stopped here: its final state was reported (and is resent until acknowledged). A
    // manager that still does not know it lost that report with a crash of this node: tell it again.
    const done = this.finished.get(msg.taskId);
    if (done) {
      if (msg.state < done.state && !this.session.reporting(done.taskId)) this.session.report(done);
      return;
    }
    const lost = this.lost.delete(msg.taskId);
    if (lost || msg.desiredState > TaskState.RUNNING || msg.state > TaskState.ASSIGNED) {
      // Not ours any more, or ours before this node restarted: its container is gone.
      if (msg.state <= TaskState.RUNNING) {
        const state = msg.desiredState > TaskState.RUNNING ? TaskState.SHUTDOWN : TaskState.FAILED;
        const reason = state === TaskState.FAILED ? "task lost: node restarted" : "container gone: node restarted";
        this.d.emit(new TaskEvent(msg.taskId, msg.service, msg.slot, this.node, taskStateName(state), reason));
        const end = { taskId: msg.taskId, state, reason };
        this.session.report(end);
        this.finished.set(msg.taskId, end); // its end, told once: a later assignment gets the same
        this.remember(msg.service, msg.slot, msg.taskId);
      }
      return;
    }
    const t: AgentTask<R> = { id: msg.taskId, service: msg.service, slot: msg.slot, spec: msg.spec, state: TaskState.ASSIGNED, desired: msg.desiredState, timer: null, job: null, container: null, stopping: false, group: null, health: null, seq: this.seq++ };
    this.tasks.set(t.id, t);
    this.d.countTask(t.service, null, t.state);
    this.setState(t, TaskState.ACCEPTED, null);
    this.setState(t, TaskState.PREPARING, null);
    // PREPARING: the image (pulled over the network unless the node has it), then the fixed
    // `startup.pull` time (for scenarios that do not model the registry, and container creation).
    this.d.pullImage(t.spec.image, () => {
      if (this.tasks.get(t.id) !== t || t.state !== TaskState.PREPARING) return; // gone meanwhile
      t.timer = this.d.sim.after(t.spec.startup.pullUs, () => this.prepared(t));
    });
  }


  private prepared(t: AgentTask<R>): void {
    t.timer = null;
    const refused = this.refusal(t.spec);
    if (refused !== null) {
      this.setState(t, TaskState.REJECTED, refused);
      return;
    }
    this.setState(t, TaskState.READY, null);
    if (t.desired >= TaskState.RUNNING) this.start_(t);
  }

  /**
   * Why the engine refuses to create the task's container here, or null. Docker refuses a CPU
   * limit above the node's cores (moby/moby#40303: a service's `--limit-cpu 12` does not start on
   * an 8-core node of a mixed swarm); a task that fails before STARTING is REJECTED (swarmkit
   * agent/exec Do), and its restart policy replaces it.
   */
  private refusal(spec: ServiceSpec): string | null {
    const limitNanos = Math.round(spec.resources.limits.cpuCores * 1e9);
    const cores = this.d.description.cpuNanos / 1e9;
    if (limitNanos <= this.d.description.cpuNanos) return null;
    return `Range of CPUs is from 0.01 to ${cores.toFixed(2)}, as there are only ${formatNumber(cores)} CPUs available`;
  }

  /** STARTING: the container's cgroup exists and its start-up work runs on the node's CPU. */
  private start_(t: AgentTask<R>): void {
    this.setState(t, TaskState.STARTING, null);
    const cap = t.spec.resources.limits.cpuCores;
    t.group = this.d.cpu.group(cap > 0 ? cap : Infinity);
    const failed = t.spec.startup.failRate > 0 && this.d.rng.next() < t.spec.startup.failRate;
    t.job = this.d.cpu.submit(t.group, t.spec.startup.cpuUs, () => this.started(t, failed), null);
    const hc = t.spec.healthcheck;
    if (hc) {
      const container = (): Container<ContainerRequest> | null => t.container as unknown as Container<ContainerRequest> | null;
      t.health = new HealthMonitor(this.d.sim, container, hc, () => this.becomeRunning(t), () => {
        this.d.onUnhealthy(t.service);
        this.fail(t, "unhealthy container");
      });
    }
    this.checkMemory(t);
  }

  private started(t: AgentTask<R>, failed: boolean): void {
    t.job = null;
    this.changed();
    if (failed) {
      this.fail(t, "task: non-zero exit (1)");
      return;
    }
    const c = new Container<R>(t.id, t.spec, this.nodeIndex, t.group!, this.d.requestsOf(t.spec));
    t.container = c;
    if (!this.checkMemory(t)) return;
    // With a health check, Swarm keeps the task STARTING until its first healthy check.
    if (!t.health) this.becomeRunning(t);
  }

  private becomeRunning(t: AgentTask<R>): void {
    if (t.state !== TaskState.STARTING || !t.container) return;
    // What it used to start is not load: the autoscaler reads CPU used while running.
    t.group?.takeUsedCoreUs();
    this.setState(t, TaskState.RUNNING, null);
    this.d.joinLoadBalancer(t.container);
  }

  /**
   * After a task's memory grew: over its own limit it is OOM-killed; over the node's memory, the
   * node's OOM killer picks victims. False if `t` itself was killed.
   */
  private checkMemory(t: AgentTask<R>): boolean {
    const victims = overLimit(t) ? [t] : oomVictims(this.tasks.values(), this.d.memoryBytes);
    for (const v of victims) {
      this.d.emit({ kind: "oom", node: this.node, task: v.id });
      this.d.onOom(v.service);
      this.fail(v, "OOM killed (exit 137)");
    }
    return !victims.includes(t);
  }

  /** The task's container dies (or never started): FAILED, for the restart policy to replace. */
  private fail(t: AgentTask<R>, reason: string): void {
    if (t.state > TaskState.RUNNING) return;
    this.release(t);
    this.setState(t, TaskState.FAILED, reason);
  }

  /** Stops everything the task holds on this node: timers, CPU work, health checks, its container. */
  private release(t: AgentTask<R>, crashed = false): void {
    this.d.sim.cancel(t.timer);
    t.timer = null;
    if (t.job) this.d.cpu.cancel(t.job);
    t.job = null;
    t.health?.stop();
    t.health = null;
    if (t.container) {
      this.d.leaveLoadBalancer(t.container, crashed);
      t.container.kill(crashed);
    } else if (t.group) {
      this.d.cpu.removeGroup(t.group);
    }
    t.group = null;
  }

  private shutdown(t: AgentTask<R>): void {
    if (t.state > TaskState.RUNNING || t.stopping) return;
    t.stopping = true;
    const c = t.container;
    if (!c || t.state < TaskState.RUNNING) {
      this.release(t);
      this.setState(t, TaskState.SHUTDOWN, null);
      return;
    }
    // Swarm takes the task out of the load balancer, waits for the drain, then stops the
    // container as `docker stop` does: SIGTERM, after which it finishes what it holds (and takes
    // nothing new), then SIGKILL at the end of the grace period, losing whatever is left.
    this.d.leaveLoadBalancer(c, false);
    t.health?.stop();
    const stopped = (): void => {
      this.release(t);
      this.setState(t, TaskState.SHUTDOWN, null);
    };
    t.timer = this.d.sim.after(LB_DRAIN_US, () => {
      t.timer = this.d.sim.after(t.spec.stopGracePeriodUs, stopped);
      c.terminate(stopped);
    });
  }

  /** Every task of `service` here exits at once (restartAll): FAILED, for the restart policy to replace. */
  failService(service: string, reason: string): void {
    for (const t of this.tasks.values()) if (t.service === service) this.fail(t, reason);
  }

  /** Whatever may change the memory the tasks hold, or their number: counted, and told. */
  private changed(): void {
    this.changes++;
    this.d.changed();
  }

  /** Memory the node's tasks hold now (memory.ts memoryOf), recounted only after a change. */
  memoryUsed(): number {
    if (this.memoryAt !== this.changes) {
      let mem = 0;
      for (const t of this.tasks.values()) mem += memoryOf(t);
      this.memory = mem;
      this.memoryAt = this.changes;
    }
    return this.memory;
  }

  /** The node crashed: every container dies with it, nothing is reported, the session ends. */
  crash(): void {
    this.session.stop();
    for (const t of this.tasks.values()) {
      this.release(t, true);
      this.d.countTask(t.service, t.state, null);
      this.lost.add(t.id);
      this.remember(t.service, t.slot, t.id);
    }
    this.tasks.clear();
    this.changed();
  }

  /** Keeps `taskId` in its slot's history, forgetting the oldest past TASK_HISTORY_PER_SLOT. */
  private remember(service: string, slot: number, taskId: string): void {
    const key = `${service}.${slot}`;
    const ids = this.history.get(key);
    if (!ids) {
      // Made with its first id, as the reaper's slots are (`[]` then push reserves 17 places).
      this.history.set(key, [taskId]);
      return;
    }
    if (!ids.includes(taskId)) ids.push(taskId);
    if (ids.length > TASK_HISTORY_PER_SLOT) {
      const old = ids.shift()!;
      this.finished.delete(old);
      this.lost.delete(old);
    }
  }

  private setState(t: AgentTask<R>, state: TaskState, reason: string | null): void {
    if (this.tasks.get(t.id) === t) this.d.countTask(t.service, t.state, state > TaskState.RUNNING ? null : state);
    t.state = state;
    this.changed();
    this.d.emit(new TaskEvent(t.id, t.service, t.slot, this.node, taskStateName(state), reason));
    this.session.report({ taskId: t.id, state, reason });
    // A stopped task holds nothing here any more; the session keeps its report until acknowledged.
    if (state > TaskState.RUNNING) {
      this.tasks.delete(t.id);
      this.finished.set(t.id, { taskId: t.id, state, reason });
      this.remember(t.service, t.slot, t.id);
    }
  }
}
