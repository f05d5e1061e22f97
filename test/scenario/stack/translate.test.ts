// Every Compose field the translator reads, and where it lands in the ServiceSpec or NetworkSpec,
// in the scenario's units; then how the scenario's own `services` entries, `x-orchsim` and
// `--set` combine with what the stack says.

import { describe, expect, test } from "vitest";
import { folders, GIB, load, MIB, MS, stackScenarioYaml, service, S, SCENARIO, STACK, type Vars } from "./helpers.js";

const write = folders();

function loadStack(stack: string, rest = "", env: Vars = {}, overrides: readonly string[] = []): ReturnType<typeof load> {
  return load(write({ [SCENARIO]: stackScenarioYaml(undefined, rest), [STACK]: stack }), env, overrides);
}

const FULL = `version: "3.8"
services:
  web:
    image: registry.example.com/shop/web:1.4
    deploy:
      mode: replicated
      replicas: 3
      endpoint_mode: dnsrr
      resources:
        limits: {cpus: "0.5", memory: 1g}
        reservations:
          cpus: 0.25
          memory: 512M
          generic_resources:
            - discrete_resource_spec: {kind: gpu, value: 2}
            - discrete_resource_spec: {kind: fpga, value: 1}
      placement:
        constraints: ["node.role==worker", node.labels.disk == ssd]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 2
      restart_policy: {condition: on-failure, delay: 1m30s, max_attempts: 3, window: 2m}
      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.25, order: start-first}
      rollback_config: {parallelism: 0, delay: 500ms, failure_action: continue, monitor: 1m, max_failure_ratio: 0.5, order: stop-first}
    healthcheck: {interval: 10s, timeout: 3s, retries: 5, start_period: 20s, start_interval: 2s}
    stop_grace_period: 1m
    networks: [front, back]
  agent:
    image: agent:2
    deploy:
      mode: global
      resources:
        limits: {memory: 1.5gb}
    networks:
      back:
      front: {}
  plain:
    image: plain:3
networks:
  front:
    driver_opts: {encrypted: "", com.docker.network.driver.mtu: "1400"}
    ipam: {config: [{subnet: 10.5.0.0/24}]}
    attachable: true
  back:
    driver: overlay
`;

describe("a service's fields", () => {
  const s = loadStack(FULL);
  const web = service(s, "web");
  const agent = service(s, "agent");
  const plain = service(s, "plain");

  test("image, mode, replicas and endpoint mode", () => {
    expect(web.image.name).toBe("registry.example.com/shop/web:1.4");
    expect([web.mode, web.replicas, web.endpointMode]).toEqual(["replicated", 3, "dnsrr"]);
    expect([agent.mode, agent.replicas, agent.endpointMode]).toEqual(["global", 0, "vip"]);
    expect([plain.mode, plain.replicas, plain.endpointMode]).toEqual(["replicated", 1, "vip"]);
  });

  test("resources: cpus as text or number, memory in go-units sizes (powers of 1024), generic resources", () => {
    expect(web.resources).toEqual({
      limits: { cpuCores: 0.5, memoryBytes: GIB },
      reservations: { cpuCores: 0.25, memoryBytes: 512 * MIB, generic: { gpu: 2, fpga: 1 } },
    });
    expect(agent.resources.limits).toEqual({ cpuCores: 0, memoryBytes: 1.5 * GIB });
    expect(plain.resources).toEqual({ limits: { cpuCores: 0, memoryBytes: 0 }, reservations: { cpuCores: 0, memoryBytes: 0, generic: {} } });
  });

  test("placement: constraints in canonical form, preferences, max replicas per node", () => {
    expect(web.placement).toEqual({
      constraints: ["node.role == worker", "node.labels.disk == ssd"],
      preferences: [{ spread: "node.labels.zone" }],
      maxReplicasPerNode: 2,
    });
    expect(plain.placement).toEqual({ constraints: [], preferences: [], maxReplicasPerNode: 0 });
  });

  test("restart_policy: durations in microseconds", () => {
    expect(web.restartPolicy).toEqual({ condition: "on-failure", delayUs: 90 * S, maxAttempts: 3, windowUs: 120 * S });
    expect(plain.restartPolicy).toEqual({ condition: "any", delayUs: 5 * S, maxAttempts: 0, windowUs: 0 });
  });

  test("update_config and rollback_config", () => {
    expect(web.update).toEqual({ parallelism: 2, delayUs: 10 * S, failureAction: "rollback", monitorUs: 30 * S, maxFailureRatio: 0.25, order: "start-first" });
    expect(web.rollback).toEqual({ parallelism: 0, delayUs: 500 * MS, failureAction: "continue", monitorUs: 60 * S, maxFailureRatio: 0.5, order: "stop-first" });
  });

  test("a monitor of 0 is Swarm's default, 5 s (Docker does not send a zero one), with a note", () => {
    const s = loadStack(`services:\n  web:\n    image: web:1\n    deploy:\n      update_config: {monitor: 0s, delay: 0s}\n      rollback_config: {monitor: "0"}\n`);
    expect([service(s, "web").update.monitorUs, service(s, "web").update.delayUs, service(s, "web").rollback.monitorUs]).toEqual([5 * S, 0, 5 * S]);
    expect(s.notes).toHaveLength(2);
    expect(s.notes[0]).toMatch(/docker-stack\.yml:5: deploy\.update_config\.monitor: 0 is Swarm's default, 5 s: Docker does not send a zero monitor \(service web\)$/);
    expect(s.notes[1]).toMatch(/docker-stack\.yml:6: deploy\.rollback_config\.monitor: 0 is Swarm's default/);
  });

  test("healthcheck, and stop_grace_period (10 s when absent)", () => {
    expect(web.healthcheck).toEqual({ intervalUs: 10 * S, timeoutUs: 3 * S, retries: 5, startPeriodUs: 20 * S, startIntervalUs: 2 * S, cpuUs: MS });
    expect(plain.healthcheck).toBeNull();
    expect(web.stopGracePeriodUs).toBe(60 * S);
    expect(plain.stopGracePeriodUs).toBe(10 * S);
  });

  test("service networks in list and map form; a service with none is on `default`", () => {
    expect(web.networks).toEqual(["front", "back"]);
    expect(agent.networks).toEqual(["back", "front"]);
    expect(plain.networks).toEqual(["default"]);
  });

  test("top-level networks: encrypted, MTU, subnet, attachable", () => {
    expect(s.networks).toEqual([
      { name: "ingress", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
      { name: "front", driver: "overlay", subnet: "10.5.0.0/24", encrypted: true, mtuBytes: 1400, attachable: true },
      { name: "back", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
      { name: "default", driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500, attachable: false },
    ]);
    expect(s.notes).toEqual([]);
  });

  test("encrypted: \"false\" still encrypts, as in Docker, and says so", () => {
    const net = loadStack(`services:\n  web: {image: a:1, networks: [back]}\nnetworks:\n  back:\n    driver_opts: {encrypted: "false"}\n`);
    expect(net.networks.find((n) => n.name === "back")!.encrypted).toBe(true);
    expect(net.notes).toEqual([expect.stringMatching(/:5: networks\.back\.driver_opts\.encrypted: "false" still encrypts the network: Docker reads that the option is there, not its value \(remove it for no encryption\)/)]);
  });
});

describe("units Compose writes and the scenario does not", () => {
  test("Go durations: ns, µs, fractions without a leading digit, 0", () => {
    const web = service(loadStack(`services:
  web:
    image: web:1
    healthcheck: {interval: 2500000ns, timeout: 1500µs, start_period: .5s, retries: 1}
    deploy:
      restart_policy: {delay: "0", window: 1h2m3s}
`), "web");
    expect(web.healthcheck).toMatchObject({ intervalUs: 2500, timeoutUs: 1500, startPeriodUs: 500 * MS });
    expect(web.restartPolicy).toMatchObject({ delayUs: 0, windowUs: 3723 * S });
  });

  test.each([
    ["512M", 512 * MIB],
    ["512m", 512 * MIB],
    ["1g", GIB],
    ["1.5gb", 1.5 * GIB],
    ["2GiB", 2 * GIB],
    ["64k", 64 * 1024],
    ['"1048576"', MIB],
  ])("memory %s", (text, bytes) => {
    const web = service(loadStack(`services:\n  web:\n    image: web:1\n    deploy:\n      resources:\n        limits: {memory: ${text}}\n`), "web");
    expect(web.resources.limits.memoryBytes).toBe(bytes);
  });
});

describe("a disabled health check is no health check", () => {
  test.each([
    ["disable: true", "{disable: true, interval: 5s}"],
    ['disable: "true"', '{disable: "true"}'],
    ['test: ["NONE"]', '{test: ["NONE"], interval: 5s}'],
  ])("%s", (_name, hc) => {
    const s = loadStack(`services:\n  web:\n    image: web:1\n    healthcheck: ${hc}\n`);
    expect(service(s, "web").healthcheck).toBeNull();
    expect(s.notes).toEqual([]);
  });

  test('test: NONE written as text is a shell command, as docker/cli reads it: the check stays', () => {
    const s = loadStack(`services:\n  web:\n    image: web:1\n    healthcheck: {test: NONE, retries: 2}\n`);
    expect(service(s, "web").healthcheck).toMatchObject({ retries: 2 });
  });

  test("interval, timeout and retries of 0 mean Docker's defaults, as Docker reads them", () => {
    const s = loadStack(`services:\n  web:\n    image: web:1\n    healthcheck: {interval: 0s, timeout: "0", retries: 0}\n`);
    expect(service(s, "web").healthcheck).toMatchObject({ intervalUs: 30 * S, timeoutUs: 30 * S, retries: 3 });
  });

  test("disable: false keeps it", () => {
    const s = loadStack(`services:\n  web:\n    image: web:1\n    healthcheck: {disable: false, retries: 2}\n`);
    expect(service(s, "web").healthcheck).toMatchObject({ retries: 2 });
  });
});

const TWO = `services:
  web:
    image: web:1
    deploy: {replicas: 3, resources: {limits: {cpus: "1"}}}
    x-orchsim:
      request: {cpu: 5ms}
      runtime: {concurrency: 8}
  worker:
    image: worker:1
    x-orchsim:
      replicas: 4
`;

describe("the scenario's own entries, x-orchsim and --set", () => {
  test("x-orchsim sets simulation fields, and may override what the stack says", () => {
    const s = loadStack(TWO);
    expect(service(s, "web").request.cpu).toEqual({ kind: "exponential", mean: 5 * MS });
    expect(service(s, "web").runtime.concurrency).toBe(8);
    expect(service(s, "worker").replicas).toBe(4);
    expect(s.notes).toEqual([]);
  });

  test("a scenario entry of the same name is merged over the stack's and x-orchsim; others are kept", () => {
    const s = loadStack(TWO, `services:
  - name: cron
    image: {name: "cron:9"}
  - name: web
    replicas: 7
    request: {cpu: 2ms}
`);
    expect(s.services.map((x) => x.name)).toEqual(["web", "worker", "cron"]);
    const web = service(s, "web");
    expect([web.replicas, web.request.cpu, web.runtime.concurrency]).toEqual([7, { kind: "exponential", mean: 2 * MS }, 8]);
    // What the scenario does not say stays as the stack said it.
    expect([web.image.name, web.resources.limits.cpuCores]).toEqual(["web:1", 1]);
    expect(service(s, "cron").image.name).toBe("cron:9");
  });

  test("a scenario network of the same name configures the stack's", () => {
    const s = loadStack(FULL, "networks:\n  - {name: back, encrypted: true}\n");
    expect(s.networks.find((n) => n.name === "back")).toMatchObject({ encrypted: true, subnet: null });
    expect(s.networks.find((n) => n.name === "front")).toMatchObject({ encrypted: true, subnet: "10.5.0.0/24" });
  });

  test("--set reaches a service defined only in the stack, and wins over everything", () => {
    const s = loadStack(TWO, "services:\n  - {name: web, replicas: 7}\n", {}, ["services.web.replicas=5", "services.worker.request.cpu=1ms"]);
    expect(service(s, "web").replicas).toBe(5);
    expect(service(s, "worker").request.cpu).toEqual({ kind: "exponential", mean: MS });
  });

  test("--set stack=... picks another stack file", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: TWO, "other.yml": "services:\n  api:\n    image: api:1\n" });
    expect(load(dir, {}, ["stack=other.yml"]).services.map((x) => x.name)).toEqual(["api"]);
  });
});
