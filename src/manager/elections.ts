import type { ElectionRow } from "../metrics/rows.js";
import { secondsFromUs } from "../metrics/fmt.js";
import type { SoftState } from "./raft/index.js";

/** What the tracker needs to know of a manager. */
export interface ManagerView {
  readonly name: string;
  readonly up: boolean;
  readonly term: number;
  readonly leader: string | null;
}

interface Campaign {
  manager: string;
  startedUs: number;
  cause: string;
}

/**
 * Turns the managers' Raft role changes into elections.csv rows and leader events. An election
 * ends when a candidate wins. It started with the first campaign (by any manager, in any term:
 * split votes belong to the same election) since the cluster lost its leader; when another
 * manager still believes it leads (cut off in a minority), since the winner lost its leader.
 * So a candidate cut off while the others still had a leader does not start an election. It is
 * known when every live manager follows the winner in its term.
 */
export class ElectionTracker {
  readonly rows: ElectionRow[] = [];
  private campaigns: Campaign[] = [];
  /** When each manager last stopped knowing a leader. */
  private readonly lostLeaderUs = new Map<string, number>();
  private awaitingKnown: { row: ElectionRow; leader: string; term: number } | null = null;
  private nextCause = "bootstrap";
  private currentLeader: { name: string; term: number } | null = null;
  /** When the cluster last lost its leader (crash or step-down); managers start without one. */
  private noLeaderSinceUs = 0;

  constructor(
    private readonly nowUs: () => number,
    private readonly managers: () => readonly ManagerView[],
    private readonly emit: (event: { kind: string } & Record<string, unknown>) => void,
  ) {}

  /** Why the next election will happen (set by the injection that makes it happen). */
  setCause(cause: string): void {
    this.nextCause = cause;
  }

  softState(manager: string, soft: SoftState): void {
    if (soft.leader === null && !this.lostLeaderUs.has(manager)) this.lostLeaderUs.set(manager, this.nowUs());
    if (soft.role === "candidate") {
      this.campaigns.push({ manager, startedUs: this.nowUs(), cause: this.nextCause });
      this.nextCause = "election timeout";
    }
    if (soft.role === "leader") this.elected(manager, soft.term);
    else if (this.currentLeader?.name === manager) this.lost(true);
    if (soft.leader !== null) this.lostLeaderUs.delete(manager);
    this.checkKnown();
  }

  /** A manager host crashed; if it led, the cluster has no leader from now. */
  crashed(manager: string): void {
    if (this.currentLeader?.name === manager) this.lost(false);
    this.checkKnown();
  }

  private elected(leader: string, term: number): void {
    const now = this.nowUs();
    const since = this.currentLeader === null ? this.noLeaderSinceUs : (this.lostLeaderUs.get(leader) ?? 0);
    const c = this.campaigns.find((x) => x.startedUs >= since) ?? { manager: leader, startedUs: now, cause: this.nextCause };
    this.campaigns = this.campaigns.filter((x) => x.startedUs > now);
    const row: ElectionRow = { term, started_s: secondsFromUs(c.startedUs), elected_s: secondsFromUs(now), known_s: null, leader, cause: c.cause };
    this.rows.push(row);
    this.awaitingKnown = { row, leader, term };
    this.currentLeader = { name: leader, term };
    this.emit({ kind: "leader", term, leader });
  }

  private lost(steppedDown: boolean): void {
    const term = this.currentLeader?.term ?? 0;
    this.currentLeader = null;
    this.noLeaderSinceUs = this.nowUs();
    if (steppedDown && this.nextCause === "election timeout") this.nextCause = "leader stepped down";
    this.emit({ kind: "leader", term, leader: null });
  }

  private checkKnown(): void {
    const a = this.awaitingKnown;
    if (!a) return;
    const live = this.managers().filter((m) => m.up);
    if (live.every((m) => m.term === a.term && m.leader === a.leader)) {
      a.row.known_s = secondsFromUs(this.nowUs());
      this.awaitingKnown = null;
    }
  }

  /** Election rows with times made relative to the scenario's t = 0. */
  relativeRows(originUs: number): ElectionRow[] {
    const o = secondsFromUs(originUs);
    const rel = (s: number): number => Math.round((s - o) * 1e6) / 1e6;
    return this.rows.map((r) => ({ ...r, started_s: rel(r.started_s), elected_s: rel(r.elected_s), known_s: r.known_s === null ? null : rel(r.known_s) }));
  }
}
