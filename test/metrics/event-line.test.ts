import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineWriter } from "../../src/metrics/file-text.js";
import { TaskEvent } from "../../src/metrics/task-event.js";
import { EventLines, quote } from "../../src/metrics/event-line.js";
import { secondsFromUs } from "../../src/metrics/fmt.js";

/** The line's definition: JSON.stringify({ t_s, ...event }). */
function reference(tUs: number, event: object): string {
  return JSON.stringify({ t_s: secondsFromUs(tUs), ...event });
}

// Any UTF-16 string: quotes, backslashes, control characters, lone and paired surrogates.
const text = fc.string({ unit: "binary", maxLength: 12 });
const anyText = fc.oneof(text, fc.constantFrom("web.3.1", "b-17", "running", "", '"', "\\", "\n", "\ud800", "\udc00x", "😀", "é"));

describe("events.jsonl lines", () => {
  it("quote() is JSON.stringify for strings", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(quote(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("a task event's line, written field by field, is JSON.stringify({ t_s, ...event }) to the byte", () => {
    const lines = new EventLines();
    const times = fc.oneof(fc.integer({ min: -10_000_000_000, max: 10_000_000_000 }), fc.constantFrom(0, -1, 1, 999_999));
    const slot = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(-0, 0.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY));
    const event = fc.tuple(anyText, anyText, slot, fc.option(anyText), anyText, fc.option(anyText));
    fc.assert(
      fc.property(times, event, (tUs, [task, service, slot, node, state, reason]) => {
        const e = new TaskEvent(task, service, slot, node, state, reason);
        expect(lines.line(tUs, e)).toBe(reference(tUs, e));
      }),
      { numRuns: 3000 },
    );
  });

  it("an instant's time text is reused only for that instant", () => {
    const lines = new EventLines();
    const e = new TaskEvent("web.1.1", "web", 1, "w-1", "running", null);
    for (const tUs of [5, 5, 6, -6, -6, 0, 5]) expect(lines.line(tUs, e)).toBe(reference(tUs, e));
  });

  it("other events keep JSON.stringify's text, and one that carries its own t_s is refused", () => {
    const lines = new EventLines();
    const node = { kind: "node", node: "w-1", status: "down", availability: "active" };
    expect(lines.line(-3_214_239, node)).toBe(reference(-3_214_239, node));
    expect(() => lines.line(0, { kind: "fault", t_s: 3 } as { kind: string })).toThrow(/must not carry its own t_s/);
  });

  it("write() puts each line and its newline into the file, the bytes of line(): plain task events a byte at a time, the rest as text", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-events-"));
    try {
      const f = path.join(dir, "events.jsonl");
      const out = new LineWriter(f);
      const lines = new EventLines();
      const plainText = fc.constantFrom("web.3.1", "b-17", "running", "", "del\x7f", "no suitable node (scheduling constraints)");
      const slot = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(-0, -1, 0.5, Number.NaN, 2 ** 53, Number.MAX_SAFE_INTEGER));
      const name = fc.oneof(plainText, plainText, anyText);
      const task = fc.tuple(name, name, slot, fc.option(name), name, fc.option(name)).map(([t, s, n, node, st, r]) => new TaskEvent(t, s, n, node, st, r));
      const other = fc.constantFrom<{ kind: string } & Record<string, unknown>>({ kind: "node", node: "w-1", status: "down", availability: "active" }, { kind: "leader", term: 2, leader: "m-2" });
      // 6,000 lines, about 700 KB: lines cross the 64 KiB buffer's flushes, inside and between their pieces.
      const events = fc.sample(fc.tuple(fc.integer({ min: -5_000_000, max: 5_000_000 }), fc.oneof(task, task, task, other)), { numRuns: 6_000, seed: 29 });
      const expected: string[] = [];
      for (const [tUs, e] of events) {
        expected.push(lines.line(tUs, e) + "\n");
        lines.write(out, tUs, e);
      }
      out.close();
      const written = fs.readFileSync(f, "utf8").split("\n");
      // Line by line, so that a difference names the event.
      for (let i = 0; i < expected.length; i++) expect(written[i] + "\n", JSON.stringify(events[i])).toBe(expected[i]);
      expect(written.length).toBe(expected.length + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
