// SIGINT, SIGTERM and SIGHUP stop a run at once, even during a long initial deployment, and
// leave the directory as it was: no output, no temporary directory. The signal is sent when
// the run's temporary directory appears (fs.watch, no sleeping), which is just before the
// deployment starts; the deployment of 900 workers and 9,000 tasks takes a few seconds.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./cli.js";

const SCALE = path.join(ROOT, "bench/scenarios/scale.yaml");
const ARGS = ["--set", "duration=10m", "--set", "events.0.at=5m", "--set", "workload.users.rate=1/s", "--set", "events.0.nodeFailure.nodes=[a-1]"];
for (const z of ["a", "b", "c"]) ARGS.push("--set", `cluster.nodeGroups.${z}.count=300`);
for (let i = 0; i < 10; i++) ARGS.push("--set", `services.s${i}.replicas=900`);

function runAndSignal(signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; left: string[] }> {
  const dir = tempDir();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/bin/main.js"), "run", SCALE, ...ARGS, "--out", path.join(dir, "o"), "--quiet"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let sent = false;
    const watcher = fs.watch(dir, () => {
      if (!sent && fs.readdirSync(dir).some((n) => n.includes(".tmp-"))) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on("exit", (code) => {
      watcher.close();
      resolve({ code, stderr, left: fs.readdirSync(dir) });
    });
  });
}

describe("stop signals", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${signal} during the deployment: exit ${code}, one line, nothing left behind`, async () => {
      const r = await runAndSignal(signal);
      expect(r.code).toBe(code);
      expect(r.stderr.trim()).toBe(`orchsim: ${signal}: the run was stopped during the initial deployment; no output written`);
      expect(r.left).toEqual([]);
    }, 60_000);
  }
});
