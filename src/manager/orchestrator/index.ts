// Orchestration on the leader: replicated and global orchestrators, the restart supervisor, the
// rolling updater and the task reaper (swarmkit manager/orchestrator). They read and write the
// store only, and react to its change events.
export { Orchestrator } from "./orchestrator.js";
export type { OrchestratorOptions } from "./orchestrator.js";
