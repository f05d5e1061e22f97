// A stream between two hosts is one TCP connection (Raft's between two managers): what arrives is
// handed over in the order it was sent. A message that overtakes an earlier one on the wire (a
// small one on the fast path passing a large transfer) waits for it, as TCP's receive buffer
// holds segments until the gap is filled. A message lost on the way (its sender crashed
// mid-transfer, or its ends could not reach each other when it arrived) is given up in its turn.
// SIMPLIFICATION: the later ones are then handed over; TCP would reset the connection and lose
// them too. The protocol above (Raft) finds the gap and sends again in either case.

/** One direction between two hosts. */
export class Stream {
  private sent = 0;
  private next = 0;
  /**
   * Arrived before their turn, by sequence number: how to hand each over (null: lost). While a
   * partition stalls a transfer, every later message of the stream waits here until the heal.
   */
  private readonly early = new Map<number, (() => void) | null>();

  /** The next message's sequence number. */
  take(): number {
    return this.sent++;
  }

  /** Message `seq` has arrived (`hand` hands it over) or is lost (null): hand over what is now in turn. */
  arrived(seq: number, hand: (() => void) | null): void {
    if (seq !== this.next) {
      this.early.set(seq, hand);
      return;
    }
    this.next++;
    hand?.();
    while (this.early.has(this.next)) {
      const h = this.early.get(this.next)!;
      this.early.delete(this.next);
      this.next++;
      h?.();
    }
  }

  /** Messages sent and not yet handed over or given up. */
  get open(): number {
    return this.sent - this.next;
  }
}

/** The streams between hosts, made on first use, by (from, to) host index. */
export class HostStreams {
  private readonly streams = new Map<number, Stream>();

  of(from: number, to: number): Stream {
    const key = from * 2 ** 24 + to;
    let s = this.streams.get(key);
    if (s === undefined) {
      s = new Stream();
      this.streams.set(key, s);
    }
    return s;
  }
}
