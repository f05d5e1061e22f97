// The command ends the process itself once its outputs are committed and its terminal output
// written (src/cli/main.ts, end()). A reader that has gone away before the summary is printed
// (`orchsim run ... | true`) no longer turns a finished run into a crash: the write's EPIPE is
// reported on a later tick, after the exit.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./cli.js";

describe("the process's ending", () => {
  it("a run whose stdout reader is gone exits 0 with its outputs committed, not with an EPIPE crash", async () => {
    const out = path.join(tempDir(), "o");
    const child = spawn(process.execPath, [path.join(ROOT, "dist/bin/main.js"), "run", "scenarios/hello-cluster.yaml", "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy(); // the reading end closes before the run has printed anything
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(out, "summary.json"))).toBe(true);
  });
});
