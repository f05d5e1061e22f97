import type { EventSpec } from "../scenario/types.js";
import type { World } from "./world.js";

/** Injections the model simulates today; the others are validated but do nothing yet. */
const SIMULATED = new Set(["loadSpike", "scale"]);

/**
 * Schedules every scenario event (each repetition) on the world's clock. Each firing is logged
 * as a `fault` event; what it does goes through the same paths a user's command would take.
 */
export function scheduleInjections(world: World): void {
  for (const ev of world.scenario.events) {
    for (let k = 0; k < ev.times; k++) {
      const atUs = world.originUs + ev.atUs + k * ev.everyUs;
      if (atUs > world.originUs + world.scenario.durationUs) break;
      world.sim.at(atUs, () => fire(world, ev));
    }
  }
}

function fire(world: World, ev: EventSpec): void {
  const a = ev.action;
  switch (a.type) {
    case "loadSpike":
      // The rate profile already holds the spike; this only marks it in the log.
      world.recorder.fault("loadSpike", a.workload);
      return;
    case "scale": {
      world.recorder.fault("scale", a.service);
      world.control.submit([{ type: "UpdateService", name: a.service, replicas: a.replicas }]);
      return;
    }
    default:
      world.recorder.fault(a.type, null);
  }
}

/** Event types used by the scenario that the model does not simulate yet (for the run's notes). */
export function unsimulatedInjections(events: readonly EventSpec[]): string[] {
  const names = new Set<string>();
  for (const ev of events) if (!SIMULATED.has(ev.action.type)) names.add(`events: ${ev.action.type}`);
  return [...names];
}
