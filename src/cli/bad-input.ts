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

/**
 * A scenario's problems with the command's `--set`s (`message`, one per line), each line that the
 * file has only because of a `--set` (a field elsewhere that its value made wrong, or one it
 * emptied) led by that `--set`, as `problemsOf` leads with a `--vary`: a line naming the file's
 * own line and field alone sent the user to a file that is right. Lines that already name a
 * `--set`, and the file's own problems, stay as they are. (Where the file's own problems hide
 * behind an earlier one, as a stack that fails to expand stops the load, a --set that mends that
 * one is named before those it uncovers.)
 */
export function setProblems(file: string, overrides: readonly Override[], options: { envFile?: string }, message: string): string {
  const isSet = (o: Override): boolean => typeof o === "string" || o.flag === "--set";
  const sets = overrides.filter(isSet);
  if (sets.length === 0) return message;
  const rest = overrides.filter((o) => !isSet(o));
  const own = problemsWithout(file, rest, options);
  const text = (o: Override): string => `--set ${typeof o === "string" ? o : o.text}`;
  const lines = message.split("\n");
  if (lines.every((line) => line.startsWith("--set ") || own.has(line))) return message;
  // One load per --set, whatever the number of lines (a rename can break hundreds of references).
  const alone = sets.map((o) => ({ o, problems: problemsWithout(file, [...rest, o], options) }));
  return lines
    .map((line) => {
      if (line.startsWith("--set ") || own.has(line)) return line;
      const one = alone.find((a) => a.problems.has(line));
      return `${one === undefined ? sets.map(text).join(" ") : text(one.o)}: ${line}`;
    })
    .join("\n");
}

/**
 * A variant's problems (`message`: the file with `base`, its --sets, and the variant's own
 * overrides, led by `flag`): the lines the file has with `base` alone led as setProblems leads
 * them (by the --set that caused one, or none: the file's own), the rest by `flag` (problemsOf).
 * For a sweep's --vary and plan's --minimize, whose values are tried over the command's --sets.
 */
export function variantProblems(file: string, base: readonly Override[], options: { envFile?: string }, flag: string, message: string): string {
  const own = problemsWithout(file, [...base], options);
  const ownLines = [...own];
  const led = ownLines.length === 0 ? [] : setProblems(file, base, options, ownLines.join("\n")).split("\n");
  const asLed = new Map(ownLines.map((line, i) => [line, led[i]!]));
  return message
    .split("\n")
    .map((line) => asLed.get(line) ?? problemsOf(flag, line))
    .join("\n");
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
