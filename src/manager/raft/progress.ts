// The leader's view of one follower's log (Figure 2's nextIndex and matchIndex), with etcd's two
// replication modes: probe while the match point is unknown, replicate once it is known.

// In replicate mode, as in etcd, at most maxInflightMsgs messages with entries are in flight to a
// follower (Inflights): each success frees those it covers; when they are all out, the follower is
// paused until a reply or a heartbeat frees one.
// SIMPLIFICATION: etcd has a snapshot state for followers behind a compacted log; we have no
// compaction.

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
  /** Replicate mode: the last index of each message with entries in flight, oldest first. */
  private readonly inflight: number[] = [];

  constructor(
    next: number,
    private readonly maxInflight = Infinity,
  ) {
    this.next = next;
  }

  get paused(): boolean {
    return this.state === "probe" ? this.probeSent : this.inflight.length >= this.maxInflight;
  }

  /** A heartbeat is due: a follower paused with every message in flight gets one freed (etcd frees it on the heartbeat's reply). */
  heartbeat(): void {
    this.probeSent = false;
    if (this.state === "replicate" && this.paused) this.inflight.shift();
  }

  /**
   * Records that entries up to `lastSentIndex` went out. In replicate mode next moves on at once
   * (optimistically, as in etcd): a lost message shows up as a reject of a later one.
   */
  sentEntries(lastSentIndex: number, entries: number): void {
    if (this.state === "replicate") {
      this.next = Math.max(this.next, lastSentIndex + 1);
      if (entries > 0) this.inflight.push(lastSentIndex);
    } else {
      this.probeSent = true;
    }
  }

  /** A successful reply; false if it told nothing new (a duplicate or reordered reply). */
  maybeUpdate(matchIndex: number): boolean {
    this.probeSent = false;
    while (this.inflight.length > 0 && this.inflight[0]! <= matchIndex) this.inflight.shift();
    if (matchIndex <= this.match) return false;
    this.match = matchIndex;
    this.next = Math.max(this.next, matchIndex + 1);
    return true;
  }

  becomeReplicate(): void {
    this.state = "replicate";
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflight.length = 0;
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
    this.inflight.length = 0;
    this.next = Math.max(this.match + 1, Math.min(this.next, hint + 1));
    return true;
  }
}
