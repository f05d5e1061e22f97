import { execFileSync } from "node:child_process";
import { chmodSync } from "node:fs";

/**
 * The CLI tests run the built command as a user would; build it once before any test. tsc
 * rewrites dist/cli/main.js without its execute bit, which `npx orchsim` needs afterwards.
 */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  chmodSync("dist/cli/main.js", 0o755);
}
