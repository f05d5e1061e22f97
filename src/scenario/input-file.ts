// Reading what a scenario is made of (the scenario file, its stack files) with one size limit
// and one way of saying why a file cannot be read.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { LIMITS } from "./defaults.js";

/** Why a file over LIMITS.fileBytes is refused: an input is a page of YAML, not a data dump. */
export function tooLargeMessage(bytes: number | undefined): string {
  const size = bytes === undefined ? "" : ` (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
  return `the file is larger than 1 MiB${size}; refusing to read it`;
}

/** Why reading failed, in a few words ("no such file", or the system's message). */
export function whyUnreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return (e as Error).message;
}

/**
 * The file's text, or what is wrong: too large or unreadable. At most LIMITS.fileBytes + 1 bytes
 * are read, whatever the file claims its size is, so an endless stream (/dev/zero, a pipe)
 * cannot hang or exhaust the process.
 */
export function readInputFile(path: string): { text: string } | { tooLarge: string } | { unreadable: string } {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(LIMITS.fileBytes + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > LIMITS.fileBytes) {
      const stat = fstatSync(fd);
      return { tooLarge: tooLargeMessage(stat.isFile() ? stat.size : undefined) };
    }
    return { text: buffer.toString("utf8", 0, length) };
  } catch (e) {
    return { unreadable: whyUnreadable(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
