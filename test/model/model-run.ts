// Runs whole scenarios for the model tests (contention, memory, health, clients, storms,
// autoscaling) and reads their outputs: the same data `orchsim run` writes, kept in memory.
import { loadScenarioFile, parseScenario } from "../../src/scenario/index.js";
import type { Scenario } from "../../src/scenario/types.js";
import { Run } from "../../src/engine/run.js";
import type { NodeRow, Summary, TimeseriesRow } from "../../src/metrics/rows.js";

export type Event = Record<string, any>;

export interface ModelRun {
  summary: Summary;
  events: Event[];
  timeseries: TimeseriesRow[];
  nodes: NodeRow[];
  run: Run;
}

function collect(scenario: Scenario): ModelRun {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line), close: () => undefined } as never;
  const run = new Run(scenario, { out: null, events: sink });
  while (!run.advance(2_000_000));
  const result = run.finish();
  return {
    summary: result.summary,
    events: lines.map((l) => JSON.parse(l) as Event),
    timeseries: run.world.recorder.timeseries,
    nodes: run.world.recorder.nodes,
    run,
  };
}

/** Runs a scenario given as YAML text, with `--set` style overrides. */
export function runModel(yaml: string, overrides: string[] = []): ModelRun {
  return collect(parseScenario(yaml, "test.yaml", overrides));
}

/** Runs a scenario file (e.g. a shipped one), with `--set` style overrides. */
export function runScenarioFile(path: string, overrides: string[] = []): ModelRun {
  return collect(loadScenarioFile(path, overrides));
}

/** Events of one kind whose fields equal `where`. */
export function eventsOf(events: Event[], kind: string, where: Record<string, unknown> = {}): Event[] {
  return events.filter((e) => e["kind"] === kind && Object.entries(where).every(([k, v]) => e[k] === v));
}

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
