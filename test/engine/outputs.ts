import { parseScenario } from "../../src/scenario/index.js";
import { Run } from "../../src/engine/run.js";
import type { ElectionRow, NodeRow, Summary, TimeseriesRow } from "../../src/metrics/rows.js";

export interface RunOutputs {
  summary: Summary;
  events: Record<string, any>[];
  elections: ElectionRow[];
  timeseries: TimeseriesRow[];
  nodes: NodeRow[];
  run: Run;
}

/** Runs a scenario from YAML text and returns what its output files would hold, parsed. */
export function runAndCollect(yaml: string, overrides: string[] = []): RunOutputs {
  const scenario = parseScenario(yaml, "test.yaml", overrides);
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line), close: () => undefined } as never;
  const run = new Run(scenario, { out: null, events: sink });
  while (!run.advance(2_000_000));
  const result = run.finish();
  const w = run.world;
  return {
    summary: result.summary,
    events: lines.map((l) => JSON.parse(l) as Record<string, any>),
    elections: w.control.elections.relativeRows(w.originUs),
    timeseries: w.recorder.timeseries,
    nodes: w.recorder.nodes,
    run,
  };
}

/** Events of one kind, optionally filtered by a field. */
export function eventsOf(events: Record<string, any>[], kind: string, where: Record<string, unknown> = {}): Record<string, any>[] {
  return events.filter((e) => e["kind"] === kind && Object.entries(where).every(([k, v]) => e[k] === v));
}
