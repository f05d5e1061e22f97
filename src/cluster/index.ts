// The cluster's hosts and what runs on them: nodes (capacity, status, availability), the worker
// agent on each node, containers (task state machine, start-up, request queue) and node CPU.
// May import kernel/, scenario/ types, network/ and metrics/; never manager/ (they talk by message).
// orchsim-imports: api, kernel, network, scenario, metrics
export { Host, type HostSpec } from "./host.js";
export { Agent } from "./agent.js";
