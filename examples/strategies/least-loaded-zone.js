// An example placement strategy for orchsim, as a user would write one: plain ESM JavaScript,
// no build step. Name it in a scenario by path, relative to the scenario file:
//
//   cluster:
//     scheduler: {strategy: ./strategies/least-loaded-zone.js}     # for every service, or
//   services:
//     - name: web
//       strategy: ./strategies/least-loaded-zone.js                # for one service
//
// THE CONTRACT
//
// The module exports (as default, or as `strategy`) an object { name, choose(task, candidates, ctx) }.
// The scheduler calls choose() once per task, with:
//
// - task: the task being placed (read only). Useful fields: task.service (the service's name),
//   task.specVersion, task.slot, task.spec (the service spec: task.spec.resources.reservations
//   has cpuCores and memoryBytes).
// - candidates: the nodes that passed every filter for this task (READY and ACTIVE, enough free
//   reservations, constraints, host ports, maxReplicasPerNode), never empty, in node creation
//   order. Each is a NodeInfo; read, never change:
//     node.node.id, node.node.index (creation order), node.node.role, node.node.labels,
//     node.node.engineLabels, node.node.cpuNanos, node.node.memoryBytes (capacity);
//     node.tasks.size (tasks holding resources there, all services);
//     node.tasksOfService(name) (this service's tasks there);
//     node.availableCpuNanos, node.availableMemoryBytes (capacity minus reservations);
//     node.recentFailures(`${task.service}@${task.specVersion}`, ctx.nowUs) (failures there in
//     the last 5 minutes).
//   The simulation sets node.labels.zone from each node's `zone`.
// - ctx: { nowUs, random() }. ctx.nowUs is the simulated time in microseconds. ctx.random() gives
//   uniform numbers in [0, 1) from the run's seeded stream: it is the ONLY randomness a strategy
//   may use (no Math.random, no Date), so that the same seed gives the same run.
//
// choose() must return one of `candidates` (the very object, not a copy): the scheduler throws
// otherwise, as anything else would skip the filters. Keep no state of your own between calls
// (a new leader builds a new scheduler, and the same seed must give the same run) and do not
// keep the `candidates` array, which the scheduler reuses. After each choice the scheduler counts
// the task on the chosen node and checks that node again, so the next call sees up-to-date
// counters and only nodes that still fit.

/** The zone a node belongs to; nodes without one share the zone "". */
function zoneOf(info) {
  return info.node.labels.zone ?? "";
}

/**
 * Least-loaded zone: the zone whose candidates hold the fewest tasks of this service wins (ties:
 * the zone of the earliest candidate); within it, the node with the fewest tasks in total (ties:
 * the earliest candidate). Unlike spread, it evens out zones before nodes, without the service
 * having to declare a placement preference.
 */
function choose(task, candidates, _ctx) {
  const load = new Map(); // zone -> tasks of this service on its candidates
  for (const info of candidates) {
    const zone = zoneOf(info);
    load.set(zone, (load.get(zone) ?? 0) + info.tasksOfService(task.service));
  }
  // Maps iterate in insertion order, that is in the order zones first appear among candidates.
  let bestZone = "";
  let bestLoad = Infinity;
  for (const [zone, tasks] of load) {
    if (tasks < bestLoad) {
      bestZone = zone;
      bestLoad = tasks;
    }
  }
  let best = null;
  for (const info of candidates) {
    if (zoneOf(info) !== bestZone) continue;
    if (best === null || info.tasks.size < best.tasks.size) best = info;
  }
  return best;
}

export default { name: "least-loaded-zone", choose };
