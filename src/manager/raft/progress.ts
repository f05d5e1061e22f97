// The leader's view of one follower's log (Figure 2's nextIndex and matchIndex), with etcd's two
// replication modes: probe while the match point is unknown, replicate once it is known.

// SIMPLIFICATION: etcd also caps the messages in flight per follower (Inflights) and their bytes
// (MaxSizePerMsg, MaxInflightMsgs), and has a snapshot state for followers behind a compacted
// log. We have no compaction, and a simulated message costs no more with more entries in it, so
// only the probe/replicate distinction (which avoids re-sending the whole tail on every
// proposal while a follower's position is unknown) is kept.

export type ProgressState = "probe" | "replicate";

export class Progress {
  /** Highest index known to be replicated on the follower. */
  match = 0;
  /** Index of the next entry to send. */
  next: number;
  state: ProgressState = "probe";
  /** In probe mode, one AppendEntries at a time: set when sent, cleared by a reply or a heartbeat. */
  probeSent = false;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;

  constructor(next: number) {
    this.next = next;
  }

  get paused(): boolean {
    return this.state === "probe" && this.probeSent;
  }

  /**
   * Records that entries up to `lastSentIndex` went out. In replicate mode next moves on at once
   * (optimistically, as in etcd): a lost message shows up as a reject of a later one.
   */
  sentEntries(lastSentIndex: number): void {
    if (this.state === "replicate") {
      this.next = Math.max(this.next, lastSentIndex + 1);
    } else {
      this.probeSent = true;
    }
  }

  /** A successful reply; false if it told nothing new (a duplicate or reordered reply). */
  maybeUpdate(matchIndex: number): boolean {
    this.probeSent = false;
    if (matchIndex <= this.match) return false;
    this.match = matchIndex;
    this.next = Math.max(this.next, matchIndex + 1);
    return true;
  }

  becomeReplicate(): void {
    this.state = "replicate";
    this.next = this.match + 1;
    this.probeSent = false;
  }

  /**
   * A reject with the follower's hint. A hint below match can only come from a message older
   * than what we already know matches (the follower keeps a matching prefix), so it is ignored.
   * Otherwise we fall back to probing at hint+1, never below match+1 and never forward.
   */
  maybeDecrTo(hint: number): boolean {
    if (hint < this.match) return false;
    this.state = "probe";
    this.probeSent = false;
    this.next = Math.max(this.match + 1, Math.min(this.next, hint + 1));
    return true;
  }
}
