// The command line: run, validate, sweep, plan, merge, import, report and compare (main.ts is
// the entry). It reads the user's files, turns bad input into one clear line and exit code 2,
// guards the output directory and the run's cost, and drives the engine; it holds no model.
// orchsim-imports: engine, kernel, manager, metrics, report, scenario
export { runCommand } from "./run-command.js";
export { validateCommand } from "./validate-command.js";
export { sweepCommand } from "./sweep-command.js";
