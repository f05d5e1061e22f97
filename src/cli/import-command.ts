// `orchsim import STACK... [-o scenario.yaml]`: a starter scenario that references the stack.
// The stack is read exactly as `run` will read it (so its problems are the same problems, at the
// same lines); the scenario written is loaded back before it is written, so it always runs.

import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseScenario, ScenarioError } from "../scenario/index.js";
import { isScenarioText, notAStack } from "../scenario/stack/index.js";
import { starterScenario } from "../scenario/stack/starter.js";
import { readInputFile } from "../scenario/input-file.js";
import { badInput } from "./bad-input.js";

export interface ImportOptions {
  output?: string;
  envFile?: string;
  force?: boolean;
}

/** A cluster big enough for any stack to validate, used only to read the stack's services. */
const PROBE = "cluster: {managers: {count: 3}, nodeGroups: [{name: probe, count: 1, cpu: 1024, memory: 1024TiB}]}\nduration: 1m\n";

export function importCommand(stacks: readonly string[], opts: ImportOptions): number {
  const out = opts.output;
  if (out !== undefined && existsSync(out) && opts.force !== true) {
    return badInput(`orchsim: ${out} exists; refusing to overwrite it (--force to replace it)`);
  }
  // The stacks are what the user gave: one that cannot be read is named as given, not at the
  // `stack:` line of a scenario that does not exist yet.
  for (const s of stacks) {
    const read = readInputFile(s);
    if (!("text" in read)) return badInput(`orchsim: cannot read ${s}: ${"tooLarge" in read ? read.tooLarge : read.unreadable}`);
    if (isScenarioText(read.text, s)) return badInput(`${s}:1:1 ${notAStack(s)}`);
  }
  // The scenario finds its stack files beside itself: write their paths relative to it.
  const scenarioFile = out ?? "scenario.yaml";
  const here = path.dirname(scenarioFile);
  const refs = stacks.map((s) => {
    // An absolute path too, so that the scenario and its stack move together.
    const rel = path.relative(here, s).split(path.sep).join("/");
    return rel.startsWith(".") ? rel : `./${rel}`;
  });
  const name = scenarioName(out ?? stacks[0] ?? "stack");
  const options = opts.envFile === undefined ? {} : { envFile: opts.envFile };
  try {
    const probe = parseScenario(`version: 1\nname: ${name}\nstack: ${JSON.stringify(refs)}\n${PROBE}`, scenarioFile, [], options);
    const starter = starterScenario(name, refs, probe);
    parseScenario(starter.text, scenarioFile, [], options); // it must load as written
    for (const note of [...probe.notes, ...starter.remarks]) process.stderr.write(`note: ${note}\n`);
    if (out === undefined) process.stdout.write(starter.text);
    else {
      try {
        writeFileSync(out, starter.text);
      } catch (e) {
        return badInput(`orchsim: cannot write ${out}: ${(e as Error).message}`);
      }
      process.stderr.write(`orchsim: wrote ${out} (${probe.services.length} services); run it with: orchsim run ${out}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ScenarioError) return badInput(err.message);
    throw err;
  }
}

/** The scenario's name (its output directory): the file's, or its folder's when the file has a stack's usual name. */
function scenarioName(stack: string): string {
  const base = path.basename(stack).replace(/\.ya?ml$/i, "");
  const folder = path.basename(path.dirname(path.resolve(stack)));
  const word = /^(docker-)?(stack|compose)$/i.test(base) && folder !== "" ? folder : base;
  return word.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 63) || "stack";
}
