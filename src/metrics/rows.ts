// The rows and documents that `orchsim run` writes (the README's "Outputs" is their contract).
// Field names are the output column and key names, hence snake_case. Every number in a row is
// already rounded with ./fmt.ts (seconds 6 decimals, milliseconds 3, utilisation 4).

/** timeseries.csv: one row per metrics window and service. */
export interface TimeseriesRow {
  /** End of the window, in seconds: the row covers (t_s - interval, t_s]. */
  t_s: number;
  service: string;
  arrivals: number;
  /** Requests that completed successfully; the latency columns describe these only. */
  completed: number;
  /** All failed requests, whatever the cause; `timeouts` and `rejected` are subsets. */
  errors: number;
  /** Failed because the client's timeout expired (a subset of `errors`). */
  timeouts: number;
  /** Failed because it was refused before being served, e.g. a full queue (a subset of `errors`). */
  rejected: number;
  /** Latency quantiles and maximum of the window's completions; null (an empty cell) when nothing completed. */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  tasks_desired: number;
  tasks_running: number;
  tasks_starting: number;
  tasks_pending: number;
  /** Replacement tasks created in the window because a task failed or its node was lost. */
  restarts: number;
  /** Containers of the service OOM-killed in the window. */
  oom_kills: number;
  /** Containers of the service found unhealthy (and failed) in the window. */
  unhealthy: number;
}

/** nodes.csv: one row per node every metrics.nodeInterval (by default, every window). */
export interface NodeRow {
  t_s: number;
  node: string;
  /** Swarm node status in lower case: ready, down, unknown, disconnected. */
  status: string;
  /** Swarm node availability in lower case: active, pause, drain. */
  availability: string;
  /** CPU busy fraction of the node's cores over the window, 0..1. */
  cpu_util: number;
  mem_used_bytes: number;
  mem_capacity_bytes: number;
  /** Tasks on the node (assigned to it and not yet terminal). */
  tasks: number;
  /** Bytes the node's NIC sent and received in the window (IP level, encapsulation included). */
  net_tx_bytes: number;
  net_rx_bytes: number;
}

/**
 * A nodes.csv row as its cells in NODE_COLUMNS' order: how a run makes them (a 20,000-node
 * cluster makes 7.2 million in a simulated hour, and the CSV packer reads an array's cells
 * faster than an object's fields by name). Tests and the report read NodeRow objects.
 */
export type NodeCells = [
  t_s: number,
  node: string,
  status: string,
  availability: string,
  cpu_util: number,
  mem_used_bytes: number,
  mem_capacity_bytes: number,
  tasks: number,
  net_tx_bytes: number,
  net_rx_bytes: number,
];

/** The latency column that bounds an SLO percentile from above (timeseries.csv's `<column>_ms`, summary.json's latency_ms): p50, p95, p99 or max. */
export function sloColumn(percentile: number): "p50" | "p95" | "p99" | "max" {
  return percentile <= 50 ? "p50" : percentile <= 95 ? "p95" : percentile <= 99 ? "p99" : "max";
}

/**
 * A timeseries.csv row's cells in TIMESERIES_COLUMNS' order, and a networks.csv row's in
 * NETWORK_COLUMNS': how a run hands them to the CSV packer, which reads an array's cells faster
 * than an object's fields by their columns' names (a keyed load of many names each row).
 */
export function timeseriesCells(r: TimeseriesRow): unknown[] {
  return [r.t_s, r.service, r.arrivals, r.completed, r.errors, r.timeouts, r.rejected, r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms, r.tasks_desired, r.tasks_running, r.tasks_starting, r.tasks_pending, r.restarts, r.oom_kills, r.unhealthy];
}

export function networkCells(r: NetworkRow): unknown[] {
  return [r.t_s, r.network, r.subnet, r.addresses_usable, r.addresses_used, r.tasks_unallocated, r.bytes];
}

/** The row of `cells`, by name. */
export function nodeRowOf(c: Readonly<NodeCells>): NodeRow {
  return { t_s: c[0], node: c[1], status: c[2], availability: c[3], cpu_util: c[4], mem_used_bytes: c[5], mem_capacity_bytes: c[6], tasks: c[7], net_tx_bytes: c[8], net_rx_bytes: c[9] };
}

/** networks.csv: one row per metrics window and overlay network. */
export interface NetworkRow {
  t_s: number;
  network: string;
  subnet: string;
  /** Addresses the subnet can give (its size minus network, broadcast and gateway). */
  addresses_usable: number;
  /** Addresses held at the window's end: tasks that have not stopped, service VIPs, nodes' load-balancer endpoints. */
  addresses_used: number;
  /** Tasks attached to the network still waiting for their addresses (NEW). */
  tasks_unallocated: number;
  /** Bytes the overlay carried between nodes in the window (on the wire, encapsulation included). */
  bytes: number;
}

/** elections.csv: one row per leader election. */
export interface ElectionRow {
  term: number;
  /** The first candidate of this term started campaigning. */
  started_s: number;
  /** The winner had a majority of votes. */
  elected_s: number;
  /** Every live manager had received the new leader's first heartbeat; null if that never happened. */
  known_s: number | null;
  leader: string;
  cause: string;
}

/** Column order of each CSV, as the README's "Outputs" lists it. */
export const TIMESERIES_COLUMNS = columnsOf<TimeseriesRow>()([
  "t_s",
  "service",
  "arrivals",
  "completed",
  "errors",
  "timeouts",
  "rejected",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "max_ms",
  "tasks_desired",
  "tasks_running",
  "tasks_starting",
  "tasks_pending",
  "restarts",
  "oom_kills",
  "unhealthy",
]);

export const NODE_COLUMNS = columnsOf<NodeRow>()([
  "t_s",
  "node",
  "status",
  "availability",
  "cpu_util",
  "mem_used_bytes",
  "mem_capacity_bytes",
  "tasks",
  "net_tx_bytes",
  "net_rx_bytes",
]);

export const NETWORK_COLUMNS = columnsOf<NetworkRow>()([
  "t_s",
  "network",
  "subnet",
  "addresses_usable",
  "addresses_used",
  "tasks_unallocated",
  "bytes",
]);

export const ELECTION_COLUMNS = columnsOf<ElectionRow>()([
  "term",
  "started_s",
  "elected_s",
  "known_s",
  "leader",
  "cause",
]);

/** Whole-run latency of a service's completed requests, in milliseconds. */
export interface LatencySummaryMs {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** SLO attainment of a service over the whole run. */
export interface SloSummary {
  /** The SLO's latency threshold. */
  latency_ms: number;
  /** The SLO's percentile, in percent (99 = p99). */
  percentile: number;
  /**
   * Fraction of the requests that ended (completed or failed) that completed within latency_ms
   * (6 decimals): a failed request misses the SLO. Null when no request ended.
   */
  attained: number | null;
  /**
   * Whether the `percentile` of all ended requests, failed ones counting as infinitely slow (same
   * rank rule as the quantiles), is <= latency_ms, from exact counts; null when none ended or
   * the service never ran all its desired tasks.
   */
  met: boolean | null;
  /**
   * The same over the requests that ended outside the faults' disruptions: each fault's windows
   * up to the service's recovery from it (faults.ts) are left out, but not a load spike's (it is
   * demand to serve). Present when the run injected a fault; `orchsim plan --recover-within` reads it.
   */
  outside_faults?: { attained: number | null; met: boolean | null };
}

export interface ServiceSummary {
  arrivals: number;
  completed: number;
  errors: number;
  timeouts: number;
  rejected: number;
  /** Latency of the completed requests; null when none completed. */
  latency_ms: LatencySummaryMs | null;
  slo: SloSummary;
  restarts: number;
  oom_kills: number;
  /** Containers found unhealthy by their health check. */
  unhealthy: number;
  /** Tasks at the end of the run (the last window's gauges). */
  tasks_desired: number;
  tasks_running: number;
  /** On their nodes and not yet running: accepted to starting, or waiting for their first healthy check. */
  tasks_starting: number;
  tasks_pending: number;
  /** Some window ended with every desired task running. When false, `slo.met` is null: a service that never ran as asked is not judged. */
  desired_reached: boolean;
}

/** What a fault did to one service (see faults.ts for the rules). */
export interface FaultServiceSummary {
  /** Outside its SLO in the window before the fault: not counted in the fault's recovery. */
  already_unhealthy: boolean;
  /** Outside its SLO in the window before the fault from an earlier fault's breach: counted in this fault's recovery, though not caused by it. */
  carried_over: boolean;
  /** Seconds from the fault to the end of the service's last unhealthy window; 0 if it had none; null if it never recovered. */
  recovered_s: number | null;
  /** Requests of the service that failed between the fault and the next one (or the end). */
  requests_lost: number;
  /** p99 of the requests completed from the fault until the service recovered; null if it was never unhealthy. */
  p99_during_ms: number | null;
  /** p99 of the requests completed after it recovered, until the next fault at a later instant or the end; null if it never recovered or none completed. */
  p99_after_ms: number | null;
}

export interface FaultSummary {
  /** When the injection fired. */
  t_s: number;
  /** The kind of event: nodeFailure, killLeader, loadSpike, ... */
  fault: string;
  /** What it hit, when there is one. */
  target: string | null;
  /** Seconds until the managers noticed: one of its nodes marked DOWN, or a new leader elected; null if nothing was noticed. */
  detected_s: number | null;
  /** What noticed it: "a-2 DOWN" or "manager-3 elected"; null with detected_s. */
  detected_by: string | null;
  /**
   * Seconds until memberlist, the data plane's gossip, declared the first of its nodes dead: until
   * then the other nodes' routing mesh and VIPs still send its tasks their share. It grows with
   * the log of the cluster's nodes. It is this fault's though it comes after the next one. null
   * when it crashed no node, or its nodes were back first; and for a partition (each side's
   * verdict on the other is not logged).
   */
  memberlist_dead_s: number | null;
  /**
   * Seconds until memberlist declared the last of its nodes dead (of those it declared: not one
   * back first, nor a verdict after the run's end): each node's first probe after the crash is
   * its own (network/gossip.ts), so a zone's nodes leave the routing mesh over a few seconds.
   * memberlist_dead_s for one node; null with it.
   */
  memberlist_last_dead_s: number | null;
  /**
   * Seconds until the managers marked the first of the nodes it crashed or cut off DOWN, which
   * starts their tasks' replacement: after detected_s when an election noticed the fault first
   * (a new leader waits out the nodes' heartbeats again). The crash's own though it comes after
   * the next fault; null when it took no node down or none was marked DOWN (back first).
   */
  down_s: number | null;
  /** Seconds from the injection until every service was healthy for good, with a leader; null if that never happened before the next fault at a later instant or the end. */
  recovered_s: number | null;
  /** The service whose recovery came last, or "leader" when the swarm's leader came back after every service; null when the fault was absorbed. */
  last_to_recover: string | null;
  /** Seconds until every service again ran all its desired tasks, after some did not; 0 if none fell short; null if never. */
  tasks_restored_s: number | null;
  /** Requests that failed between the fault and the next one (or the end), all services but those already outside their SLO before it (their own entries count theirs). */
  requests_lost: number;
  /** Of the windows outside their SLO: the most failed requests, then the latency furthest above the SLO (p99_ms null when nothing completed). */
  worst_window: { t_s: number; service: string; errors: number; p99_ms: number | null } | null;
  /** Per service, in the scenario's order. */
  services: Record<string, FaultServiceSummary>;
  /**
   * A rollingUpdate's own outcome (absent for other faults): the update's last state (as the
   * `service` events say it: updating, completed, paused, rollback_started, rollback_completed,
   * rollback_paused; or superseded, when the next rollingUpdate of the service came while it was
   * under way) and the seconds from the fault to it; null if it never started.
   */
  update?: { state: string; t_s: number } | null;
  /**
   * The error of the fault's call to the managers' API, present only when it failed (drain,
   * pause, activate, scale, rollingUpdate, removeNodes): "The swarm does not have a leader"
   * (nothing changed) or "context deadline exceeded" (it may still take effect).
   */
  api_error?: string;
}

/** An overlay network over the whole run. */
export interface NetworkSummary {
  vni: number;
  subnet: string;
  /** The MTU of the containers' interfaces on it. */
  mtu: number;
  encrypted: boolean;
  addresses_usable: number;
  /** The most addresses held at the end of any metrics window. */
  addresses_peak: number;
  /** Allocations that failed because the subnet was full (each task, VIP or node endpoint once). */
  allocation_failures: number;
  /** Bytes carried between nodes over the run. */
  bytes: number;
}

/** summary.json. Nothing in it depends on the wall clock. */
export interface Summary {
  scenario: string;
  description: string;
  seed: number;
  /** The fields set on the command line (`--set`, `--seed`), as PATH=VALUE in order: what made this run differ from the file. */
  overrides: string[];
  duration_s: number;
  /** Kernel events processed. */
  events: number;
  /** Keyed by service name, in the order the services were defined. */
  services: Record<string, ServiceSummary>;
  /** Number of leader elections (rows of elections.csv). */
  elections: number;
  faults: FaultSummary[];
  /** Keyed by network name, ingress first. */
  networks: Record<string, NetworkSummary>;
  notes: string[];
}

/**
 * Lets `columns` be checked against the row type at compile time: every entry must be a key,
 * and a key missing from the list turns the argument's type into `never`.
 */
function columnsOf<Row>() {
  return <const Cols extends readonly (keyof Row & string)[]>(
    columns: Cols & (Exclude<keyof Row, Cols[number]> extends never ? unknown : never),
  ): Cols => columns;
}
