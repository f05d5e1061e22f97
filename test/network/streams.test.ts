// A stream hands messages over in the order they were sent, as one TCP connection does.
import { describe, expect, it } from "vitest";
import { HostStreams, Stream } from "../../src/network/streams.js";

describe("Stream", () => {
  it("a message that arrives before an earlier one waits for it", () => {
    const s = new Stream();
    const got: string[] = [];
    const [a, b, c] = [s.take(), s.take(), s.take()];
    s.arrived(c, () => got.push("c"));
    s.arrived(b, () => got.push("b"));
    expect(got).toEqual([]);
    expect(s.open).toBe(3);
    s.arrived(a, () => got.push("a"));
    expect(got).toEqual(["a", "b", "c"]);
    expect(s.open).toBe(0);
  });

  it("a lost message is given up in its turn and holds nothing back", () => {
    const s = new Stream();
    const got: string[] = [];
    const [a, b] = [s.take(), s.take()];
    s.arrived(b, () => got.push("b"));
    s.arrived(a, null);
    expect(got).toEqual(["b"]);
  });

  it("a message sent while one is handed over takes the next place", () => {
    const s = new Stream();
    const got: number[] = [];
    const first = s.take();
    let later = -1;
    s.arrived(first, () => {
      got.push(first);
      later = s.take();
    });
    s.arrived(later, () => got.push(later));
    expect(got).toEqual([0, 1]);
  });

  it("each direction between two hosts is its own stream", () => {
    const streams = new HostStreams();
    expect(streams.of(1, 2)).toBe(streams.of(1, 2));
    expect(streams.of(1, 2)).not.toBe(streams.of(2, 1));
  });
});
