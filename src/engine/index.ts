// The engine wires a scenario into a running system and drives it: World builds the hosts, the
// control plane, the networks and the clients; Run deploys, arms traffic, injections and
// metrics windows and writes the outputs; checkers.ts checks invariants live; cost.ts estimates
// what a run will cost before it starts.
// orchsim-imports: api, cluster, kernel, manager, metrics, network, scenario, workload
export { Run, type RunOptions, type RunResult } from "./run.js";
export { World } from "./world.js";
export { Checkers, InvariantViolation } from "./checkers.js";
export { estimateCost } from "./cost.js";
