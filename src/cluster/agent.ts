import type { Simulation, ScheduledEvent, RandomStream, Sampler } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import { TaskState, taskStateName } from "./task-state.js";
import type { AgentToManager, AssignmentMessage, ManagerToAgent, TaskStatusUpdate } from "./messages.js";
import type { CpuJob, NodeCpu } from "./cpu.js";
import { Container, type ContainerCallbacks, type ContainerRequest } from "./container.js";
import { AgentSession } from "./session.js";

/** Swarm sets a stopping backend's IPVS weight to 0 and waits this long for gossip before stopping it. */
export const LB_DRAIN_US = 2_000_000;

/** What the agent needs from the rest of the world; wired by the engine. */
export interface AgentDeps<R extends ContainerRequest> {
  sim: Simulation;
  cpu: NodeCpu;
  /** Draws start-up failures (a spec's startup.failRate). */
  rng: RandomStream;
  managers: readonly string[];
  heartbeatPeriodUs: number;
  /** Sends to a manager over the fabric. */
  send(manager: string, msg: AgentToManager, bytes: number): void;
  /** The data plane: a running container joins its service's load balancer, a stopping one leaves. */
  joinLoadBalancer(container: Container<R>): void;
  leaveLoadBalancer(container: Container<R>): void;
  requestWork(spec: ServiceSpec): Sampler;
  callbacks: ContainerCallbacks<R>;
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
}

/**
 * The worker agent on one node (swarmkit agent/): keeps a session with the managers, accepts
 * assignments, walks each task through ACCEPTED, PREPARING (image pull), READY, STARTING
 * (start-up work on the node's CPU) to RUNNING, stops tasks whose desired state says so, and
 * reports every change.
 */
export class Agent<R extends ContainerRequest> {
  readonly tasks = new Map<string, AgentTask<R>>();
  readonly session: AgentSession;

  constructor(
    readonly node: string,
    readonly nodeIndex: number,
    private readonly d: AgentDeps<R>,
  ) {
    this.session = new AgentSession(node, {
      sim: d.sim,
      managers: d.managers,
      send: d.send,
      responseTimeoutUs: d.heartbeatPeriodUs,
      allStatuses: () => [...this.tasks.values()].map((t) => ({ taskId: t.id, state: t.state, reason: null })),
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
    if (msg.desiredState > TaskState.RUNNING || msg.state > TaskState.ASSIGNED) {
      // Not ours any more, or ours before this node restarted: its container is gone.
      if (msg.state <= TaskState.RUNNING) {
        const state = msg.desiredState > TaskState.RUNNING ? TaskState.SHUTDOWN : TaskState.FAILED;
        this.session.report({ taskId: msg.taskId, state, reason: state === TaskState.FAILED ? "task lost: node restarted" : null });
      }
      return;
    }
    const t: AgentTask<R> = { id: msg.taskId, service: msg.service, slot: msg.slot, spec: msg.spec, state: TaskState.ASSIGNED, desired: msg.desiredState, timer: null, job: null, container: null, stopping: false };
    this.tasks.set(t.id, t);
    this.setState(t, TaskState.ACCEPTED, null);
    this.setState(t, TaskState.PREPARING, null);
    t.timer = this.d.sim.after(t.spec.startup.pullUs, () => this.prepared(t));
  }

  /** Tasks this agent runs or is starting (not yet stopped). */
  get liveTasks(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.state <= TaskState.RUNNING) n++;
    return n;
  }

  private prepared(t: AgentTask<R>): void {
    t.timer = null;
    this.setState(t, TaskState.READY, null);
    if (t.desired >= TaskState.RUNNING) this.start_(t);
  }

  private start_(t: AgentTask<R>): void {
    this.setState(t, TaskState.STARTING, null);
    const failed = t.spec.startup.failRate > 0 && this.d.rng.next() < t.spec.startup.failRate;
    t.job = this.d.cpu.submit(t.spec.startup.cpuUs, () => this.started(t, failed), null);
  }

  private started(t: AgentTask<R>, failed: boolean): void {
    t.job = null;
    if (failed) {
      this.setState(t, TaskState.FAILED, "task: non-zero exit (1)");
      return;
    }
    t.container = new Container<R>(t.id, t.spec, this.nodeIndex, this.node, this.d.cpu, this.d.requestWork(t.spec), this.d.callbacks);
    this.setState(t, TaskState.RUNNING, null);
    this.d.joinLoadBalancer(t.container);
  }

  private shutdown(t: AgentTask<R>): void {
    if (t.state > TaskState.RUNNING || t.stopping) return;
    t.stopping = true;
    this.d.sim.cancel(t.timer);
    t.timer = null;
    if (t.job) this.d.cpu.cancel(t.job);
    t.job = null;
    const c = t.container;
    if (!c) {
      this.setState(t, TaskState.SHUTDOWN, null);
      return;
    }
    // SIMPLIFICATION: after the load-balancer drain the container stops at once; requests still
    // queued or in service are lost (Swarm sends SIGTERM and waits up to a 10 s grace period).
    this.d.leaveLoadBalancer(c);
    t.timer = this.d.sim.after(LB_DRAIN_US, () => {
      t.timer = null;
      c.kill();
      this.setState(t, TaskState.SHUTDOWN, null);
    });
  }

  /** The node crashed: every container dies with it, nothing is reported, the session ends. */
  crash(): void {
    this.session.stop();
    for (const t of this.tasks.values()) {
      this.d.sim.cancel(t.timer);
      if (t.job) this.d.cpu.cancel(t.job);
      if (t.container) {
        this.d.leaveLoadBalancer(t.container);
        t.container.kill();
      }
    }
    this.tasks.clear();
  }

  private setState(t: AgentTask<R>, state: TaskState, reason: string | null): void {
    t.state = state;
    this.d.emit({ kind: "task", task: t.id, service: t.service, slot: t.slot, node: this.node, state: taskStateName(state), reason });
    this.session.report({ taskId: t.id, state, reason });
  }
}
