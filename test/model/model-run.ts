// Runs whole scenarios for the model tests (contention, memory, health, clients, storms,
// autoscaling) and reads their outputs: the same data `orchsim run` writes, kept in memory.
import { eventsOf, runFile, runYaml, type Event, type RunOutputs } from "../helpers.js";
import type { NodeRow, TimeseriesRow } from "../../src/metrics/rows.js";

export { eventsOf };
export type { Event };
export type ModelRun = RunOutputs;

/** Runs a scenario given as YAML text, with `--set` style overrides. */
export const runModel = runYaml;

/** Runs a scenario file (e.g. a shipped one), with `--set` style overrides. */
export const runScenarioFile = runFile;

/** The first time (t_s) task `task` entered `state`, or undefined. */
export function taskStateAt(events: Event[], task: string, state: string): number | undefined {
  return eventsOf(events, "task", { task, state })[0]?.["t_s"] as number | undefined;
}

/** Seconds from STARTING to RUNNING of every task that got there, by task id. */
export function startupSeconds(events: Event[]): Map<string, number> {
  const starting = new Map<string, number>();
  const took = new Map<string, number>();
  for (const e of eventsOf(events, "task")) {
    if (e["state"] === "starting") starting.set(e["task"], e["t_s"]);
    else if (e["state"] === "running" && starting.has(e["task"])) took.set(e["task"], e["t_s"] - starting.get(e["task"])!);
  }
  return took;
}

/** The rows of one service in timeseries.csv. */
export function seriesOf(out: ModelRun, service: string): TimeseriesRow[] {
  return out.timeseries.filter((r) => r.service === service);
}

/** The rows of one node in nodes.csv. */
export function nodeSeries(out: ModelRun, node: string): NodeRow[] {
  return out.nodes.filter((r) => r.node === node);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / expected;
}
