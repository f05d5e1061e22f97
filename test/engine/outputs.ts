// The engine tests' names for the shared scenario runner (test/helpers.ts).
export { runYaml as runAndCollect, eventsOf } from "../helpers.js";
export type { RunOutputs } from "../helpers.js";
