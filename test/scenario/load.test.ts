// Valid scenarios: what the loader hands to the simulation, units resolved and defaults filled.

import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { loadScenarioFile, parseConstraint, parseScenario, type EventAction, type Scenario } from "../../src/scenario/index.js";
import { scenarioYaml } from "../helpers.js";

const EXAMPLE = fileURLToPath(new URL("./fixtures/design-example.yaml", import.meta.url));
const MS = 1_000;
const S = 1_000_000;
const MIN = 60 * S;
const MIB = 2 ** 20;
const GIB = 2 ** 30;

function action<T extends EventAction["type"]>(s: Scenario, index: number, type: T): Extract<EventAction, { type: T }> {
  const a = s.events[index]?.action;
  if (a?.type !== type) throw new Error(`events[${index}] is ${a?.type}, not ${type}`);
  return a as Extract<EventAction, { type: T }>;
}

describe("the DESIGN.md example", () => {
  const s = loadScenarioFile(EXAMPLE);

  test("top level and metrics", () => {
    expect(s.version).toBe(1);
    expect(s.name).toBe("startup-storm");
    expect(s.description).toBe("what story this scenario tells");
    expect(s.file).toBe(EXAMPLE);
    expect(s.seed).toBe(42);
    expect(s.durationUs).toBe(30 * MIN);
    expect(s.metrics).toEqual({ intervalUs: 10 * S, nodeIntervalUs: 10 * S, slo: { latencyUs: 250 * MS, percentile: 99 } });
  });

  test("cluster", () => {
    const c = s.cluster;
    expect(c.scheduler).toEqual({ strategy: "spread", retryIntervalUs: 0 });
    expect(c.managers).toEqual({
      count: 3,
      zones: ["a", "b", "c"],
      runTasks: true,
      cpuCores: 4,
      memoryBytes: 8 * GIB,
      labels: {},
      images: [],
      raft: { tickUs: S, electionTicks: 10, electionRandomTicks: 10, heartbeatTicks: 1, diskWriteUs: MS },
    });
    expect(c.dispatcher).toEqual({ heartbeatPeriodUs: 5 * S });
    expect(c.nodeGroups).toEqual([
      { name: "web", count: 10, cpuCores: 4, memoryBytes: 8 * GIB, zone: "a", labels: { disk: "ssd" }, engineLabels: {}, generic: {}, images: [] },
      { name: "gpu", count: 2, cpuCores: 16, memoryBytes: 64 * GIB, zone: "b", labels: {}, engineLabels: {}, generic: { gpu: 4 }, images: [] },
    ]);
    expect(c.network).toEqual({
      latency: { sameNodeUs: 20, sameZoneUs: 100, crossZoneUs: MS },
      bandwidthBitsPerS: 10e9,
      crossZoneBandwidthBitsPerS: 0,
      mtuBytes: 1500,
      encryptionCpuUsPerGB: 4 * S,
    });
    // ingress exists without being declared; every service lists a network, so there is no `default`.
    expect(s.networks).toEqual([
      { name: "ingress", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
      { name: "backend", driver: "overlay", subnet: "10.0.1.0/24", encrypted: false, mtuBytes: 1500, attachable: false },
    ]);
  });

  test("the web service", () => {
    const web = s.services[0];
    expect(web?.name).toBe("web");
    expect(web).toMatchObject({
      image: { name: "web:1", sizeBytes: 0 },
      mode: "replicated",
      replicas: 12,
      networks: ["backend"],
      ports: [{ published: 80, target: 8000, protocol: "tcp", mode: "ingress" }],
      endpointMode: "vip",
      resources: {
        reservations: { cpuCores: 0.5, memoryBytes: 512 * MIB, generic: { gpu: 1 } },
        limits: { cpuCores: 1, memoryBytes: GIB },
      },
      placement: {
        constraints: ["node.labels.disk == ssd", "node.role == worker"],
        preferences: [{ spread: "node.labels.zone" }],
        maxReplicasPerNode: 2,
      },
      strategy: null,
      startup: { pullUs: 2 * S, cpuUs: 30 * S, memoryBytes: 900 * MIB, failRate: 0 },
      runtime: { memoryBytes: 300 * MIB, concurrency: 4, queue: 100 },
      request: {
        cpu: { kind: "exponential", mean: 20 * MS },
        requestBytes: 1024,
        responseBytes: 8 * 1024,
        calls: [{ service: "cache", count: 2 }],
        connection: { reuse: 1 },
      },
      healthcheck: { intervalUs: 10 * S, timeoutUs: 2 * S, retries: 3, startPeriodUs: 0, startIntervalUs: 5 * S, cpuUs: MS },
      restartPolicy: { condition: "any", delayUs: 5 * S, maxAttempts: 0, windowUs: 0 },
      update: { parallelism: 1, delayUs: 10 * S, order: "stop-first", failureAction: "pause", monitorUs: 5 * S, maxFailureRatio: 0 },
      rollback: { parallelism: 1, delayUs: 0, order: "stop-first", failureAction: "pause", monitorUs: 5 * S, maxFailureRatio: 0 },
      autoscale: { min: 4, max: 40, targetCpu: 0.7, intervalUs: 15 * S, cooldownUs: 60 * S },
    });
  });

  test("the cache service takes defaults", () => {
    const cache = s.services[1];
    expect(cache).toMatchObject({
      name: "cache",
      image: { name: "cache:1", sizeBytes: 0 },
      networks: ["backend"],
      replicas: 2,
      ports: [],
      healthcheck: null,
      autoscale: null,
      request: { cpu: { kind: "lognormal", mean: 2 * MS, cv: 0.5 }, requestBytes: 1024, responseBytes: 1024, calls: [], connection: { reuse: 1 } },
    });
  });

  test("workload", () => {
    expect(s.workload).toEqual([
      {
        name: "users",
        service: "web",
        ratePerS: 500,
        arrival: "poisson",
        entry: { kind: "random-node" },
        entryNodes: [],
        port: null,
        timeoutUs: 5 * S,
        retries: { max: 2, backoffUs: 100 * MS },
      },
    ]);
  });

  test("events, in file order", () => {
    expect(s.events.map((e) => [e.atUs, e.everyUs, e.times, e.action.type])).toEqual([
      [5 * MIN, 0, 1, "loadSpike"],
      [8 * MIN, 0, 1, "nodeFailure"],
      [9 * MIN, 0, 1, "killLeader"],
      [12 * MIN, 0, 1, "partition"],
      [15 * MIN, 0, 1, "scale"],
      [20 * MIN, 0, 1, "restartAll"],
      [25 * MIN, 0, 1, "drain"],
      [26 * MIN, 0, 1, "rollingUpdate"],
      [1 * MIN, 2 * S, 100, "killLeader"],
    ]);
    expect(action(s, 0, "loadSpike")).toEqual({ type: "loadSpike", workload: "users", ratePerS: 2000, durationUs: 10 * MIN, rampUs: 30 * S });
    expect(action(s, 1, "nodeFailure")).toEqual({ type: "nodeFailure", nodes: ["web-3"], zones: [], recoverAfterUs: 5 * MIN });
    expect(action(s, 2, "killLeader")).toEqual({ type: "killLeader", restartAfterUs: 0 });
    expect(action(s, 3, "partition")).toEqual({ type: "partition", groups: [["manager-1"], ["manager-2", "manager-3"]], durationUs: MIN });
    expect(action(s, 4, "scale")).toEqual({ type: "scale", service: "web", replicas: 30 });
    expect(action(s, 6, "drain")).toEqual({ type: "drain", node: "web-1" });
    const update = action(s, 7, "rollingUpdate");
    expect(update.force).toBe(true); // it changes nothing, so it must be forced to do anything
    expect(update.spec).toEqual(s.services[0]);
    expect(action(s, 8, "killLeader")).toEqual({ type: "killLeader", restartAfterUs: S });
  });

  test("is the same object every time (no hidden state)", () => {
    expect(loadScenarioFile(EXAMPLE)).toEqual(s);
  });
});

describe("--set overrides", () => {
  test("the DESIGN.md examples", () => {
    const s = loadScenarioFile(EXAMPLE, [
      "cluster.nodeGroups.web.count=20",
      "services.web.replicas=30",
      "workload.users.rate=900/s",
    ]);
    expect(s.cluster.nodeGroups[0]?.count).toBe(20);
    expect(s.services[0]?.replicas).toBe(30);
    expect(s.workload[0]?.ratePerS).toBe(900);
    // The rolling update's spec is the service as overridden.
    expect(action(s, 7, "rollingUpdate").spec.replicas).toBe(30);
  });

  test("values are YAML: numbers, lists, maps; by index in unnamed lists; later wins", () => {
    const s = loadScenarioFile(EXAMPLE, [
      "events.0.at=2m",
      "services.web.networks=[]",
      "services.cache.healthcheck={interval: 5s}",
      "cluster.managers.zones=[x, y]",
      "seed=7",
      "seed=8",
    ]);
    expect(s.events[0]?.atUs).toBe(2 * MIN);
    expect(s.services[0]?.networks).toEqual([]);
    expect(s.services[1]?.healthcheck).toEqual({ intervalUs: 5 * S, timeoutUs: 30 * S, retries: 3, startPeriodUs: 0, startIntervalUs: 5 * S, cpuUs: MS });
    expect(s.cluster.managers.zones).toEqual(["x", "y"]);
    expect(s.seed).toBe(8);
  });

  test("missing maps are created, and an event can be appended", () => {
    const s = parseScenario(MINIMAL, "min.yaml", [
      "cluster.managers.raft.tick=2s",
      "events.0={at: 1m, killLeader: {}}",
      "services.web.resources.limits.memory=1GiB",
    ]);
    expect(s.cluster.managers.raft.tickUs).toBe(2 * S);
    expect(s.cluster.managers.count).toBe(1);
    expect(s.events).toEqual([{ atUs: MIN, everyUs: 0, times: 1, action: { type: "killLeader", restartAfterUs: 0 } }]);
    expect(s.services[0]?.resources.limits.memoryBytes).toBe(GIB);
  });
});

const MINIMAL = scenarioYaml({ name: "tiny", duration: "1h" }, `
services:
  - name: web
`);

describe("defaults", () => {
  test("a file with only the required fields (managers run the tasks)", () => {
    const s = parseScenario(MINIMAL, "min.yaml");
    const expected: Scenario = {
      version: 1,
      name: "tiny",
      description: "",
      file: "min.yaml",
      seed: 1,
      durationUs: 3600 * S,
      metrics: { intervalUs: 10 * S, nodeIntervalUs: 10 * S, slo: { latencyUs: 250 * MS, percentile: 99 } },
      cluster: {
        scheduler: { strategy: "spread", retryIntervalUs: 0 },
        managers: {
          count: 1,
          zones: ["default"],
          runTasks: true,
          cpuCores: 2,
          memoryBytes: 4 * GIB,
          labels: {},
          images: [],
          raft: { tickUs: S, electionTicks: 10, electionRandomTicks: 10, heartbeatTicks: 1, diskWriteUs: MS },
        },
        dispatcher: { heartbeatPeriodUs: 5 * S },
        nodeGroups: [],
        network: {
          latency: { sameNodeUs: 20, sameZoneUs: 100, crossZoneUs: MS },
          bandwidthBitsPerS: 10e9,
          crossZoneBandwidthBitsPerS: 0,
          mtuBytes: 1500,
          encryptionCpuUsPerGB: 4 * S,
        },
        registry: { bandwidthBitsPerS: 0, latencyUs: 10 * MS },
      },
      // ingress always exists; `default` because the service lists no network, as in a stack.
      networks: [
        { name: "ingress", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
        { name: "default", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
      ],
      services: [
        {
          name: "web",
          image: { name: "web:1", sizeBytes: 0 },
          mode: "replicated",
          replicas: 1,
          networks: ["default"],
          ports: [],
          endpointMode: "vip",
          resources: { reservations: { cpuCores: 0, memoryBytes: 0, generic: {} }, limits: { cpuCores: 0, memoryBytes: 0 } },
          placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
          strategy: null,
          startup: { pullUs: 0, cpuUs: 0, memoryBytes: 0, failRate: 0 },
          runtime: { memoryBytes: 0, concurrency: 1, queue: 128 },
          request: { cpu: { kind: "exponential", mean: 10 * MS }, requestBytes: 1024, responseBytes: 1024, calls: [], connection: { reuse: 1 } },
          healthcheck: null,
          restartPolicy: { condition: "any", delayUs: 5 * S, maxAttempts: 0, windowUs: 0 },
          stopGracePeriodUs: 10 * S,
          update: { parallelism: 1, delayUs: 0, order: "stop-first", failureAction: "pause", monitorUs: 5 * S, maxFailureRatio: 0 },
          rollback: { parallelism: 1, delayUs: 0, order: "stop-first", failureAction: "pause", monitorUs: 5 * S, maxFailureRatio: 0 },
          autoscale: null,
          slo: { latencyUs: 250 * MS, percentile: 99 },
        },
      ],
      workload: [],
      events: [],
      notes: [],
      strategyFields: {},
    };
    expect(s).toEqual(expected);
  });

  test("optional sections given empty take their defaults", () => {
    const s = parseScenario(MINIMAL + "    healthcheck: {}\n    autoscale: {max: 5}\nworkload: []\nevents: []\n", "min.yaml");
    expect(s.services[0]?.healthcheck).toEqual({ intervalUs: 30 * S, timeoutUs: 30 * S, retries: 3, startPeriodUs: 0, startIntervalUs: 5 * S, cpuUs: MS });
    expect(s.services[0]?.autoscale).toEqual({ min: 1, max: 5, targetCpu: 0.7, intervalUs: 15 * S, tolerance: 0.1, scaleDownStabilizationUs: 300 * S, scaleUpPods: 4, scaleUpPercent: 1, scaleUpPeriodUs: 15 * S, cooldownUs: 0 });
  });

  test("workload defaults", () => {
    const s = parseScenario(MINIMAL + "    ports: [{published: 80, target: 80}]\nworkload: [{name: u, service: web, rate: 30/m}]\n", "min.yaml");
    expect(s.workload[0]).toEqual({
      name: "u",
      service: "web",
      ratePerS: 0.5,
      arrival: "poisson",
      entry: { kind: "random-node" },
      entryNodes: [],
      port: null,
      timeoutUs: 30 * S,
      retries: { max: 0, backoffUs: 100 * MS },
    });
  });

  test("the entry's health check: absent by default (the workload has no such key); thresholds default to HAProxy's fall 3, rise 2", () => {
    const yaml = (check: string) => MINIMAL + `    ports: [{published: 80, target: 80}]\nworkload: [{name: u, service: web, rate: 30/m${check}}]\n`;
    expect(Object.keys(parseScenario(yaml(""), "min.yaml").workload[0]!)).not.toContain("entryHealthcheck");
    expect(parseScenario(yaml(", entryHealthcheck: {interval: 10s}"), "min.yaml").workload[0]!.entryHealthcheck).toEqual({ intervalUs: 10 * S, unhealthyThreshold: 3, healthyThreshold: 2 });
    const given = parseScenario(yaml(", entryHealthcheck: {interval: 5s, unhealthyThreshold: 2, healthyThreshold: 5}"), "min.yaml");
    expect(given.workload[0]!.entryHealthcheck).toEqual({ intervalUs: 5 * S, unhealthyThreshold: 2, healthyThreshold: 5 });
    // --set reaches it as any other field.
    const set = parseScenario(yaml(""), "min.yaml", ["workload.u.entryHealthcheck.interval=30s"]);
    expect(set.workload[0]!.entryHealthcheck).toEqual({ intervalUs: 30 * S, unhealthyThreshold: 3, healthyThreshold: 2 });
  });

  test("replicas: autoscale.min with an autoscaler, 0 for a global service", () => {
    const s = parseScenario(MINIMAL + "    autoscale: {min: 3, max: 9}\n  - {name: agent, mode: global}\n", "min.yaml");
    expect(s.services.map((x) => x.replicas)).toEqual([3, 0]);
  });
});

describe("normalisation", () => {
  test("request CPU distributions keep the mean and cv", () => {
    const s = parseScenario(
      `${MINIMAL}    request: {cpu: 10ms, distribution: normal, cv: 0.5}
  - {name: a, request: {cpu: 12ms, distribution: uniform, cv: 0.5}}
  - {name: b, request: {cpu: 4ms, distribution: constant}}
`,
      "d.yaml",
    );
    expect(s.services[0]?.request.cpu).toEqual({ kind: "normal", mean: 10 * MS, sd: 5 * MS });
    const u = s.services[1]?.request.cpu;
    expect(u?.kind).toBe("uniform");
    if (u?.kind !== "uniform") return;
    expect(u.min).toBeCloseTo(12 * MS * (1 - Math.sqrt(3) * 0.5), 6);
    expect(u.max).toBeCloseTo(12 * MS * (1 + Math.sqrt(3) * 0.5), 6);
    expect(s.services[2]?.request.cpu).toEqual({ kind: "constant", mean: 4 * MS });
  });

  test("constraints are written back in one canonical form that parseConstraint reads", () => {
    const s = parseScenario(`${MINIMAL}    placement: {constraints: ["node.labels.disk==ssd", "engine.labels.os  !=  windows 11"]}\n`, "c.yaml");
    expect(s.services[0]?.placement.constraints).toEqual(["node.labels.disk == ssd", "engine.labels.os != windows 11"]);
    expect(parseConstraint("engine.labels.os != windows 11")).toEqual({ key: "engine.labels.os", op: "!=", value: "windows 11" });
  });

  test("every without times repeats until the end of the run", () => {
    const s = parseScenario(
      `${MINIMAL}events:
  - {at: 1m, every: 2m, killLeader: {}}
  - {at: 59m, every: 2m, killLeader: {}}
`,
      "e.yaml",
    );
    // 1m, 3m, ..., 59m: 30 firings before 1h; one at 59m. (One at the very end is refused:
    // it would strike after the last window closed; bad-scenarios.test.ts.)
    expect(s.events.map((e) => e.times)).toEqual([30, 1]);
  });

  test("nodes that addNodes creates later may be named by events", () => {
    const s = parseScenario(
      `${MINIMAL}cluster:
  nodeGroups: [{name: web, count: 2, cpu: 2, memory: 4GiB}]
workload: []
events:
  - {at: 1m, every: 1m, times: 2, addNodes: {group: web, count: 3}}
  - {at: 5m, nodeFailure: {nodes: [web-8, manager-1]}}
  - {at: 6m, removeNodes: {nodes: [web-1]}}
`,
      "n.yaml",
    );
    expect(action(s, 1, "nodeFailure").nodes).toEqual(["web-8", "manager-1"]);
  });

  test("YAML anchors, aliases and merge keys", () => {
    const s = parseScenario(
      scenarioYaml({ name: "anchors", duration: "1m" }, `
services:
  - name: web
    resources: &res {reservations: {cpu: 1}}
    <<: &common {replicas: 3, image: "shop:2"}
  - {name: api, resources: *res, <<: *common, replicas: 5}
`),
      "a.yaml",
    );
    expect(s.services.map((x) => [x.name, x.replicas, x.image.name, x.resources.reservations.cpuCores])).toEqual([
      ["web", 3, "shop:2", 1],
      ["api", 5, "shop:2", 1],
    ]);
  });
});

describe("rolling updates", () => {
  const text = `${MINIMAL}    image: shop:1
    resources: {reservations: {cpu: 0.5, memory: 256MiB}, limits: {cpu: 1}}
  - name: api
events:
  - {at: 20m, rollingUpdate: {service: web, runtime: {concurrency: 8}}}
  - {at: 10m, rollingUpdate: {service: web, image: "shop:2", resources: {limits: {memory: 1GiB}}}}
  - {at: 30m, rollingUpdate: {service: api, force: false}}
  - {at: 20m, rollingUpdate: {service: web, force: true, image: "shop:3"}}
`;
  const s = parseScenario(text, "r.yaml");

  test("each spec has every earlier change of its service, by time then file order", () => {
    const first = action(s, 1, "rollingUpdate"); // 10m
    expect(first.spec.image.name).toBe("shop:2");
    expect(first.spec.resources).toEqual({
      reservations: { cpuCores: 0.5, memoryBytes: 256 * MIB, generic: {} },
      limits: { cpuCores: 1, memoryBytes: GIB },
    });
    expect(first.spec.runtime.concurrency).toBe(1);
    expect(first.force).toBe(false);

    const second = action(s, 0, "rollingUpdate"); // 20m, first in the file at 20m
    expect(second.spec.image.name).toBe("shop:2");
    expect(second.spec.runtime.concurrency).toBe(8);
    expect(second.spec.resources.limits.memoryBytes).toBe(GIB);

    const third = action(s, 3, "rollingUpdate"); // 20m, later in the file
    expect(third.spec.image.name).toBe("shop:3");
    expect(third.spec.runtime.concurrency).toBe(8);
    expect(third.force).toBe(true);
  });

  test("the services themselves are unchanged", () => {
    expect(s.services[0]?.image.name).toBe("shop:1");
    expect(s.services[0]?.resources.limits.memoryBytes).toBe(0);
  });

  test("force is as written when given", () => {
    const api = action(s, 2, "rollingUpdate");
    expect(api.force).toBe(false);
    expect(api.spec).toEqual(s.services[1]);
  });
});

describe("--set on the networks that exist without being declared", () => {
  const base = scenarioYaml({ name: "n", duration: "1m" }, `
cluster:
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 1GiB}]
services: [{name: web, ports: [{published: 80, target: 80}]}]
`);
  const net = (s: Scenario, name: string) => s.networks.find((n) => n.name === name)!;

  test("declares ingress or default, as writing them in the file would", () => {
    expect(net(parseScenario(base, "n.yaml", ["networks.ingress.subnet=10.0.0.0/20"]), "ingress").subnet).toBe("10.0.0.0/20");
    expect(net(parseScenario(base, "n.yaml", ["networks.default.encrypted=true"]), "default").encrypted).toBe(true);
    // In a file that declares other networks, too; and the same as the file's own declaration.
    const withList = base + "networks: [{name: back}]\n";
    const set = parseScenario(withList, "n.yaml", ["networks.ingress.subnet=10.0.0.0/20"]);
    expect(set.networks).toEqual(parseScenario(base + "networks: [{name: back}, {name: ingress, subnet: 10.0.0.0/20}]\n", "n.yaml").networks);
  });

  test("another network's name is still refused", () => {
    expect(() => parseScenario(base + "networks: [{name: back}]\n", "n.yaml", ["networks.front.subnet=10.9.0.0/24"])).toThrow(/no network named "front" \(known: back\)/);
  });
});
