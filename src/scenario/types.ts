// The validated, normalised scenario: what the loader hands to the simulation.
// Every unit is resolved here so that no other part parses strings:
//   durations  -> integer microseconds (suffix Us)
//   sizes      -> integer bytes        (suffix Bytes)
//   rates      -> requests per second  (suffix PerS, a float)
//   CPU        -> cores as a float     (suffix Cores; 0.5 = half a core)
//   fractions  -> 0..1 floats
// Every optional field of the YAML has its default filled in, so consumers never
// test for undefined except where "absent" means something (e.g. no healthcheck).

import type { DistributionSpec } from "../kernel/distributions.js";

export interface Scenario {
  version: 1;
  name: string;
  description: string;
  /** File the scenario came from (for messages); "<inline>" when built in code. */
  file: string;
  seed: number;
  durationUs: number;
  metrics: MetricsSpec;
  cluster: ClusterSpec;
  networks: NetworkSpec[];
  services: ServiceSpec[];
  workload: WorkloadSpec[];
  /** In file order (not sorted by time); same-time events should run in this order. */
  events: EventSpec[];
  /** What the loader read and will not simulate (fields of a stack file), one line each. */
  notes: string[];
  /** Where each strategy module was named (`file:line:col field`), by the name written: for messages. */
  strategyFields?: Record<string, string>;
  /** The fields set on the command line (`--set`, `--seed`, a sweep's `--vary`), as PATH=VALUE in order; absent when none. */
  overrides?: string[];
}

export interface MetricsSpec {
  intervalUs: number; // default 10s
  /** nodes.csv's rows come every this long: a whole number of windows (default: one window). */
  nodeIntervalUs: number;
  slo: SloSpec; // default 250ms, 99: every service's, unless it sets its own
}

/** A latency objective: `percentile` (in percent, 99 = p99) of requests within `latencyUs`. */
export interface SloSpec {
  latencyUs: number;
  percentile: number;
}

export interface RaftSpec {
  tickUs: number; // default 1s
  electionTicks: number; // default 10
  electionRandomTicks: number; // default = electionTicks
  heartbeatTicks: number; // default 1
  diskWriteUs: number; // default 1ms (an fsync); 0 = instant persistence
}

export interface SchedulerSpec {
  /** spread | binpack | random | a path to a user module (./x.js) */
  strategy: string;
  /** Opt-in periodic retry of pending tasks; 0 = Swarm's behaviour (no periodic retry). */
  retryIntervalUs: number;
}

export interface ManagersSpec {
  count: number; // default 1
  zones: string[]; // default ["default"]
  runTasks: boolean; // default true
  cpuCores: number; // default 2
  memoryBytes: number; // default 4GiB
  /** Never holds `zone`: node.labels.zone is each node's zone (the loader refuses it here). */
  labels: Record<string, string>;
  /** Image names already on the managers (see NodeGroupSpec.images). */
  images: string[];
  raft: RaftSpec;
}

export interface NodeGroupSpec {
  name: string;
  count: number;
  cpuCores: number;
  memoryBytes: number;
  zone: string; // default "default"
  /** Never holds `zone`: the simulation sets node.labels.zone from `zone`. */
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  generic: Record<string, number>;
  /** Image names already on the group's nodes when they join (baked into the machine image). */
  images: string[];
}

export interface FabricSpec {
  latency: { sameNodeUs: number; sameZoneUs: number; crossZoneUs: number }; // 20us, 100us, 1ms
  /** Each node's NIC, in each direction (full duplex). Default 10Gbps. */
  bandwidthBitsPerS: number;
  /** Each pair of zones shares a link of this capacity in each direction; 0 = not a bottleneck. */
  crossZoneBandwidthBitsPerS: number;
  /** The underlay's MTU: the largest packet the path between hosts carries (default 1500). */
  mtuBytes: number;
  /** CPU time to encrypt (or decrypt) one GB (1e9 bytes) of an encrypted overlay's traffic, at each end. */
  encryptionCpuUsPerGB: number;
}

/** The registry that images are pulled from, outside the cluster. */
export interface RegistrySpec {
  /** Its egress, shared by every pull; 0 = not a bottleneck. */
  bandwidthBitsPerS: number;
  /** One-way latency between the registry and any node. */
  latencyUs: number;
}

export interface ClusterSpec {
  scheduler: SchedulerSpec;
  managers: ManagersSpec;
  dispatcher: { heartbeatPeriodUs: number }; // default 5s
  nodeGroups: NodeGroupSpec[];
  network: FabricSpec;
  registry: RegistrySpec;
}

/**
 * An overlay network. `ingress` (the routing mesh's network) and `default` (where services
 * that list no network go, as `docker stack deploy` does) exist without being declared; a
 * declared network of either name configures it.
 */
export interface NetworkSpec {
  name: string;
  driver: "overlay";
  subnet: string | null; // null = the next free /24 of 10.0.0.0/8
  encrypted: boolean;
  /**
   * Docker's `com.docker.network.driver.mtu`: the underlay packet size the overlay is built for;
   * containers get this minus the VXLAN (and ESP) overhead. Default 1500, whatever the underlay.
   */
  mtuBytes: number;
  attachable: boolean;
}

/** Work and durations are drawn from the kernel's distributions; the scenario names them the same way. */
export type Distribution = DistributionSpec;

export interface PortSpec {
  published: number;
  target: number;
  protocol: "tcp" | "udp";
  mode: "ingress" | "host";
}

export interface ResourcesSpec {
  reservations: { cpuCores: number; memoryBytes: number; generic: Record<string, number> };
  /** 0 = no limit */
  limits: { cpuCores: number; memoryBytes: number };
}

export interface HealthcheckSpec {
  intervalUs: number; // 30s (Docker's default)
  timeoutUs: number; // 30s
  retries: number; // 3
  startPeriodUs: number; // 0
  /** The interval while the container is still starting, inside its start period (Docker Engine 25+). */
  startIntervalUs: number; // 5s
  /** CPU time of one check request (default 1ms). */
  cpuUs: number;
}

export interface RestartPolicySpec {
  condition: "none" | "on-failure" | "any";
  delayUs: number; // 5s
  maxAttempts: number; // 0 = unlimited
  windowUs: number; // 0 = unbounded
}

export interface UpdateSpec {
  parallelism: number; // 1 (0 = all at once)
  delayUs: number; // 0
  order: "stop-first" | "start-first";
  failureAction: "pause" | "continue" | "rollback";
  monitorUs: number; // 5s
  maxFailureRatio: number; // 0
}

export interface AutoscaleSpec {
  min: number;
  max: number;
  targetCpu: number; // fraction
  intervalUs: number; // 15s (the HPA's sync period)
  /** No change while utilisation / target is within 1 ± this (the HPA's 10%). */
  tolerance: number;
  /** A scale-down takes the highest recommendation of this window (the HPA's 5 minutes). */
  scaleDownStabilizationUs: number;
  /** A scale-up adds at most max(pods, percent of the replicas one period ago) per period (4, 100%, 15s). */
  scaleUpPods: number;
  scaleUpPercent: number; // fraction: 1 = 100%
  scaleUpPeriodUs: number;
  cooldownUs: number; // 0 (an orchsim extra; the HPA has none)
}

export interface ServiceSpec {
  name: string;
  /** Default "<name>:1"; a rollingUpdate may change it. Size 0 = not pulled over the network. */
  image: { name: string; sizeBytes: number };
  mode: "replicated" | "global";
  replicas: number; // replicated only; default 1 (autoscale.min with an autoscaler); 0 for global
  networks: string[];
  ports: PortSpec[];
  endpointMode: "vip" | "dnsrr";
  resources: ResourcesSpec;
  placement: {
    /** Canonical `KEY OP VALUE` with single spaces (e.g. "node.labels.disk == ssd"); read them
     * back with `parseConstraint` from the scenario folder. */
    constraints: string[];
    preferences: { spread: string }[];
    maxReplicasPerNode: number; // 0 = unlimited
  };
  /** Strategy override for this service; null = the cluster's. */
  strategy: string | null;
  startup: { pullUs: number; cpuUs: number; memoryBytes: number; failRate: number };
  runtime: { memoryBytes: number; concurrency: number; queue: number };
  request: {
    cpu: Distribution; // in microseconds of CPU time
    requestBytes: number;
    responseBytes: number;
    /** Downstream calls per request, in order; each gives up after `timeoutUs` (default 30s). */
    calls: { service: string; count: number; timeoutUs: number; dnsCacheUs: number }[];
    /** How clients connect to this service: a connection carries `reuse` requests (1 = one each). */
    connection: { reuse: number };
  };
  healthcheck: HealthcheckSpec | null;
  restartPolicy: RestartPolicySpec;
  /** How long a stopping container may finish its work before it is killed; default 10s. */
  stopGracePeriodUs: number;
  update: UpdateSpec;
  rollback: UpdateSpec;
  autoscale: AutoscaleSpec | null;
  /** Its SLO: `services[].slo`, each field defaulting to the scenario's `metrics.slo`. */
  slo: SloSpec;
}

export interface WorkloadSpec {
  name: string;
  service: string;
  ratePerS: number;
  arrival: "poisson" | "constant";
  /** random-node | round-robin | node:<name> */
  entry: { kind: "random-node" } | { kind: "round-robin" } | { kind: "node"; node: string };
  /** The nodes the external load balancer sends to: node or node-group names; [] = every node. */
  entryNodes: string[];
  /** The published port it reaches the service by; null = the service's first. */
  port: number | null;
  timeoutUs: number; // 0 = none (default 30s)
  retries: { max: number; backoffUs: number }; // default {0, 100ms}
  /**
   * The external load balancer's health checks of its nodes; absent = it knows at once which
   * nodes are down (the first versions' model). Absent rather than null, so that a workload
   * without it reads, and prints, exactly as before.
   */
  entryHealthcheck?: EntryHealthcheckSpec;
}

/** `workload[].entryHealthcheck`: a probe of each entry node every interval, as AWS and HAProxy run them. */
export interface EntryHealthcheckSpec {
  intervalUs: number;
  /** Consecutive failed probes that take a node out (HAProxy's `fall`). */
  unhealthyThreshold: number;
  /** Consecutive passing probes that put it back (HAProxy's `rise`). */
  healthyThreshold: number;
}

/** Every injection, with `at` and optional repetition. */
export interface EventSpec {
  atUs: number;
  everyUs: number; // 0 = once
  times: number; // 1 unless every is set (then default: as many as fit before the end)
  action: EventAction;
}

export type EventAction =
  | { type: "loadSpike"; workload: string; ratePerS: number; durationUs: number; rampUs: number }
  | { type: "scale"; service: string; replicas: number }
  | { type: "nodeFailure"; nodes: string[]; zones: string[]; recoverAfterUs: number } // zones: every host in them as it strikes; 0 = stays down
  | { type: "killLeader"; restartAfterUs: number } // 0 = stays down
  | { type: "killManager"; manager: string; restartAfterUs: number }
  | { type: "partition"; groups: string[][]; durationUs: number } // 0 = until the end
  | { type: "restartAll"; service: string }
  | { type: "drain"; node: string }
  | { type: "pause"; node: string }
  | { type: "activate"; node: string }
  /** `spec` is the service's whole new spec: the file's service with this event's changes (and
   * those of every earlier rollingUpdate of the service, in time order) merged in, normalised. */
  /** `force` defaults to true when the update changes nothing (else it would be a no-op). */
  | { type: "rollingUpdate"; service: string; spec: ServiceSpec; force: boolean }
  | { type: "addNodes"; group: string; count: number }
  | { type: "removeNodes"; nodes: string[] };

export type EventType = EventAction["type"];
