// Bandwidth: transfers as flows on shared links, the flow-level model SimGrid validated against
// packet-level simulation. Each link's capacity is shared max-min fairly between the flows crossing
// it (progressive filling: max-min.ts). A flow runs at a constant rate between changes; rates are
// recomputed only when a flow starts, ends or is cancelled, once per instant, and only for the
// flows that change can reach (SimGrid's selective update, narrowed further by rate thresholds:
// selective-update.ts). The network (flows.ts) keeps its flows in a heap by completion microsecond
// (flow-heap.ts) and has one kernel event, at the earliest completion. Links (link.ts) count the
// bytes they carried; a Flow (flow.ts) is the handle `start` returns.
//
// SIMPLIFICATION: no packets, no TCP slow start or congestion-control dynamics, no queueing delay:
// a link's capacity is shared at once and fluidly among its flows, as in SimGrid's flow model. The
// per-flow bound is where a caller models TCP's window limit (window / RTT, as SimGrid's LV08 model
// does), and the caller adds propagation latency to a flow's completion.
//
// Imports the kernel only.
export { Link } from "./link.js";
export { Flow } from "./flow.js";
export type { FlowState } from "./flow.js";
export { FlowNetwork } from "./flows.js";
export { MaxMinSolver, maxMinFairRates } from "./max-min.js";
