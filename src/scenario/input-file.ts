// Reading what a scenario is made of (the scenario file, its stack files) with one size limit
// and one way of saying why a file cannot be read.

import { readFileSync, statSync } from "node:fs";
import { LIMITS } from "./defaults.js";

/** Why a file over LIMITS.fileBytes is refused: an input is a page of YAML, not a data dump. */
export function tooLargeMessage(bytes: number): string {
  return `the file is larger than 1 MiB (${(bytes / 2 ** 20).toFixed(1)} MiB); refusing to read it`;
}

/** Why reading failed, in a few words ("no such file", or the system's message). */
export function whyUnreadable(e: unknown): string {
  return (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
}

/** The file's text, or what is wrong: too large (checked before reading) or unreadable. */
export function readInputFile(path: string): { text: string } | { tooLarge: string } | { unreadable: string } {
  try {
    const size = statSync(path).size;
    if (size > LIMITS.fileBytes) return { tooLarge: tooLargeMessage(size) };
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    return { unreadable: whyUnreadable(e) };
  }
}
