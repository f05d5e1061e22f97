import type { Entry } from "./types.js";

// SIMPLIFICATION: etcd splits the log into stable storage, an unstable tail and snapshots, and
// compacts it. We keep the whole log in one array: simulated runs are hours long, not years, and
// nothing in orchsim reads a snapshot.

/**
 * The Raft log, 1-based: index 0 is the empty prefix with term 0, so "the entry before the first"
 * needs no special case anywhere (§5.3's consistency check starts at prevLogIndex 0).
 */
export class RaftLog<T> {
  private readonly entries: Entry<T>[] = [];
  /** Bumped by every change, so the node can tell the host the log needs a disk write. */
  private versionCount = 0;

  /**
   * A log with `initial` entries. `adopt` takes the array itself instead of copying and checking
   * it: for a restart from this library's own persistentState(), where copying a long log at
   * every restart would make long runs with many restarts quadratic.
   */
  constructor(initial: readonly Entry<T>[] = [], adopt = false) {
    if (adopt) {
      this.entries = initial as Entry<T>[];
      return;
    }
    let prevTerm = 0;
    initial.forEach((e, i) => {
      if (e.index !== i + 1 || e.term < prevTerm || e.term < 1) {
        throw new Error(`raft log: entry ${i} is {index ${e.index}, term ${e.term}}; ` +
          `expected index ${i + 1} and a term >= ${Math.max(prevTerm, 1)}`);
      }
      prevTerm = e.term;
      this.entries.push(e);
    });
  }

  get version(): number {
    return this.versionCount;
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.entries[this.entries.length - 1]?.term ?? 0;
  }

  /** Term of the entry at `index`; 0 for index 0; undefined beyond the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /**
   * §5.4.1: a log is at least as up-to-date as ours if its last term is later, or the same term
   * and at least as long.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /**
   * The index of the first entry of `entries` that is missing here or has another term, or 0 if
   * all are already present. Entries already present must not be truncated: a delayed,
   * duplicated AppendEntries would otherwise cut off entries a newer one appended.
   */
  findConflict(entries: readonly Entry<T>[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`. When a follower rejects an
   * AppendEntries whose prevLogTerm is `term`, entries above that index carry later terms than
   * the leader's entries there, so they cannot match: the leader can skip them in one step
   * instead of one round trip per entry (the optimisation sketched at the end of §5.3).
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex);
    while (i > 0 && (this.term(i) ?? 0) > term) i--;
    return i;
  }

  /** The leader's append: entries must continue the log exactly. */
  append(entries: readonly Entry<T>[]): void {
    if (entries.length === 0) return;
    if (entries[0]?.index !== this.lastIndex + 1) {
      throw new Error(`raft log: append at ${entries[0]?.index} after last index ${this.lastIndex}`);
    }
    this.push(entries);
  }

  /**
   * The follower's append: drops every entry from the first one's index on (they conflict with
   * the leader's), then appends. The caller has already checked that nothing committed goes.
   */
  truncateAndAppend(entries: readonly Entry<T>[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index < 1 || first.index > this.lastIndex + 1) {
      throw new Error(`raft log: truncate-and-append at ${first.index}, last index ${this.lastIndex}`);
    }
    this.entries.length = first.index - 1;
    this.push(entries);
  }

  /** The entries themselves, not a copy: only for persistentState() of a node about to be dropped. */
  all(): readonly Entry<T>[] {
    return this.entries;
  }

  /** The entry at `index` (1-based), if the log has one there. */
  at(index: number): Entry<T> | undefined {
    return index >= 1 ? this.entries[index - 1] : undefined;
  }

  /** Entries with lo <= index < hi (hi defaults to past the end), as a new array. */
  slice(lo: number, hi: number = this.lastIndex + 1): Entry<T>[] {
    return this.entries.slice(Math.max(lo, 1) - 1, Math.max(hi, 1) - 1);
  }

  private push(entries: readonly Entry<T>[]): void {
    let expected = this.lastIndex + 1;
    for (const e of entries) {
      if (e.index !== expected || e.term < this.lastTerm) {
        throw new Error(`raft log: entry {index ${e.index}, term ${e.term}} cannot follow ` +
          `{index ${this.lastIndex}, term ${this.lastTerm}}`);
      }
      this.entries.push(e);
      expected++;
    }
    this.versionCount++;
  }
}
