import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "dist/bin/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `orchsim` as a user would, in `cwd`; a run that hangs is killed after `timeoutMs` (code -1). */
export function orchsim(args: string[], cwd = ROOT, timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: timeoutMs, killSignal: "SIGKILL" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "orchsim-test-"));
}

/** Every file of an output directory, by name. */
export function readOutputs(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of fs.readdirSync(dir).sort()) files.set(name, fs.readFileSync(path.join(dir, name)));
  return files;
}
