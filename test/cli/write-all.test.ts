// A strategy's console output from its worker thread: a pipe left full by a slow reader fails a
// write with EAGAIN, which must wait and go on, not fail the run.
import { describe, expect, it } from "vitest";
import { writeAll } from "../../src/cli/write-all.js";

describe("writeAll", () => {
  it("writes everything through partial writes and full pipes (EAGAIN), in order", () => {
    const got: string[] = [];
    let calls = 0;
    writeAll(2, "héllo, world\n", (_fd, bytes, at) => {
      calls++;
      if (calls % 2 === 1) throw Object.assign(new Error("EAGAIN: resource temporarily unavailable, write"), { code: "EAGAIN" });
      const n = Math.min(3, bytes.length - at); // a pipe with room for 3 bytes at a time
      got.push(bytes.subarray(at, at + n).toString("latin1"));
      return n;
    });
    expect(Buffer.from(got.join(""), "latin1").toString()).toBe("héllo, world\n");
    expect(calls).toBeGreaterThan(8);
  });

  it("lets any other error through", () => {
    expect(() => writeAll(2, "x", () => { throw Object.assign(new Error("EBADF"), { code: "EBADF" }); })).toThrow("EBADF");
  });
});
