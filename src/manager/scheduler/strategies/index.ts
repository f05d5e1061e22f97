import type { PlacementStrategy } from "../strategy.js";
import { spread } from "./spread.js";
import { binpack } from "./binpack.js";
import { random } from "./random.js";

/** The strategies every scenario can name. */
export function builtinStrategies(): Map<string, PlacementStrategy> {
  return new Map([spread, binpack, random].map((s) => [s.name, s]));
}
