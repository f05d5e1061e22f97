import { describe, expect, it } from "vitest";
import { heapGrowingFlag, HEAP_GROWING_PERCENT, runThreadLimits } from "../../src/cli/heap.js";
import { poolOptions } from "../../src/cli/sweep-command.js";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT, orchsim, readOutputs, tempDir } from "./cli.js";

describe("the heap's growth", () => {
  it("is set to 1.5 times what the last full collection kept, unless node was given its own", () => {
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(heapGrowingFlag([])).toBe("--heap-growing-percent=50");
    expect(heapGrowingFlag(["--expose-gc"])).toBe("--heap-growing-percent=50");
    expect(heapGrowingFlag(["--heap-growing-percent=20"])).toBe(null);
    expect(heapGrowingFlag(["--heap_growing_percent=20"])).toBe(null);
  });

  it("changes no output: a run under node's own growth writes the same files", () => {
    const dir = tempDir();
    const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
    expect(orchsim(["run", "scenarios/hello-cluster.yaml", "--out", a, "--quiet"]).code).toBe(0);
    const r = spawnSync(process.execPath, ["--heap-growing-percent=0", path.join(ROOT, "dist/bin/main.js"), "run", "scenarios/hello-cluster.yaml", "--out", b, "--quiet"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    const [fa, fb] = [readOutputs(a), readOutputs(b)];
    fa.delete("perf.json");
    fb.delete("perf.json");
    expect([...fb.keys()]).toEqual([...fa.keys()]);
    for (const [name, bytes] of fa) expect(fb.get(name)!.equals(bytes), name).toBe(true);
  });

  it("gives a sweep's run threads twice V8's young generation, unless node was given its own semi-space size", () => {
    expect(runThreadLimits([], "")).toEqual({ maxYoungGenerationSizeMb: 96 });
    expect(runThreadLimits(["--expose-gc"], "--max-old-space-size=4096")).toEqual({ maxYoungGenerationSizeMb: 96 });
    expect(runThreadLimits(["--max-semi-space-size=8"], "")).toEqual({});
    expect(runThreadLimits([], "--max-old-space-size=4096 --max_semi_space_size=64")).toEqual({});
    expect(runThreadLimits([], "--min-semi-space-size=4")).toEqual({});
    // The sweep's (and the plan's) pool hands the limits to its threads.
    expect(poolOptions(2, 10).resourceLimits).toEqual(runThreadLimits(process.execArgv));
    expect(poolOptions(4, 3)).toMatchObject({ maxThreads: 4, minThreads: 3 });
  });
});
