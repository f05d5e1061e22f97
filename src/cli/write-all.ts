// Writing to a file descriptor from a worker thread, all of it: stderr may be a pipe in
// non-blocking mode that a slow reader (a pager, a CI log) leaves full, and a write then fails
// with EAGAIN instead of waiting.
import { writeSync } from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

/** All of `text` to `fd`, waiting a few milliseconds whenever the pipe is full. */
export function writeAll(fd: number, text: string, write: (fd: number, bytes: Buffer, at: number) => number = writeSync): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += write(fd, bytes, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}
