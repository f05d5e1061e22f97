import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The CLI tests run the built command as a user would; build it once before any test. tsc
 * rewrites dist/cli/main.js without its execute bit, which `npx orchsim` needs afterwards.
 *
 * Every temporary directory a test makes (and every one the orchsim processes it starts make)
 * goes under one directory of this run, through TMPDIR, which the test workers and their
 * children inherit; the teardown removes it, so repeated runs leave nothing in /tmp.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  chmodSync("dist/cli/main.js", 0o755);
  const root = mkdtempSync(join(tmpdir(), "orchsim-tests-"));
  process.env["TMPDIR"] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
