import type { NodeHost } from "./control-plane.js";
import type { Simulation, ScheduledEvent, RandomStream } from "../kernel/index.js";
import type { RaftSpec } from "../scenario/types.js";
import type { Delivery } from "../network/delivery.js";
import { RaftNode, type PersistentState, type RaftMessage, type Ready, type SoftState } from "./raft/index.js";
import { Store, type StoreCommand, type StoreEvent } from "./store.js";
import { LeaderRoles, type LeaderRoleOptions } from "./leader-roles.js";

/**
 * Rough wire sizes, for the delivery path: an AppendEntries is its header and its entries'
 * commands (a store change is a serialized object in swarmkit's entries).
 * SIMPLIFICATION: every command is 512 bytes, whatever it changes; swarmkit's 1.5 MiB limit on a
 * transaction (MaxTransactionBytes) is not modelled: MAX_CHANGES_PER_PROPOSAL commands make 100 KiB.
 */
const RAFT_MESSAGE_BYTES = 128;
const RAFT_COMMAND_BYTES = 512;
/** swarmkit's raft config (DefaultNodeConfig): MaxSizePerMsg math.MaxUint16 bytes, MaxInflightMsgs 256. */
const RAFT_MAX_SIZE_PER_MSG = 65_535;
const RAFT_MAX_INFLIGHT_MSGS = 256;
/** swarmkit's store.Batch starts a new transaction (proposal) after this many changes (MaxChangesPerTransaction). */
const MAX_CHANGES_PER_PROPOSAL = 200;

export interface ManagerNodeDeps {
  sim: Simulation;
  /** The delivery path: managers and agents talk over the underlay. */
  net: Delivery;
  raft: RaftSpec;
  peers: readonly string[];
  rng: RandomStream;
  /** The store as it was before the run (nodes); every replica starts from it. */
  bootstrap: readonly StoreCommand[];
  roles: Omit<LeaderRoleOptions, "sim" | "store" | "propose">;
  peer(name: string): ManagerNode;
  onSoftState(node: ManagerNode, soft: SoftState): void;
  /** A committed change was applied to this replica. */
  onApply(node: ManagerNode, event: StoreEvent): void;
}

/**
 * One Swarm manager: a Raft voter with its own replica of the store. Committed entries are
 * applied to the replica; the leader runs the control loops (orchestrator, allocator, scheduler,
 * dispatcher) once an entry of its own term has committed, so that it starts from everything
 * its predecessors committed. Persisting a vote or entry takes `diskWrite`; the messages of a
 * Ready leave only after its write, and one write covers everything produced while the previous
 * one was under way (group commit).
 */
export class ManagerNode {
  raft: RaftNode<StoreCommand[]>;
  private replica!: Store;
  /**
   * Committed commands not yet applied to the replica. A manager without the leader's roles
   * applies them only when its store is read or it takes the roles: nothing watches a follower's
   * replica in between (control-plane onApply observes managers with roles), and applying is a
   * function of the commands alone, so the replica read is the same as if each had been applied
   * at its commit. A shortcut, not a model: followers then hold no copy of the cluster's state
   * that nobody reads (two of three replicas at 20,000 nodes).
   */
  private readonly unapplied: StoreCommand[][] = [];
  roles: LeaderRoles | null = null;
  /** A Ready's disk write is under way (the disk is one queue: the next Ready waits for it). */
  private writing = false;
  private tickTimer: ScheduledEvent | null = null;
  /** The swarm's first manager, or its only one back from a crash, before its first tick: it campaigns then (start). */
  private initCampaign = false;
  /** One function for every tick's event, not a closure per tick. */
  private readonly tickFn = (): void => this.tick();
  private saved: PersistentState<StoreCommand[]> | undefined;
  /** Index of the last committed entry applied to the store (the store is this manager's snapshot). */
  private appliedIndex = 0;
  /** Bumped at each crash, so that work scheduled before it is dropped. */
  private epoch = 0;

  constructor(
    readonly host: NodeHost,
    private readonly d: ManagerNodeDeps,
  ) {
    this.raft = this.newRaft();
    this.resetStore();
  }

  get name(): string {
    return this.host.name;
  }

  /**
   * Starts ticking, at a phase of its own within the tick (processes start at different times).
   * `init`: the swarm's first manager (`docker swarm init`), whose process starts first, or the
   * only manager back from a crash: its first tick is now, and it campaigns then (swarmkit's
   * campaignWhenAble, at its first Ready).
   */
  start(init = false): void {
    this.initCampaign = init;
    const phaseUs = Math.floor(this.d.rng.next() * this.d.raft.tickUs);
    this.tickTimer = this.d.sim.after(init ? 0 : phaseUs, this.tickFn);
  }

  crash(): void {
    this.epoch++;
    this.d.sim.cancel(this.tickTimer);
    this.stopRoles();
    // SIMPLIFICATION: a write still in flight at the crash is kept, as if it had reached the disk.
    this.saved = this.raft.persistentState();
  }

  /**
   * Back from a crash: Raft from its disk, and the store as it was, as if from a snapshot taken
   * at the last applied entry (swarmkit snapshots its store; replaying a day-long log at every
   * restart would also make long runs quadratic).
   */
  restart(): void {
    this.raft = this.newRaft();
    this.writing = false;
    this.drain();
    // The only manager campaigns as it comes back (swarmkit's campaignWhenAble), as at init.
    this.start(this.raft.soleVoter);
  }

  /**
   * Proposes `cmds` as entries of at most MAX_CHANGES_PER_PROPOSAL commands, in order, as
   * swarmkit's store.Batch commits a large batch; the last one's place in the log, or null if this
   * manager cannot (not leading). Entries commit in log order, so the last one commits last.
   * SIMPLIFICATION: the cut is at exactly MAX_CHANGES_PER_PROPOSAL commands; swarmkit cuts only
   * between Update callbacks, so a restart's stop and its replacement may land in two entries here.
   */
  propose(cmds: StoreCommand[]): { index: number; term: number } | null {
    if (!this.host.up || this.raft.role !== "leader" || cmds.length === 0) return null;
    // Copies at their length: the log keeps each batch for the whole run, and a batch built by
    // push has places to spare (V8 grows a list to 1.5 times its length plus 16: a one-command
    // batch holds 17), a tenth of the log's bytes at 200,000 tasks.
    for (let i = 0; i < cmds.length; i += MAX_CHANGES_PER_PROPOSAL) this.raft.propose(cmds.slice(i, i + MAX_CHANGES_PER_PROPOSAL));
    const at = { index: this.raft.lastIndex, term: this.raft.term };
    this.drain();
    return at;
  }

  /** Nothing is on its way: no write under way, every entry committed, and no control loop with work due. */
  get settled(): boolean {
    return !this.writing && this.raft.commitIndex >= this.raft.lastIndex && (this.roles?.settled ?? true);
  }

  /** Whether the entry proposed at `at` is committed here (still the same entry, not overwritten). */
  committed(at: { index: number; term: number }): boolean {
    return this.raft.commitIndex >= at.index && this.raft.termAt(at.index) === at.term;
  }

  /** receive, made once: the handler of every Raft message sent to this manager. */
  readonly receiveFn = (msg: RaftMessage<StoreCommand[]>): void => this.receive(msg);

  receive(msg: RaftMessage<StoreCommand[]>): void {
    if (!this.host.up) return;
    this.raft.step(msg);
    this.drain();
  }

  private newRaft(): RaftNode<StoreCommand[]> {
    const r = this.d.raft;
    const saved = this.saved ? { ...this.saved, appliedIndex: this.appliedIndex } : undefined;
    return new RaftNode<StoreCommand[]>(
      { id: this.host.name, peers: this.d.peers, electionTicks: r.electionTicks, electionRandomTicks: r.electionRandomTicks, heartbeatTicks: r.heartbeatTicks, checkQuorum: true,
        // The entry cap is what the byte limit allows of one-command entries: it bounds the part
        // of a lagging follower's tail copied for each message.
        maxEntriesPerMsg: Math.floor(RAFT_MAX_SIZE_PER_MSG / RAFT_COMMAND_BYTES), maxBytesPerMsg: RAFT_MAX_SIZE_PER_MSG, entryBytes, maxInflightMsgs: RAFT_MAX_INFLIGHT_MSGS },
      () => this.d.rng.next(),
      saved,
    );
  }

  /** This manager's replica of the store, with every committed command applied. */
  get store(): Store {
    // Read several times a metrics window, mostly with nothing to apply: setting an array's length
    // is a call into V8's runtime even when it changes nothing.
    if (this.unapplied.length === 0) return this.replica;
    for (const cmds of this.unapplied) for (const c of cmds) this.replica.apply(c);
    this.unapplied.length = 0;
    return this.replica;
  }

  private resetStore(): void {
    this.replica = new Store();
    for (const c of this.d.bootstrap) this.replica.apply(c);
    this.replica.watch((e) => {
      this.d.onApply(this, e);
      this.roles?.handle(e);
    });
  }

  private tick(): void {
    if (this.initCampaign) {
      this.initCampaign = false;
      this.raft.campaignWhenAble();
    } else this.raft.tick();
    this.drain();
    // A lone leader's ticks change nothing (RaftNode.alone); it ticks again when restarted.
    if (this.raft.alone) return;
    this.tickTimer = this.d.sim.after(this.d.raft.tickUs, this.tickFn);
  }

  /**
   * etcd's Ready loop, as swarmkit runs it: take a Ready, write its entries and vote to disk,
   * then send its messages and apply what it committed, then take the next. What Raft produces
   * while a write is under way (proposals, replies, ticks) waits for the next Ready and goes to
   * disk in one write with it (group commit): a burst of proposals costs one write per write
   * time, not one write each.
   */
  private drain(): void {
    while (!this.writing && this.raft.hasReady()) {
      const rd = this.raft.ready();
      if (rd.softState) this.softStateChanged(rd.softState);
      const writeUs = this.d.raft.diskWriteUs;
      if (!rd.mustPersist || writeUs === 0) {
        this.deliver(rd);
        continue;
      }
      this.writing = true;
      const epoch = this.epoch;
      this.d.sim.after(writeUs, () => {
        if (epoch !== this.epoch) return;
        this.writing = false;
        this.deliver(rd);
        this.drain();
      });
    }
  }

  private softStateChanged(soft: SoftState): void {
    if (soft.role !== "leader") this.stopRoles();
    this.d.onSoftState(this, soft);
  }

  private deliver(rd: Ready<StoreCommand[]>): void {
    for (const m of rd.messages) {
      const peer = this.d.peer(m.to);
      const bytes = RAFT_MESSAGE_BYTES + (m.type === "AppendEntries" ? entriesBytes(m.entries) : 0);
      this.d.net.sendHost(this.host, peer.host, bytes, peer.receiveFn, m, true);
    }
    let ownTermCommitted = false;
    for (const e of rd.committed) {
      if (e.data && this.roles === null) this.unapplied.push(e.data);
      else if (e.data) for (const c of e.data) this.replica.apply(c);
      this.appliedIndex = e.index;
      if (e.term === this.raft.term) ownTermCommitted = true;
    }
    if (ownTermCommitted && this.raft.role === "leader" && this.roles === null && this.host.up) this.startRoles();
  }

  private startRoles(): void {
    this.roles = new LeaderRoles({ ...this.d.roles, sim: this.d.sim, store: this.store, propose: (cmds) => void this.propose(cmds) });
  }

  private stopRoles(): void {
    this.roles?.stop();
    this.roles = null;
  }
}

/** An entry's bytes on the wire: its commands (a new leader's empty entry has none). */
function entryBytes(cmds: StoreCommand[] | null): number {
  return (cmds?.length ?? 0) * RAFT_COMMAND_BYTES;
}

function entriesBytes(entries: readonly { data: StoreCommand[] | null }[]): number {
  let n = 0;
  for (const e of entries) n += entryBytes(e.data);
  return n;
}
