import type { Scenario } from "../scenario/types.js";
import type { PlacementStrategy } from "../manager/scheduler/strategy.js";

/** User strategy modules named in the scenario; an error message on failure. Filled in with pluggable strategies. */
export async function loadStrategies(_scenario: Scenario): Promise<Map<string, PlacementStrategy> | string> {
  return new Map();
}
