// What a user needs when a run fails inside the simulation: where, with which seed, and the one
// command that makes the same run again (the seed and every override, as options).

import { SimulationFailure } from "../kernel/index.js";
import { overrideText, type Override } from "../scenario/index.js";
import { stackText } from "./stack-text.js";

/** `seed=N` as the `--seed` option wrote it, so that messages name that option. */
export function seedOverride(seed: number | string): Override {
  return { flag: "--seed", text: `seed=${seed}` };
}

/** Two lines: what failed (with the seed) and `reproduce with: npx orchsim run ...`. */
export function failureText(err: unknown, seed: number, file: string, overrides: readonly Override[]): string {
  const where = err instanceof SimulationFailure ? ` at simulated t=${err.timeUs}us, event #${err.eventNumber}` : "";
  const cause = err instanceof SimulationFailure ? err.cause : err;
  const stack = stackText(cause);
  return `orchsim: the simulation failed${where} (seed ${seed}): ${stack}\nreproduce with: ${reproduceCommand(file, seed, overrides)}\n`;
}

export function reproduceCommand(file: string, seed: number, overrides: readonly Override[]): string {
  // A --vary or --minimize value is one --set of the run that failed.
  const sets = overrides
    .filter((o) => typeof o === "string" || o.flag !== "--seed")
    .map((o) => ` --set ${shellQuote(overrideText(o))}`)
    .join("");
  return `npx orchsim run ${shellQuote(file)} --seed ${seed}${sets}`;
}

function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
