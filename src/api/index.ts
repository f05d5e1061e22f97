// What the managers and the nodes say to each other, and the task states both track: the one
// home of the definitions they share (as swarmkit's api package), so that neither imports the
// other. The managers reach a node through a small interface (manager/control-plane.ts), never
// through the cluster's classes.
// orchsim-imports: scenario
export * from "./task-state.js";
export * from "./messages.js";
