import type { Simulation } from "../kernel/index.js";
import type { Host } from "../cluster/host.js";
import type { ContainerRequest } from "../cluster/container.js";
import { ASSIGNMENT_BYTES, STATUS_UPDATE_BYTES, type AssignmentMessage, type TaskStatusMessage, type TaskStatusUpdate } from "../cluster/messages.js";
import type { Fabric } from "../network/fabric.js";
import { Store, type StoreCommand, type StoreEvent } from "./store.js";
import { LeaderRoles, type LeaderRoleOptions } from "./leader-roles.js";

export interface ControlPlaneOptions<R extends ContainerRequest> {
  sim: Simulation;
  fabric: Fabric;
  hosts: ReadonlyMap<string, Host<R>>;
  leader: Host<R>;
  roles: Omit<LeaderRoleOptions, "sim" | "store" | "propose" | "sendAssignment">;
  /** Sees every committed change (for the event log). */
  observe(event: StoreEvent): void;
}

/**
 * The managers as one: a store, and the leader's roles driving it.
 * SIMPLIFICATION (until Raft is modelled): there is a single manager that is always the
 * leader, and a proposal is committed at the end of the instant it was made.
 */
export class ControlPlane<R extends ContainerRequest> {
  readonly store = new Store();
  private readonly queue: StoreCommand[] = [];
  private commitScheduled = false;
  private roles: LeaderRoles | null = null;
  private readonly propose = (cmds: StoreCommand[]): void => this.enqueue(cmds);

  constructor(private readonly o: ControlPlaneOptions<R>) {
    this.store.watch((e) => {
      o.observe(e);
      this.roles?.handle(e);
    });
  }

  get leaderName(): string | null {
    return this.o.leader.name;
  }

  /** Apply commands as committed history from before the run (the cluster as it was set up). */
  bootstrap(cmds: StoreCommand[]): void {
    for (const c of cmds) this.store.apply(c);
  }

  startLeader(): void {
    this.roles = new LeaderRoles({
      ...this.o.roles,
      sim: this.o.sim,
      store: this.store,
      propose: this.propose,
      sendAssignment: (msg) => this.sendAssignment(msg),
    });
  }

  /** An API call (docker service scale and the like): proposed by the leader. */
  submit(cmds: StoreCommand[]): boolean {
    if (!this.roles) return false;
    this.enqueue(cmds);
    return true;
  }

  /** A node's agent reports task status to the leader. */
  reportStatus(from: Host<R>, updates: TaskStatusUpdate[]): void {
    const msg: TaskStatusMessage = { type: "TaskStatus", node: from.name, updates };
    const leader = this.o.leader;
    this.o.fabric.send(from, leader, STATUS_UPDATE_BYTES * updates.length, (m: TaskStatusMessage) => this.roles?.dispatcher.receiveStatus(m), msg);
  }

  private sendAssignment(msg: AssignmentMessage): void {
    const to = this.o.hosts.get(msg.node);
    if (!to || !to.up) return;
    this.o.fabric.send(this.o.leader, to, ASSIGNMENT_BYTES, (m: AssignmentMessage) => to.agent?.assign(m), msg);
  }

  private enqueue(cmds: StoreCommand[]): void {
    this.queue.push(...cmds);
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    this.o.sim.after(0, () => this.commit());
  }

  private commit(): void {
    this.commitScheduled = false;
    const batch = this.queue.splice(0, this.queue.length);
    for (const c of batch) this.store.apply(c);
  }
}
