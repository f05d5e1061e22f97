import { describe, expect, it } from "vitest";
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
