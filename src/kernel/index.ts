// The kernel: a simulated integer-microsecond clock, an event queue (fastpriorityqueue) that runs
// same-time events in scheduling order, named random streams forked from the run seed
// (seedrandom), and distributions. It knows nothing of clusters and imports nothing else of orchsim.
// orchsim-imports: (nothing)
export { Simulation, ScheduledEvent, SimulationFailure } from "./simulation.js";
export type { RunOutcome, RunLimits } from "./simulation.js";
export { RandomStream, RandomStreams, counterUniform, counterKey } from "./random.js";
export { sampler, meanOf } from "./distributions.js";
export type { DistributionSpec, Sampler } from "./distributions.js";
export { US_PER_MS, US_PER_S, secondsOf } from "./time.js";
export { grownTo } from "./typed-arrays.js";
