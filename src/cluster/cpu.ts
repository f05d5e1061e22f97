// Node CPU: a node's cores shared between cgroups (containers) and their jobs (requests, start-up
// work, health checks) as Linux CFS shares them with equal weights. The parts live in cpu/:
// water-level.ts (the max-min fair split, pure), job-heap.ts (a group's jobs by finish tag),
// group.ts (CpuJob, CpuGroup) and node-cpu.ts (NodeCpu: the scheduler and its one kernel event).
// They import only the kernel.
export { CpuGroup, CpuJob } from "./cpu/group.js";
export type { CpuJobState } from "./cpu/group.js";
export { NodeCpu } from "./cpu/node-cpu.js";
export { waterLevel } from "./cpu/water-level.js";
