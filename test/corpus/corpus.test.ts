// Every case of the corpus of bad inputs gets its exact answer and leaves its directory as it
// was (see README.md). ORCHSIM_CORPUS_PRINT=1 prints what each case got, to write a new case.

import { describe, expect, it } from "vitest";
import { readCases, runCase } from "./corpus.js";

const PRINT = process.env["ORCHSIM_CORPUS_PRINT"] === "1";

describe("the corpus of bad inputs", () => {
  for (const c of readCases()) {
    it(`${c.name} (${c.why})`, () => {
      const { result, before, after } = runCase(c);
      if (PRINT) process.stdout.write(`=== ${c.name}\ncode ${result.code}\nstdout:\n${result.stdout}stderr:\n${result.stderr}\n`);
      expect(result.code).toBe(c.code);
      expect(after).toEqual(before);
      if (c.code !== 0) expect(result.stdout).toBe("");
      if (c.stdout !== undefined) expect(result.stdout).toBe(c.stdout);
      if (c.stderr !== undefined) expect(result.stderr).toBe(c.stderr);
      if (c.stderrStartsWith !== undefined) expect(result.stderr.startsWith(c.stderrStartsWith)).toBe(true);
      for (const part of c.stderrIncludes ?? []) expect(result.stderr).toContain(part);
      // Every case pins its message one way or the other.
      expect(c.stderr !== undefined || c.stderrStartsWith !== undefined || c.stdout !== undefined).toBe(true);
    });
  }
});
