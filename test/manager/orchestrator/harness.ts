// A leader's Orchestrator alone, on a store it watches, with its proposals collected rather
// than committed: tests decide what commits, and when.
import { Simulation } from "../../../src/kernel/index.js";
import { Orchestrator } from "../../../src/manager/orchestrator/index.js";
import { Store, nodeRecordFrom, type StoreCommand } from "../../../src/manager/store.js";
import { parseScenario } from "../../../src/scenario/index.js";

export const spec = parseScenario("version: 1\nname: t\nduration: 1m\ncluster: {managers: {count: 1}}\nservices: [{name: web, replicas: 1}]\n", "t.yaml").services[0]!;

/**
 * Two ready workers and `web` with `replicas`, its first tasks created (committed), not yet placed.
 * `batches`, if given, gets every proposal as it was made (`proposed` has their commands in a row).
 */
export function setup(replicas = 1, batches?: StoreCommand[][]): { sim: Simulation; store: Store; proposed: StoreCommand[] } {
  const sim = new Simulation();
  const store = new Store();
  const proposed: StoreCommand[] = [];
  for (const id of ["w-1", "w-2"]) {
    store.apply({ type: "CreateNode", node: nodeRecordFrom({ id, index: id === "w-1" ? 0 : 1, role: "worker", zone: "a", labels: {}, engineLabels: {}, cpuNanos: 4e9, memoryBytes: 8 * 2 ** 30, generic: {}, runsTasks: true }) });
  }
  store.apply({ type: "CreateService", spec, replicas });
  const orchestrator = new Orchestrator({ sim, store, propose: (cmds) => {
    batches?.push([...cmds]);
    proposed.push(...cmds);
  }, onRestart: () => undefined });
  store.watch((e) => orchestrator.handle(e));
  sim.run(); // the first reconcile proposes the tasks
  for (const c of proposed.splice(0)) store.apply(c);
  batches?.splice(0);
  return { sim, store, proposed };
}
