// The deployment's events.jsonl lines, held as bytes until t = 0 is known (metrics/held-lines.ts):
// replayed, each is the line the event would have had, JSON.stringify({ t_s, ...event }) with its
// time relative to the origin, whatever its text and however the chunks fall.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventLines } from "../../src/metrics/event-line.js";
import { HeldLines } from "../../src/metrics/held-lines.js";
import { TaskEvent } from "../../src/metrics/task-event.js";
import { secondsFromUs } from "../../src/metrics/fmt.js";
import { lineSink } from "../helpers.js";

const reference = (tUs: number, event: object): string => JSON.stringify({ t_s: secondsFromUs(tUs), ...event });

// Mostly plain names, whose task lines come in pieces (putAscii); any text now and then (one piece, writeJson).
const plain = fc.stringMatching(/^[a-z0-9.-]{0,40}$/);
const text = fc.oneof({ arbitrary: plain, weight: 8 }, fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom('"', "\\", "\n", "\ud800", "😀", "é"));
const taskEvent = fc
  .tuple(text, text, fc.integer({ min: 0, max: 1000 }), fc.option(text), text, fc.option(text))
  .map(([task, service, slot, node, state, reason]) => new TaskEvent(task, service, slot, node, state, reason));
const otherEvent = fc.record({ kind: fc.constantFrom("node", "leader", "allocation"), node: text, note: text });
const held = fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000_000 }), fc.oneof(taskEvent, otherEvent)), { maxLength: 60 });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "held-lines-"));
const spillPath = path.join(dir, "events.jsonl.held");

function hold(h: HeldLines, lines: EventLines, tUs: number, e: { kind: string }): void {
  h.hold(tUs);
  lines.writeUntimed(h, e);
}

function replayed(events: [number, { kind: string }][], originUs: number, chunkBytes: number, spill: string | null = null): string[] {
  const lines = new EventLines();
  const h = new HeldLines(chunkBytes, spill);
  for (const [tUs, e] of events) hold(h, lines, tUs, e);
  const out: string[] = [];
  h.replay(lineSink(out), lines, originUs);
  return out;
}

describe("held lines", () => {
  it("replay each line as it would have been written at its time from the origin, in order, across chunks of any size", () => {
    fc.assert(
      fc.property(held, fc.integer({ min: 0, max: 20_000_000 }), fc.constantFrom(16, 64, 200, 1 << 20), fc.boolean(), (events, originUs, chunkBytes, spill) => {
        expect(replayed(events, originUs, chunkBytes, spill ? spillPath : null)).toEqual(events.map(([tUs, e]) => reference(tUs - originUs, e)));
      }),
      { numRuns: 600 },
    );
  });

  it("a line longer than a chunk gets a chunk of its own, and the lines around it are whole", () => {
    const long = new TaskEvent("web.1.1", "web", 1, "a-1", "failed", "x".repeat(5000));
    const short = new TaskEvent("web.2.1", "web", 2, null, "pending", null);
    const events: [number, TaskEvent][] = [[1, short], [2, long], [3, short], [4, long]];
    expect(replayed(events, 10, 64)).toEqual(events.map(([tUs, e]) => reference(tUs - 10, e)));
    expect(replayed(events, 10, 64, spillPath)).toEqual(events.map(([tUs, e]) => reference(tUs - 10, e)));
  });

  it("spill full chunks to a file that is gone once they are replayed, or keep them when the file cannot be made", () => {
    const events: [number, TaskEvent][] = Array.from({ length: 50 }, (_, i) => [i, new TaskEvent(`web.${i}.1`, "web", i, "a-1", "running", null)]);
    const lines = new EventLines();
    const h = new HeldLines(64, spillPath);
    for (const [tUs, e] of events) hold(h, lines, tUs, e);
    // Unlinked as it was made: nothing of it in the directory, while it holds all but the last chunk's lines.
    expect(h.spilledBytes).toBeGreaterThan(40 * 100);
    expect(fs.readdirSync(dir)).toEqual([]);
    const out: string[] = [];
    h.replay(lineSink(out), lines, 0);
    expect(out).toEqual(events.map(([tUs, e]) => reference(tUs, e)));
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(replayed(events, 0, 64, path.join(dir, "no-such-dir", "x.held"))).toEqual(out);
  });

  // A read-only descriptor of the same (unlinked) file stands for a disk that takes no more.
  it.skipIf(process.platform !== "linux")("keep the chunks in memory from the first write to the spill file that fails, and replay every line", () => {
    const events: [number, TaskEvent][] = Array.from({ length: 60 }, (_, i) => [i, new TaskEvent(`web.${i}.1`, "web", i, "a-1", "running", null)]);
    const lines = new EventLines();
    const h = new HeldLines(200, spillPath);
    for (const [tUs, e] of events.slice(0, 20)) hold(h, lines, tUs, e);
    const spill = (h as unknown as { spill: { fd: number } }).spill;
    const writable = spill.fd;
    spill.fd = fs.openSync(`/proc/self/fd/${writable}`, "r");
    const spilled = h.spilledBytes;
    for (const [tUs, e] of events.slice(20)) hold(h, lines, tUs, e);
    expect(spilled).toBeGreaterThan(0);
    expect(h.spilledBytes).toBe(spilled);
    const out: string[] = [];
    h.replay(lineSink(out), lines, 0);
    expect(out).toEqual(events.map(([tUs, e]) => reference(tUs, e)));
    fs.closeSync(writable);
  });

  it("let go of the spill file when discarded (as events.jsonl's writer closes), once", () => {
    const h = new HeldLines(64, spillPath);
    const lines = new EventLines();
    for (let i = 0; i < 10; i++) hold(h, lines, i, new TaskEvent(`web.${i}.1`, "web", i, null, "new", null));
    const fd = (h as unknown as { spill: { fd: number } }).spill.fd;
    h.discard();
    h.discard();
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
    expect(h.spilledBytes).toBe(0);
  });

  it("say so when a line is written before its time is", () => {
    const h = new HeldLines(64);
    expect(() => h.putAscii("x")).toThrow(/before hold\(\)/);
    expect(() => h.writeJson("{}")).toThrow(/before hold\(\)/);
  });
});
