import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { LineWriter } from "../../src/metrics/file-text.js";
import { Recorder } from "../../src/metrics/recorder.js";
import { lineSink } from "../helpers.js";

/** A recorder writing events.jsonl's lines into an array, at a clock the test sets. */
function recorder(): { rec: Recorder; lines: string[]; at: (us: number) => void } {
  const lines: string[] = [];
  let nowUs = 0;
  const writer = lineSink(lines);
  const rec = new Recorder({ latencyUs: 250_000, percentile: 99 }, writer, () => nowUs);
  return { rec, lines, at: (us) => (nowUs = us) };
}

describe("Recorder: events.jsonl", () => {
  it("writes t_s first, then the event's fields: the text of JSON.stringify({ t_s, ...event })", () => {
    const { rec, lines, at } = recorder();
    const held = { kind: "task", task: "web.1.1", service: "web", slot: 1, node: null, state: "new", reason: null };
    at(1_500_000);
    rec.emit(held); // the deployment's: held until the clock starts, then negative
    rec.startClock(4_000_000);
    const later = { kind: "fault", fault: "nodeFailure", target: "a-1,a-2", detail: { quote: 'a "b"', n: -0, big: 1e21 } };
    at(1_234_567);
    rec.emit(later);
    expect(lines).toEqual([
      JSON.stringify({ t_s: -2.5, ...held }),
      JSON.stringify({ t_s: 1.234567, ...later }),
    ]);
    expect(lines[0]!.startsWith('{"t_s":-2.5,"kind":"task",')).toBe(true);
  });

  it("refuses an event that carries its own t_s (its line would hold the key twice)", () => {
    const { rec } = recorder();
    rec.startClock(0);
    expect(() => rec.emit({ kind: "fault", t_s: 3 })).toThrow(/must not carry its own t_s/);
  });
});

describe("Recorder: the deployment's held lines in a file beside events.jsonl", () => {
  const events = Array.from({ length: 12_000 }, (_, i) => ({ kind: "task", task: `web.${i}.1`, service: "web", slot: i, node: `w-${i % 7}`, state: "running", reason: null }));

  function writing(): { dir: string; writer: LineWriter; rec: Recorder } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recorder-held-"));
    const writer = new LineWriter(path.join(dir, "events.jsonl"));
    let nowUs = 0;
    const rec = new Recorder({ latencyUs: 250_000, percentile: 99 }, writer, () => nowUs);
    // About 1.4 MB: more than a chunk, so some go to the file.
    events.forEach((e, i) => {
      nowUs = i;
      rec.emit(e);
    });
    return { dir, writer, rec };
  }

  it("writes the same lines, and leaves nothing beside events.jsonl", () => {
    const { dir, writer, rec } = writing();
    rec.startClock(20_000);
    writer.close();
    const lines = fs.readFileSync(path.join(dir, "events.jsonl"), "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(events.length);
    expect(lines.every((l, i) => l === JSON.stringify({ t_s: (i - 20_000) / 1e6, ...events[i] }))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(["events.jsonl"]);
    fs.rmSync(dir, { recursive: true });
  });

  it.skipIf(process.platform !== "linux")("lets go of the file when events.jsonl's writer closes before the clock starts (a run that failed in its deployment)", () => {
    const open = (): number => fs.readdirSync("/proc/self/fd").length;
    const before = open();
    const { dir, writer } = writing();
    expect(open()).toBe(before + 2); // events.jsonl and the held lines' file
    writer.close();
    expect(open()).toBe(before);
    fs.rmSync(dir, { recursive: true });
  });
});
