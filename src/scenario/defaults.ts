// Every default of the scenario format, in normalised units, in one place. The README's scenario
// reference lists the same table; change both together. Timings of the control plane are
// Swarm's and etcd's own defaults, so that an unconfigured cluster behaves like a real one.

const MS = 1_000;
const S = 1_000_000;
const KIB = 1024;
const GIB = 1024 ** 3;

export const DEFAULTS = {
  seed: 1,
  description: "",
  metrics: {
    intervalUs: 10 * S,
    sloLatencyUs: 250 * MS,
    sloPercentile: 99,
  },
  scheduler: {
    strategy: "spread", // Swarm's only strategy
    retryIntervalUs: 0, // 0 = Swarm's behaviour: pending tasks wait for a change, no timer
  },
  managers: {
    count: 1,
    zones: ["default"] as readonly string[],
    runTasks: true, // Swarm managers are also workers unless drained
    cpuCores: 2,
    memoryBytes: 4 * GIB,
  },
  raft: {
    tickUs: 1 * S, // swarmkit: 1s tick
    electionTicks: 10, // swarmkit: ElectionTick 10
    // electionRandomTicks defaults to electionTicks (etcd randomises in [election, 2*election)).
    heartbeatTicks: 1, // swarmkit: HeartbeatTick 1
    diskWriteUs: 1 * MS, // an fsync on an SSD
  },
  dispatcher: { heartbeatPeriodUs: 5 * S }, // swarmkit: DefaultHeartBeatPeriod
  nodeGroup: { zone: "default" },
  fabric: {
    sameNodeUs: 20, // loopback / veth hop
    sameZoneUs: 100, // one switch hop in a data centre
    crossZoneUs: 1 * MS, // between availability zones of a region
    bandwidthBitsPerS: 10e9, // each node's NIC, each direction
    crossZoneBandwidthBitsPerS: 0, // 0 = links between zones are not a bottleneck
    mtuBytes: 1500, // Ethernet
    // IPsec ESP (AES-GCM) in the kernel: one core encrypts about 2 Gbit/s. Derived from the
    // throughput users report on encrypted overlays, not measured here.
    encryptionCpuUsPerGB: 4 * S,
  },
  registry: {
    bandwidthBitsPerS: 0, // 0 = the registry's egress is not a bottleneck
    latencyUs: 10 * MS, // a registry in the same cloud region
  },
  network: {
    driver: "overlay" as const,
    subnet: null,
    encrypted: false,
    // libnetwork's overlay driver assumes a 1500-byte underlay unless told otherwise
    // (drivers/overlay: maxMTU), whatever the hosts' interfaces are.
    mtuBytes: 1500,
    attachable: false,
  },
  service: {
    mode: "replicated" as const,
    replicas: 1,
    endpointMode: "vip" as const, // Swarm's default
    maxReplicasPerNode: 0, // 0 = unlimited
    stopGracePeriodUs: 10_000_000, // docker stop's 10 s before SIGKILL
  },
  port: { protocol: "tcp" as const, mode: "ingress" as const },
  image: { sizeBytes: 0 }, // 0 = the image is not pulled over the network
  startup: { pullUs: 0, cpuUs: 0, memoryBytes: 0, failRate: 0 },
  runtime: {
    memoryBytes: 0,
    concurrency: 1, // one request at a time per container, like a single-worker server
    queue: 128, // a common listen backlog
  },
  request: {
    cpuUs: 10 * MS,
    distribution: "exponential" as const,
    cv: 1, // used by lognormal, normal and uniform only
    requestBytes: 1 * KIB,
    responseBytes: 1 * KIB,
    callCount: 1,
    /** A caller gives up on a call after this long (the usual HTTP client default). */
    callTimeoutUs: 30_000_000,
    /**
     * How long a caller keeps a dnsrr service's DNS answer: not at all, as glibc, musl, Go and
     * Node resolve each time (Java keeps it 30 s; a resolver that honours the embedded DNS
     * server's TTL, 600 s).
     */
    callDnsCacheUs: 0,
    connectionReuse: 1, // a new connection (and load-balancing decision) per request
  },
  healthcheck: {
    // Docker's defaults for HEALTHCHECK.
    intervalUs: 30 * S,
    timeoutUs: 30 * S,
    retries: 3,
    startPeriodUs: 0,
    startIntervalUs: 5 * S, // Docker Engine 25+: the interval while starting, inside the start period
    cpuUs: 1 * MS,
  },
  restartPolicy: {
    condition: "any" as const, // Swarm's default
    delayUs: 5 * S, // Swarm's default restart delay
    maxAttempts: 0, // 0 = unlimited
    windowUs: 0, // 0 = unbounded
  },
  update: {
    // Swarm's UpdateConfig defaults (rollback uses the same).
    parallelism: 1,
    delayUs: 0,
    order: "stop-first" as const,
    failureAction: "pause" as const,
    monitorUs: 5 * S,
    maxFailureRatio: 0,
  },
  autoscale: {
    min: 1,
    targetCpu: 0.7,
    intervalUs: 15 * S, // the Kubernetes HPA's sync period
    tolerance: 0.1, // --horizontal-pod-autoscaler-tolerance
    scaleDownStabilizationUs: 300 * S, // behavior.scaleDown.stabilizationWindowSeconds
    scaleUpPods: 4, // behavior.scaleUp.policies: {type: Pods, value: 4, periodSeconds: 15}
    scaleUpPercent: 1, // and {type: Percent, value: 100, periodSeconds: 15}, selectPolicy Max
    scaleUpPeriodUs: 15 * S,
    cooldownUs: 0, // the HPA has none
  },
  workload: {
    arrival: "poisson" as const,
    entry: "random-node",
    timeoutUs: 30 * S, // 0 = no client timeout
    retriesMax: 0,
    retryBackoffUs: 100 * MS,
    // The balancer's health checks, when a workload has them: HAProxy's `fall 3` and `rise 2`
    // (AWS's TCP and HTTP target groups: unhealthy 2, healthy 5; its NLBs took 3 and 3 before).
    // The interval has no default: HAProxy's 2 s and AWS's 30 s differ fifteenfold.
    entryUnhealthyThreshold: 3,
    entryHealthyThreshold: 2,
  },
  event: {
    everyUs: 0, // 0 = fires once
    times: 1, // with `every`: as many as fit before the end of the run
  },
  actions: {
    spikeDurationUs: 0, // loadSpike.duration: 0 = until the end of the run
    rampUs: 0, // loadSpike.ramp: 0 = the rate jumps
    recoverAfterUs: 0, // nodeFailure: 0 = the nodes stay down
    restartAfterUs: 0, // killLeader / killManager: 0 = stays down
    partitionDurationUs: 0, // 0 = until the end of the run
  },
} as const;

/** Names of the placement strategies built into the scheduler. */
export const BUILT_IN_STRATEGIES = ["spread", "binpack", "random"] as const;

/** Limits on the size of what a scenario can ask for (TigerBeetle: put a limit on everything). */
export const LIMITS = {
  fileBytes: 1024 * 1024,
  count: 100_000, // node groups, replicas, addNodes, autoscale max
  nodesTotal: 100_000, // managers + every worker, including those added by events
  managers: 99, // Raft voters; beyond this an election storm is all one would measure
  cpuWorkUs: 24 * 3600e6, // one start-up, request or health check: 24h of CPU (1,000 days at 1m)
} as const;
