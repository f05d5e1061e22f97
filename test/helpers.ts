import { parseScenario } from "../src/scenario/index.js";
import { Run, type RunResult } from "../src/engine/run.js";

/** Runs a scenario given as YAML text to its end, with no output files. */
export function runYaml(yaml: string, overrides: string[] = []): { result: RunResult; run: Run } {
  const scenario = parseScenario(yaml, "test.yaml", overrides);
  const run = new Run(scenario, { out: null });
  while (!run.advance(1_000_000));
  return { result: run.finish(), run };
}
