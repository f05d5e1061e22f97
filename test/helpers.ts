// Running whole scenarios in tests: the same data `orchsim run` writes, kept in memory.
import { loadScenarioFile, parseScenario } from "../src/scenario/index.js";
import type { Scenario } from "../src/scenario/types.js";
import { Run, type RunOptions } from "../src/engine/run.js";
import type { ElectionRow, NodeRow, Summary, TimeseriesRow } from "../src/metrics/rows.js";
import type { EventLog } from "../src/metrics/output.js";

export type Event = Record<string, any>;

export interface RunOutputs {
  summary: Summary;
  /** events.jsonl, parsed. */
  events: Event[];
  elections: ElectionRow[];
  timeseries: TimeseriesRow[];
  nodes: NodeRow[];
  /** The finished run, for looking inside (run.world: hosts, agents, the managers' stores). */
  run: Run;
}

/**
 * A stand-in for events.jsonl's LineWriter that keeps each line (without its newline) in `lines`:
 * whole lines come by writeJson, task lines in pieces (putAscii, putInt, putBytes) ending with a newline.
 * close() fails on a line left unfinished.
 */
export function lineSink(lines: string[]): EventLog {
  let pending = "";
  const put = (s: string): void => {
    pending += s;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      lines.push(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  };
  return {
    writeJson: (line: string) => void lines.push(line),
    putAscii: put,
    putInt: (n: number) => put(String(n)),
    putBytes: (bytes: Uint8Array) => put(Buffer.from(bytes).toString("utf8")),
    close: () => {
      if (pending !== "") throw new Error(`lineSink: an unfinished line: ${pending}`);
    },
  };
}

/** Runs a scenario to its end, with no output files. */
export function runScenario(scenario: Scenario, options: Pick<RunOptions, "quietSessions" | "checks" | "nodeRows"> = {}): RunOutputs {
  const lines: string[] = [];
  const sink = lineSink(lines);
  const run = new Run(scenario, { out: null, events: sink, ...options });
  while (!run.advance(2_000_000));
  const result = run.finish();
  sink.close();
  const w = run.world;
  return {
    summary: result.summary,
    events: lines.map((l) => JSON.parse(l) as Event),
    elections: w.control.elections.relativeRows(w.originUs),
    timeseries: w.recorder.timeseries,
    nodes: w.recorder.nodes,
    run,
  };
}

/**
 * A test scenario as YAML text: `version: 1`, the name, the seed (only when given), the duration,
 * `metrics: {interval: ...}` (only when given), then `body` (cluster, services, workload, events, ...)
 * as written, from column 0. A leading newline of `body` is dropped.
 */
export function scenarioYaml(
  head: { name?: string; seed?: number | string; duration?: string; interval?: string },
  body: string,
): string {
  const { name = "t", seed, duration = "1m", interval } = head;
  const lines = ["version: 1", `name: ${name}`];
  if (seed !== undefined) lines.push(`seed: ${seed}`);
  lines.push(`duration: ${duration}`);
  if (interval !== undefined) lines.push(`metrics: {interval: ${interval}}`);
  return `${lines.join("\n")}\n${body.replace(/^\n/, "")}`;
}

/** A scenario body: three managers, three 2-core workers and `api` on all three behind a published port, at 20 requests/s. */
export const THREE_WORKERS_API = `
cluster:
  managers: {count: 3}
  nodeGroups: [{name: web, count: 3, cpu: 2, memory: 4GiB}]
services:
  - {name: api, replicas: 3, ports: [{published: 80, target: 8080}], request: {cpu: 20ms}}
workload:
  - {name: users, service: api, rate: 20/s}
`;

/**
 * A scenario body: `managers` managers in zone a, two workers in each of zones a and b,
 * `crossZone` one way between the zones, heartbeats every `heartbeat`, and four replicas of
 * `web` (10 ms of pull, 10 ms of start-up CPU).
 */
export function twoZonesYaml(o: { managers: number; heartbeat: string; crossZone: string }): string {
  return `cluster:
  managers: {count: ${o.managers}, zones: [a], runTasks: false}
  dispatcher: {heartbeatPeriod: ${o.heartbeat}}
  network:
    latency: {sameNode: 20us, sameZone: 100us, crossZone: ${o.crossZone}}
  nodeGroups: [{name: a, count: 2, cpu: 4, memory: 8GiB, zone: a}, {name: b, count: 2, cpu: 4, memory: 8GiB, zone: b}]
services:
  - {name: web, replicas: 4, startup: {pull: 10ms, cpu: 10ms}}
`;
}

/** Runs a scenario given as YAML text, with `--set` style overrides. */
export function runYaml(yaml: string, overrides: string[] = []): RunOutputs {
  return runScenario(parseScenario(yaml, "test.yaml", overrides));
}

/** Runs a scenario file (e.g. a shipped one), with `--set` style overrides. */
export function runFile(path: string, overrides: string[] = []): RunOutputs {
  return runScenario(loadScenarioFile(path, overrides));
}

/** Events of one kind whose fields equal `where`. */
export function eventsOf(events: Event[], kind: string, where: Record<string, unknown> = {}): Event[] {
  return events.filter((e) => e["kind"] === kind && Object.entries(where).every(([k, v]) => e[k] === v));
}

/** A scenario file's summary alone, as a sweep's run makes it (no events.jsonl, no nodes.csv rows): for claims over many seeds. */
export function summaryOfFile(path: string, overrides: string[] = []): Summary {
  const run = new Run(loadScenarioFile(path, overrides), { out: null, nodeRows: false });
  while (!run.advance(2_000_000));
  return run.finish().summary;
}
