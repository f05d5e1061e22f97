// events.jsonl's lines of the initial deployment, kept as bytes until the scenario's t = 0 is
// known (their times are written relative to it, negative). They were kept as the events
// themselves, a pair of objects each: at 20,001 workers 1.6 million pairs, each copied by V8's
// young-generation collections and then promoted. As bytes, in chunks outside V8's heap, the
// collector never sees them, and the event objects die young. Counted by callgrind on the
// 999-worker deployment (bench/instructions.ts --misses, two A/B pairs): 2-4% fewer
// instructions, 2-3% fewer last-level read misses and 4-8% fewer write misses.

import type { EventLog } from "./file-text.js";
import type { EventLines } from "./event-line.js";

/** A chunk's size; one line longer than that gets a chunk of its own size. */
const CHUNK_BYTES = 1 << 20;
/** Every line starts so (EventLines.writeUntimed), and its time goes right after. */
const PREFIX = '{"t_s":';

export class HeldLines implements EventLog {
  private readonly full: Buffer[] = [];
  /** The bytes used of each chunk in `full`. */
  private readonly fullUsed: number[] = [];
  private chunk: Buffer;
  private used = 0;
  /** Each line's time (us), chunk (its index in `full`, or full.length for `chunk`) and first byte. */
  private readonly times: number[] = [];
  private readonly chunkOf: number[] = [];
  private readonly starts: number[] = [];

  /** `chunkBytes`: the size of a chunk (smaller in tests, to see lines cross from one to the next). */
  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** The next line, written through this EventLog by EventLines.writeUntimed, happened at `tUs`. */
  hold(tUs: number): void {
    this.times.push(tUs);
    this.chunkOf.push(this.full.length);
    this.starts.push(this.used);
  }

  writeJson(line: string): void {
    this.text(line);
    this.putAscii("\n");
  }

  putAscii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.chunk;
    const at = this.used;
    for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(i);
    this.used = at + n;
  }

  putInt(n: number): void {
    this.putAscii(String(n));
  }

  putBytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
  }

  close(): void {}

  /** Writes every held line to `out`, with the text of its time relative to `originUs` put in. */
  replay(out: EventLog, lines: EventLines, originUs: number): void {
    this.full.push(this.chunk);
    this.fullUsed.push(this.used);
    const { times, chunkOf, starts } = this;
    for (let i = 0; i < times.length; i++) {
      const c = chunkOf[i]!;
      const end = i + 1 < times.length && chunkOf[i + 1] === c ? starts[i + 1]! : this.fullUsed[c]!;
      // The prefix again, the time's text, then the rest of the line as it was written (with its newline).
      out.putAscii(PREFIX);
      out.putAscii(lines.timeText(times[i]! - originUs));
      out.putBytes(this.full[c]!.subarray(starts[i]! + PREFIX.length, end));
    }
  }

  private text(s: string): void {
    this.room(3 * s.length); // at most 3 bytes a UTF-16 unit
    this.used += this.chunk.write(s, this.used, "utf8");
  }

  /**
   * Room for `n` more bytes of the line being written: when the chunk has none, the line so far
   * moves to a new chunk (a line is never split between two).
   */
  private room(n: number): void {
    const line = this.times.length - 1;
    if (line < 0) throw new Error("HeldLines: a line written before hold() said when it happened");
    if (this.used + n <= this.chunk.length) return;
    const start = this.starts[line]!;
    const next = Buffer.allocUnsafe(Math.max(this.chunkBytes, 2 * (this.used - start + n)));
    this.chunk.copy(next, 0, start, this.used);
    this.full.push(this.chunk);
    this.fullUsed.push(start);
    this.chunk = next;
    this.used -= start;
    this.chunkOf[line] = this.full.length;
    this.starts[line] = 0;
  }
}
