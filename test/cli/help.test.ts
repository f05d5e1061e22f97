// --version and --help: every command shows examples, and the examples name files that exist
// and validate, so they do not rot as scenarios move.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, orchsim } from "./cli.js";

describe("orchsim --version and --help", () => {
  it("--version prints package.json's version and exits 0", () => {
    const r = orchsim(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
  });

  for (const command of [[], ["run"], ["validate"], ["sweep"], ["report"], ["compare"], ["import"], ["plan"], ["merge"]]) {
    it(`orchsim ${[...command, "--help"].join(" ")} shows examples whose scenario files validate`, () => {
      const r = orchsim([...command, "--help"]);
      expect(r.code).toBe(0);
      const examples = r.stdout.split("Examples:")[1] ?? "";
      const files = [...examples.matchAll(/(?:scenarios|examples\/stacks\/[\w-]+)\/[\w-]+\.yaml/g)].map((m) => m[0]);
      expect(files.length).toBeGreaterThan(0);
      for (const f of new Set(files)) expect(orchsim(["validate", f]).code, f).toBe(0);
      for (const stack of new Set([...examples.matchAll(/examples\/stacks\/[\w-]+\/[\w-]+\.yml/g)].map((m) => m[0]))) {
        expect(orchsim(["import", stack]).code, stack).toBe(0);
      }
    });
  }
});
