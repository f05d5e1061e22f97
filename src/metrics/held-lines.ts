// events.jsonl's lines of the initial deployment, kept as bytes until the scenario's t = 0 is
// known (their times are written relative to it, negative). They were kept as the events
// themselves, a pair of objects each: at 20,001 workers 1.6 million pairs, each copied by V8's
// young-generation collections and then promoted. As bytes, in chunks outside V8's heap, the
// collector never sees them, and the event objects die young. Counted by callgrind on the
// 999-worker deployment (bench/instructions.ts --misses, two A/B pairs): 2-4% fewer
// instructions, 2-3% fewer last-level read misses and 4-8% fewer write misses.
//
// Each line's time and place are kept in typed arrays grown by half again, not in JavaScript
// arrays grown by push: past 16,384 elements (128 KiB) V8 keeps an array's elements in its
// large-object space, where every growth is a new mapping whose pages the kernel must fault in,
// at 10-14 us a page on these machines. Three arrays pushed to 700,000 lines cost 260 ns a line
// to hold, 60-100 ns now, most of it the pages (bench/README.md, thirty-ninth session); a
// 20,001-worker deployment holds 1.6 million lines. A place fits an Int32Array: a chunk is
// 1 MiB, or one line's size.

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
  /** Each line's time (us), for the `lines` lines so far (the room past them unused). */
  private times = new Float64Array(1024);
  /** Each line's chunk (its index in `full`, or full.length for `chunk`) and first byte there, two numbers a line. */
  private places = new Int32Array(2 * 1024);
  private lines = 0;

  /** `chunkBytes`: the size of a chunk (smaller in tests, to see lines cross from one to the next). */
  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** The next line, written through this EventLog by EventLines.writeUntimed, happened at `tUs`. */
  hold(tUs: number): void {
    const line = this.lines;
    if (line === this.times.length) this.grow();
    this.times[line] = tUs;
    this.places[2 * line] = this.full.length;
    this.places[2 * line + 1] = this.used;
    this.lines = line + 1;
  }

  /** Half as much room again (as V8 grows an array), copied over. */
  private grow(): void {
    const times = new Float64Array(this.times.length + (this.times.length >> 1));
    times.set(this.times);
    const places = new Int32Array(2 * times.length);
    places.set(this.places);
    this.times = times;
    this.places = places;
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
    const { times, places } = this;
    const n = this.lines;
    for (let i = 0; i < n; i++) {
      const c = places[2 * i]!;
      const start = places[2 * i + 1]!;
      const end = i + 1 < n && places[2 * i + 2] === c ? places[2 * i + 3]! : this.fullUsed[c]!;
      // The prefix again, the time's text, then the rest of the line as it was written (with its newline).
      out.putAscii(PREFIX);
      out.putAscii(lines.timeText(times[i]! - originUs));
      out.putBytes(this.full[c]!.subarray(start + PREFIX.length, end));
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
    if (this.lines === 0) throw new Error("HeldLines: a line written before hold() said when it happened");
    if (this.used + n <= this.chunk.length) return;
    const line = this.lines - 1;
    const start = this.places[2 * line + 1]!;
    const next = Buffer.allocUnsafe(Math.max(this.chunkBytes, 2 * (this.used - start + n)));
    this.chunk.copy(next, 0, start, this.used);
    this.full.push(this.chunk);
    this.fullUsed.push(start);
    this.chunk = next;
    this.used -= start;
    this.places[2 * line] = this.full.length;
    this.places[2 * line + 1] = 0;
  }
}
