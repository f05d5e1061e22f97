import * as fs from "node:fs";
import * as path from "node:path";
import type { Scenario } from "../scenario/types.js";
import type { PlacementStrategy } from "../manager/scheduler/strategy.js";
import { hostStrategy, type HostedStrategy } from "./strategy-host.js";

/** A strategy named by path rather than by a built-in name. */
export function isModulePath(name: string): boolean {
  return /\.(m?js|cjs)$/.test(name);
}

/**
 * Imports the user strategy modules the scenario names (`cluster.scheduler.strategy` or a
 * service's `strategy`, a path relative to the scenario file). A module exports a
 * PlacementStrategy as default or as `strategy`. Returns them by the name the scenario used,
 * or an error message naming the file and the field.
 */
export async function loadStrategies(scenario: Scenario): Promise<Map<string, PlacementStrategy> | string> {
  const loaded = new Map<string, HostedStrategy>();
  for (const w of strategyModules(scenario)) {
    if (loaded.has(w.name)) continue;
    const file = w.file;
    const where = scenario.strategyFields?.[w.name] ?? `${scenario.file} ${w.field}`;
    if (!fs.existsSync(file)) return `${where}: strategy module ${file} does not exist`;
    const hosted = await hostStrategy(file, w.name);
    if (typeof hosted === "string") {
      await closeStrategies(loaded);
      return `${where}: strategy module ${file} ${hosted}`;
    }
    loaded.set(w.name, hosted);
  }
  return loaded;
}

/** The strategy modules a scenario names: the name written, its field, and the file it resolves to. */
export function strategyModules(scenario: Scenario): { name: string; field: string; file: string }[] {
  const wanted: { name: string; field: string }[] = [];
  if (isModulePath(scenario.cluster.scheduler.strategy)) wanted.push({ name: scenario.cluster.scheduler.strategy, field: "cluster.scheduler.strategy" });
  for (const s of scenario.services) if (s.strategy && isModulePath(s.strategy)) wanted.push({ name: s.strategy, field: `services[${s.name}].strategy` });
  return wanted.map((w) => ({ ...w, file: path.resolve(path.dirname(scenario.file), w.name) }));
}

/** Ends the strategies' threads (a sweep loads them for each run). */
export async function closeStrategies(strategies: ReadonlyMap<string, PlacementStrategy>): Promise<void> {
  for (const s of strategies.values()) await (s as Partial<HostedStrategy>).close?.();
}
