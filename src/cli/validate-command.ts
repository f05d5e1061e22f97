import { loadScenarioFile, ScenarioError } from "../scenario/index.js";
import { scenarioWarnings, unsimulatedFields } from "../engine/unsupported.js";
import { badInput, setProblems } from "./bad-input.js";
import { plural } from "../metrics/fmt.js";
import { closeStrategies, loadStrategies } from "./strategies.js";

export async function validateCommand(file: string, opts: { set: string[]; envFile?: string }): Promise<number> {
  const options = opts.envFile === undefined ? {} : { envFile: opts.envFile };
  try {
    const s = loadScenarioFile(file, opts.set, options);
    // A strategy module is part of the scenario: it must load and export a strategy.
    const strategies = await loadStrategies(s);
    if (typeof strategies === "string") return badInput(strategies);
    await closeStrategies(strategies);
    const nodes = s.cluster.managers.count + s.cluster.nodeGroups.reduce((n, g) => n + g.count, 0);
    process.stdout.write(
      `${file}: ok (scenario "${s.name}": ${plural(nodes, "node")}, ${plural(s.services.length, "service")}, ${plural(s.workload.length, "workload")}, ${plural(s.events.length, "event")})\n`,
    );
    for (const n of s.notes) process.stdout.write(`note: ${n}\n`);
    for (const f of unsimulatedFields(s)) process.stdout.write(`note: not simulated: ${f}\n`);
    for (const w of scenarioWarnings(s)) process.stdout.write(`note: ${w}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ScenarioError) return badInput(setProblems(file, opts.set, options, err.message));
    throw err;
  }
}
