// Invariants checked while the simulation runs, fed by the events it writes (events.jsonl) and
// by the changes the leader's store applies. A broken invariant throws at the event that broke
// it: the kernel wraps it in a SimulationFailure with the time and event number, and the CLI
// prints the seed and the command that reproduces it. They are on in every run (tests, chaos,
// the CLI) and off only where a benchmark asks (RunOptions.checks).
//
// - Raft: at most one leader per term.
// - Tasks never move between nodes, and their observed state never goes back (a node that
//   crashed remembers how its tasks ended, as Swarm's worker keeps them on disk).
// - The managers never assign past a node's CPU, memory or generic resources (reservations of
//   the tasks it holds, ASSIGNED to RUNNING, as the scheduler counts them), checked in the store
//   of the manager that applied the assignment; and the scheduler picks only a node that is
//   ready and active with room left (its own check, manager/scheduler/scheduler.ts).
// - Every request is accounted for once: completed + failed never exceeds arrivals.

import { TaskState } from "../api/task-state.js";
import type { Store, StoreEvent, TaskRecord } from "../manager/store.js";

/** A broken invariant: a bug in orchsim, never in the scenario. */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

const STATE_OF: ReadonlyMap<string, number> = new Map(Object.entries(TaskState).map(([k, v]) => [k.toLowerCase(), v]));

type Event = { kind: string } & Record<string, unknown>;

export class Checkers {
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly tasks = new Map<string, { node: string | null; state: number }>();

  /** One line of events.jsonl, as it is written. */
  event(e: Event): void {
    if (e.kind === "leader" && typeof e["leader"] === "string") this.leader(Number(e["term"]), e["leader"]);
    if (e.kind === "task") this.task(String(e["task"]), (e["node"] as string | null) ?? null, String(e["state"]));
  }

  /** A change the leader's store applied. */
  store(e: StoreEvent, store: Store): void {
    if (e.type !== "task" || e.removed) return;
    const t = e.task;
    if (t.nodeId === null || t.state !== TaskState.ASSIGNED || e.prevState === TaskState.ASSIGNED) return;
    const node = store.nodes.get(t.nodeId);
    if (!node) fail(`task ${t.id} was assigned to ${t.nodeId}, which the managers do not know`);
    // Node status is checked where the scheduler decides (scheduler.ts): by the time an
    // assignment commits, the node may have gone down, which swarmkit allows too.
    const held = [...store.tasksOnNode(node.id)].filter(holds);
    const cpu = held.reduce((n, x) => n + Math.round(x.spec.resources.reservations.cpuCores * 1e9), 0);
    const memory = held.reduce((n, x) => n + x.spec.resources.reservations.memoryBytes, 0);
    const r = t.spec.resources.reservations;
    // Only what the task reserves, as the scheduler's filter looks only at that.
    if (r.cpuCores > 0 && cpu > node.cpuNanos) fail(`${node.id} holds ${cpu / 1e9} cores of reservations with ${t.id}; it has ${node.cpuNanos / 1e9}`);
    if (r.memoryBytes > 0 && memory > node.memoryBytes) fail(`${node.id} holds ${memory} bytes of reservations with ${t.id}; it has ${node.memoryBytes}`);
    for (const kind of Object.keys(r.generic)) {
      const used = held.reduce((n, x) => n + (x.spec.resources.reservations.generic[kind] ?? 0), 0);
      if (used > (node.generic[kind] ?? 0)) fail(`${node.id} holds ${used} ${kind} with ${t.id}; it has ${node.generic[kind] ?? 0}`);
    }
  }

  /** At the end of the run, per service: no request ended twice or out of nowhere. */
  requests(service: string, arrivals: number, completed: number, errors: number): void {
    if (completed + errors > arrivals) fail(`${service}: ${completed} completed and ${errors} failed of ${arrivals} arrivals`);
  }

  private leader(term: number, leader: string): void {
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== leader) fail(`two leaders in term ${term}: ${other} and ${leader}`);
    this.leaderOfTerm.set(term, leader);
  }

  private task(id: string, node: string | null, stateName: string): void {
    const state = STATE_OF.get(stateName);
    if (state === undefined) fail(`task ${id} is in an unknown state ${stateName}`);
    const seen = this.tasks.get(id);
    if (seen === undefined) {
      this.tasks.set(id, { node, state });
      return;
    }
    if (seen.node !== null && node !== null && node !== seen.node) fail(`task ${id} moved from ${seen.node} to ${node}`);
    if (state < seen.state) fail(`task ${id} went back from ${nameOf(seen.state)} to ${stateName}`);
    // In place: a record a task, made once, not one an event (a 20,001-node run's 200,000 tasks
    // change state six times each, and each new record lived long enough to be collected as old).
    if (seen.node === null) seen.node = node;
    seen.state = state;
  }
}

/** As the scheduler counts a node's reservations. */
function holds(t: TaskRecord): boolean {
  return t.state >= TaskState.ASSIGNED && t.state <= TaskState.RUNNING;
}

function nameOf(state: number): string {
  for (const [k, v] of STATE_OF) if (v === state) return k;
  return String(state);
}

function fail(message: string): never {
  throw new InvariantViolation(`invariant broken: ${message}`);
}
