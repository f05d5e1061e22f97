import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The CLI tests run the built command as a user would; build it once before any test, as
 * `npm run build` does: tsc's dist/, then the bundled command in dist/bin/ (scripts/bundle.mjs).
 *
 * Every temporary directory a test makes (and every one the orchsim processes it starts make)
 * goes under one directory of this run, through TMPDIR, which the test workers and their
 * children inherit; the teardown removes it, so repeated runs leave nothing in /tmp.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/bundle.mjs"], { stdio: "inherit" });
  const root = mkdtempSync(join(tmpdir(), "orchsim-tests-"));
  process.env["TMPDIR"] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
