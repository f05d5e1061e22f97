// The fuzzer (issue 12): generated scenarios (test/fuzz/generate.ts) through the loader and,
// when they load, a short run with the live invariant checkers. Each case must give a
// scenario, or a ScenarioError whose every line names the file, line and column (or the
// option) of one problem in one readable line; a scenario that loads must run without an
// exception. A small fixed number of cases runs in `npm test`; `npm run fuzz -- --cases 10000
// --seed 7` runs more (test/fuzz/fuzz-cli.mjs). A case that fails prints its seed and path to
// replay, and its text: put it in test/corpus/cases.yaml with the answer it must get.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateCost } from "../../src/engine/cost.js";
import { Run } from "../../src/engine/run.js";
import { parseScenario, ScenarioError, type Scenario } from "../../src/scenario/index.js";
import { scenarioText } from "./generate.js";

const CASES = Number(process.env["ORCHSIM_FUZZ_CASES"] ?? 150);
const SEED = Number(process.env["ORCHSIM_FUZZ_SEED"] ?? 1);
/** A run is cut to this much simulated time, and skipped when estimated costlier (the cost guard's job). */
const RUN_US = 20e6;
const RUN_EVENTS_MAX = 2e6;

const stats = { loaded: 0, refused: 0, ran: 0 };

function check(text: string): void {
  let s: Scenario;
  try {
    s = parseScenario(text, "fuzz.yaml");
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    stats.refused++;
    for (const line of e.message.split("\n")) {
      expect(line).toMatch(/^(fuzz\.yaml:\d+:\d+ |--set )\S/);
      expect(line.length).toBeLessThan(600);
    }
    return;
  }
  stats.loaded++;
  const cut: Scenario = { ...s, durationUs: Math.min(s.durationUs, RUN_US) };
  if (estimateCost(cut).events > RUN_EVENTS_MAX) return;
  // A user strategy module named by a mutation does not exist: validate refuses it, the run needs it.
  if (/\.m?js$/.test(cut.cluster.scheduler.strategy) || cut.services.some((x) => x.strategy !== null && /\.m?js$/.test(x.strategy))) return;
  const run = new Run(cut, { out: null });
  while (!run.advance(1_000_000));
  run.finish();
  stats.ran++;
}

describe("fuzzing the loader and the engine", () => {
  it(`${CASES} generated scenarios (seed ${SEED}): one clear line per problem, or a run without an exception`, () => {
    fc.assert(
      fc.property(scenarioText, ({ text }) => check(text)),
      { seed: SEED, numRuns: CASES, endOnFailure: true },
    );
    process.stdout.write(`fuzz: ${CASES} cases (seed ${SEED}): ${stats.refused} refused, ${stats.loaded} loaded, ${stats.ran} ran\n`);
    // The generator must reach both sides, or the property says nothing.
    expect(stats.refused).toBeGreaterThan(CASES / 10);
    expect(stats.ran).toBeGreaterThan(0);
  });
});
