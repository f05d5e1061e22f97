// How a command ends when it cannot do its work: bad input (exit 2, nothing written), an output
// directory it may not use (the same), or an unexpected error of its own (exit 1).

import { OutputDir, OutputDirError } from "../metrics/output.js";
import { loadScenarioFile, ScenarioError, type Override } from "../scenario/index.js";

/** Bad input or usage: the message on stderr, and exit code 2 (nothing has been written). */
export function badInput(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

/**
 * The problems of a scenario loaded with a flag's value (`--vary services.web.replicas=2`), one
 * line each: a line that names the flag stays as it is, and so does one the scenario has without
 * the value (`without`: its problems then, one per line); any other, a field elsewhere that the
 * value made wrong, gets the flag and its value in front.
 */
export function problemsOf(flag: string, message: string, without: ReadonlySet<string> = new Set()): string {
  const name = `${flag.split(" ")[0]} `;
  return message.split("\n").map((line) => (line.startsWith(name) || without.has(line) ? line : `${flag}: ${line}`)).join("\n");
}

/** The scenario's problems with `overrides` alone, one per line (none: it loads). */
export function problemsWithout(file: string, overrides: Override[], options: { envFile?: string }): Set<string> {
  try {
    loadScenarioFile(file, overrides, options);
    return new Set();
  } catch (err) {
    if (err instanceof ScenarioError) return new Set(err.message.split("\n"));
    throw err;
  }
}

/**
 * The command's output directory (see OutputDir.create), refused when it holds one of `inputs`
 * (absent ones skipped), or the exit code after saying why it cannot be used.
 */
export function openOutput(dir: string, inputs: readonly (string | undefined)[]): OutputDir | number {
  // An empty path resolves to the working directory: outputs there, among the user's files, unasked.
  if (dir.trim() === "") return badInput("--out: the path is empty; name the directory the outputs go to (e.g. --out out/run1)");
  try {
    return OutputDir.create(dir, inputs.filter((i): i is string => i !== undefined));
  } catch (err) {
    if (err instanceof OutputDirError) return badInput(err.message);
    throw err;
  }
}

/** An unexpected error in a command (not inside one run, which says its seed): its stack, exit 1. */
export function commandFailed(command: string, err: unknown): number {
  process.stderr.write(`orchsim: the ${command} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
