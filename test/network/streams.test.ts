// A stream hands messages over in the order they were sent, as one TCP connection does.
import { describe, expect, it } from "vitest";
import { HostStreams, Stream } from "../../src/network/streams.js";

describe("Stream", () => {
  it("a message that arrives before an earlier one waits for it", () => {
    const got: string[] = [];
    const s = new Stream<string>((m) => got.push(m));
    const [a, b, c] = [s.take(), s.take(), s.take()];
    s.arrived(c, "c");
    s.arrived(b, "b");
    expect(got).toEqual([]);
    expect(s.open).toBe(3);
    s.arrived(a, "a");
    expect(got).toEqual(["a", "b", "c"]);
    expect(s.open).toBe(0);
  });

  it("a lost message is given up in its turn and holds nothing back", () => {
    const got: string[] = [];
    const s = new Stream<string>((m) => got.push(m));
    const [a, b] = [s.take(), s.take()];
    s.arrived(b, "b");
    s.arrived(a, null);
    expect(got).toEqual(["b"]);
  });

  it("a message sent while one is handed over takes the next place", () => {
    const got: number[] = [];
    let later = -1;
    const s: Stream<number> = new Stream<number>((m) => {
      got.push(m);
      if (later < 0) later = s.take();
    });
    const first = s.take();
    s.arrived(first, first);
    s.arrived(later, later);
    expect(got).toEqual([0, 1]);
  });

  it("each direction between two hosts is its own stream, handing over with the streams' function", () => {
    const got: string[] = [];
    const streams = new HostStreams<string>((m) => got.push(m));
    expect(streams.of(1, 2)).toBe(streams.of(1, 2));
    expect(streams.of(1, 2)).not.toBe(streams.of(2, 1));
    const s = streams.of(2, 1);
    s.arrived(s.take(), "x");
    expect(got).toEqual(["x"]);
  });
});
