// events.jsonl's lines of the initial deployment, kept as bytes until the scenario's t = 0 is
// known (their times are written relative to it, negative). They were kept as the events
// themselves, a pair of objects each: at 20,001 workers 1.6 million pairs, each copied by V8's
// young-generation collections and then promoted. As bytes, in chunks outside V8's heap, the
// collector never sees them, and the event objects die young. Counted by callgrind on the
// 999-worker deployment (bench/instructions.ts --misses, two A/B pairs): 2-4% fewer
// instructions, 2-3% fewer last-level read misses and 4-8% fewer write misses.
//
// Each line is a record in the chunk: its time (a double), its length (the bytes after the
// record's head), then its text. Nothing else is kept per line: a line's time and place were
// kept in typed arrays before, 16 bytes a line grown by copying, 1.6 million lines at 20,001
// workers.
//
// A full chunk goes to a file beside events.jsonl (unlinked at once where the system allows it,
// so that nothing of it outlives the process; else removed when closed, by replay() or with
// events.jsonl's writer) and the chunk is used again. Memory the process
// has not touched before costs a page fault a page, 10-14 us on these machines, where the
// kernel's file cache takes the same bytes at about a tenth of that (200 MB: 520 ms through fresh
// buffers, 60 ms written to a file and read back); a 20,001-worker deployment holds about 200 MB
// of lines. Without a file (none named, or it cannot be made) the chunks stay in memory, and so
// do those after a write to the file fails (a full disk).

import * as fs from "node:fs";
import type { EventLog } from "./file-text.js";
import type { EventLines } from "./event-line.js";

/** A chunk's size; a line longer than that moves to a chunk twice its size (which, spilling, is then used again). */
const CHUNK_BYTES = 1 << 20;
/** Every line starts so (EventLines.writeUntimed), and its time goes right after. */
const PREFIX = '{"t_s":';
/** A record's head: the line's time (float64) and the length of its text (uint32), little-endian. */
const HEAD_BYTES = 12;

export class HeldLines implements EventLog {
  /** The chunks before `chunk` kept in memory: those after the spilled ones (all, without a spill file). */
  private readonly full: Buffer[] = [];
  /** The bytes used of each chunk before `chunk`. */
  private readonly fullUsed: number[] = [];
  private chunk: Buffer;
  private used = 0;
  /** Where the record of the line being written starts in `chunk`, or -1 before the first. */
  private lineAt = -1;
  /** The spill file the full chunks are written to, one after another, or null: they stay in `full`. */
  private spill: Spill | null = null;

  /**
   * `chunkBytes`: the size of a chunk (smaller in tests, to see lines cross from one to the
   * next). `spillPath`: the file full chunks go to until replay, or null to keep them in memory.
   */
  constructor(
    private readonly chunkBytes = CHUNK_BYTES,
    spillPath: string | null = null,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
    if (spillPath !== null) this.spill = openSpill(spillPath);
  }

  /** Bytes written to the spill file so far (0 without one). */
  get spilledBytes(): number {
    return this.spill?.bytes ?? 0;
  }

  /** The next line, written through this EventLog by EventLines.writeUntimed, happened at `tUs`. */
  hold(tUs: number): void {
    this.endLine();
    this.lineAt = this.used; // room() checks lineAt: it must be set before
    this.room(HEAD_BYTES);
    const at = this.lineAt;
    this.chunk.writeDoubleLE(tUs, at);
    this.used = at + HEAD_BYTES;
  }

  /** The line being written is whole: its length goes into its record's head. */
  private endLine(): void {
    if (this.lineAt >= 0) this.chunk.writeUInt32LE(this.used - this.lineAt - HEAD_BYTES, this.lineAt + 8);
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

  /** Writes every held line to `out`, with the text of its time relative to `originUs` put in, and lets go of the spill file. */
  replay(out: EventLog, lines: EventLines, originUs: number): void {
    try {
      this.endLine();
      const chunks = this.fullUsed.length + 1;
      const bytesOf = this.chunkReader();
      for (let c = 0; c < chunks; c++) {
        const b = bytesOf(c);
        const end = c + 1 < chunks ? this.fullUsed[c]! : this.used;
        for (let at = 0; at < end; ) {
          const text = at + HEAD_BYTES;
          const next = text + b.readUInt32LE(at + 8);
          if (next - text <= PREFIX.length || next > end) throw new Error(`HeldLines: a held line came back damaged (chunk ${c}, byte ${at})`);
          // The prefix again, the time's text, then the rest of the line as it was written (with its newline).
          out.putAscii(PREFIX);
          out.putAscii(lines.timeText(b.readDoubleLE(at) - originUs));
          out.putBytes(b.subarray(text + PREFIX.length, next));
          at = next;
        }
      }
    } finally {
      this.discard();
    }
  }

  /** Lets go of the spill file, if there is one (its lines cannot be replayed after). Safe to call more than once. */
  discard(): void {
    const spill = this.spill;
    if (spill === null) return;
    this.spill = null;
    fs.closeSync(spill.fd);
    if (!spill.unlinked) fs.rmSync(spill.path, { force: true });
  }

  /** The bytes of chunk `c`, asked for in order: the last is `chunk`, the spilled ones come from the file one at a time, the others from `full`. */
  private chunkReader(): (c: number) => Buffer {
    const spill = this.spill;
    const last = this.fullUsed.length;
    const spilled = spill?.chunks ?? 0;
    let at = 0;
    let buffer = Buffer.allocUnsafe(0);
    return (c) => {
      if (c === last) return this.chunk;
      if (c >= spilled) return this.full[c - spilled]!;
      const size = this.fullUsed[c]!;
      if (buffer.length < size) buffer = Buffer.allocUnsafe(size);
      if (fs.readSync(spill!.fd, buffer, 0, size, at) !== size) throw new Error(`HeldLines: ${spill!.path} came back short`);
      at += size;
      return buffer;
    };
  }

  private text(s: string): void {
    this.room(3 * s.length); // at most 3 bytes a UTF-16 unit
    this.used += this.chunk.write(s, this.used, "utf8");
  }

  /**
   * Room for `n` more bytes of the line being written: when the chunk has none, the line so far
   * (its record from its head) moves to the front of a chunk (a record is never split between two),
   * and the chunk's whole records go to the spill file or stay in memory.
   */
  private room(n: number): void {
    if (this.lineAt < 0) throw new Error("HeldLines: a line written before hold() said when it happened");
    if (this.used + n <= this.chunk.length) return;
    const start = this.lineAt;
    const size = this.used - start + n;
    // A spilled chunk is used again when the line fits; one kept in memory is replaced.
    const spilled = this.spill !== null && spillChunk(this.spill, this.chunk, start);
    if (!spilled) this.full.push(this.chunk);
    const next = spilled && size <= this.chunk.length ? this.chunk : Buffer.allocUnsafe(Math.max(this.chunkBytes, 2 * size));
    this.chunk.copy(next, 0, start, this.used);
    this.chunk = next;
    this.fullUsed.push(start);
    this.used -= start;
    this.lineAt = 0;
  }
}

interface Spill {
  fd: number;
  path: string;
  /** Whether the file was unlinked as it was made (else it is removed when closed). */
  unlinked: boolean;
  /** Bytes written so far, where the next chunk goes. */
  bytes: number;
  /** Chunks written: the first ones, in order. */
  chunks: number;
  /** A write failed: the chunks from then on stay in memory. */
  failed: boolean;
}

/** Writes the chunk's first `bytes` to the end of the spill file; false, and no more tries, if that fails. */
function spillChunk(spill: Spill, chunk: Buffer, bytes: number): boolean {
  if (spill.failed) return false;
  try {
    for (let done = 0; done < bytes; ) done += fs.writeSync(spill.fd, chunk, done, bytes - done, spill.bytes + done);
  } catch {
    spill.failed = true;
    return false;
  }
  spill.bytes += bytes;
  spill.chunks++;
  return true;
}

/** The spill file, made afresh and unlinked at once where the system allows (its bytes live while it is open); null if it cannot be made. */
function openSpill(path: string): Spill | null {
  let fd: number;
  try {
    fd = fs.openSync(path, "w+");
  } catch {
    return null;
  }
  let unlinked = true;
  try {
    fs.unlinkSync(path);
  } catch {
    unlinked = false;
  }
  return { fd, path, unlinked, bytes: 0, chunks: 0, failed: false };
}
