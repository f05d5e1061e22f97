// Settings that cannot matter in a scenario are said, not silently ignored.
import { describe, expect, it } from "vitest";
import { scenarioWarnings } from "../../src/engine/unsupported.js";
import { parseScenario } from "../../src/scenario/index.js";
import { runYaml, scenarioYaml } from "../helpers.js";

const base = scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  nodeGroups: [{name: a, count: 1, cpu: 2, memory: 4GiB}]
services: [{name: web}]
`);

describe("scenario warnings", () => {
  it("a registry when no image has a size, an encryption cost with no encrypted network, zone links with one zone", () => {
    const s = parseScenario(base, "w.yaml", [
      "cluster.registry.bandwidth=1Gbps",
      "cluster.network.encryptionCpuPerGB=2s",
      "cluster.network.crossZoneBandwidth=1Gbps",
    ]);
    const w = scenarioWarnings(s).join("\n");
    expect(w).toMatch(/cluster\.registry changes nothing/);
    expect(w).toMatch(/encryptionCpuPerGB changes nothing/);
    expect(w).toMatch(/crossZoneBandwidth changes nothing/);
  });

  it("a start interval without a start period, a restart window without maxAttempts, a retry backoff without retries (walkthrough)", () => {
    const s = parseScenario(base, "w.yaml", [
      "services.web.healthcheck={startInterval: 1s}",
      "services.web.restartPolicy={window: 2m}",
      "workload=[{name: users, service: web, rate: 1/s, retries: {backoff: 1s}}]",
      "services.web.ports=[{published: 80, target: 80}]",
    ]);
    expect(scenarioWarnings(s)).toEqual([
      "services[web].healthcheck.startInterval changes nothing: its startPeriod is 0, and the start interval is the probes' interval within the start period",
      "services[web].restartPolicy.window changes nothing: maxAttempts is 0 (unlimited), and the window is where maxAttempts counts restarts",
      "workload[users].retries.backoff changes nothing: retries.max is 0, so no request is retried",
    ]);
    const acting = parseScenario(base, "w.yaml", [
      "services.web.healthcheck={startInterval: 1s, startPeriod: 30s}",
      "services.web.restartPolicy={window: 2m, maxAttempts: 3}",
      "workload=[{name: users, service: web, rate: 1/s, retries: {max: 2, backoff: 1s}}]",
      "services.web.ports=[{published: 80, target: 80}]",
    ]);
    expect(scenarioWarnings(acting)).toEqual([]);
    // A later update that gives it a start period makes the start interval act then.
    const later = parseScenario(base, "w.yaml", ["services.web.healthcheck={startInterval: 1s}", "events=[{at: 30s, rollingUpdate: {service: web, healthcheck: {startPeriod: 20s}}}]"]);
    expect(scenarioWarnings(later)).toEqual([]);
  });

  it("a cv an exponential or a constant distribution ignores, once, not again for the update that inherits it (walkthrough; review: an error refused --set distribution=exponential on a file with cv 1.5)", () => {
    const s = parseScenario(base, "w.yaml", [
      "services=[{name: web, request: {cv: 0.2}}, {name: api, request: {distribution: constant, cv: 0.5}}, {name: ok, request: {distribution: constant, cv: 0}}]",
      "events=[{at: 30s, rollingUpdate: {service: web, request: {cpu: 20ms}}}]",
    ]);
    expect(s.notes).toEqual([
      "services[web].request.cv changes nothing: 0.2 with an exponential distribution, whose cv is 1 (lognormal, normal and uniform take another)",
      "services[api].request.cv changes nothing: 0.5 with a constant distribution, whose cv is 0 (lognormal, normal and uniform take another)",
    ]);
  });

  it("says nothing when they act, or are left at their defaults", () => {
    expect(scenarioWarnings(parseScenario(base, "w.yaml"))).toEqual([]);
    const s = parseScenario(base, "w.yaml", [
      "cluster.registry.bandwidth=1Gbps",
      "services.web.image={name: web:1, size: 1GB}",
      "cluster.network.encryptionCpuPerGB=2s",
      "networks=[{name: default, encrypted: true}]",
    ]);
    expect(scenarioWarnings(s)).toEqual([]);
  });
});

describe("a loadSpike below its workload's rate", () => {
  const withSpike = (base: string, spike: string) =>
    parseScenario(scenarioYaml({ name: "w", duration: "5m" }, `
services: [{name: web, ports: [{published: 80, target: 80}]}]
workload: [{name: users, service: web, rate: ${base}}]
events: [{at: 2m, loadSpike: {workload: users, rate: ${spike}, duration: 1m}}]
`), "w.yaml");

  it("is said to be a dip, with both rates", () => {
    expect(scenarioWarnings(withSpike("900/s", "450/s"))).toEqual(["the loadSpike at 120 s takes users down from 900/s to 450/s: a rate below the workload's own is a dip"]);
  });

  it("says nothing of a spike above it", () => {
    expect(scenarioWarnings(withSpike("100/s", "450/s"))).toEqual([]);
  });
});

describe("placement that no node answers, and memory above the limit", () => {
  const cluster = (services: string) => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false, labels: {tier: database}}
  nodeGroups: [{name: a, count: 2, cpu: 2, memory: 4GiB, zone: z1, labels: {disk: ssd}}]
services: ${services}
`), "w.yaml");

  it("a constraint on a label no node that runs tasks has (a manager has it, but runs none)", () => {
    expect(scenarioWarnings(cluster("[{name: db, placement: {constraints: [node.labels.tier == database]}}]"))).toEqual([
      "services[db]: no node that runs tasks matches its constraints (node.labels.tier == database), so its tasks stay pending for the whole run",
    ]);
  });

  it("a global service: it runs no task anywhere (it has none pending); a rolling update that may change them: nothing said", () => {
    expect(scenarioWarnings(cluster("[{name: agent, mode: global, placement: {constraints: [node.labels.tier == database]}}]"))).toEqual([
      "services[agent]: no node that runs tasks matches its constraints (node.labels.tier == database), so it runs no task anywhere",
    ]);
    const updated = parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  nodeGroups: [{name: a, count: 1, cpu: 2, memory: 4GiB, labels: {disk: ssd}}]
services: [{name: db, placement: {constraints: [node.labels.disk == nvme]}}]
events: [{at: 30s, rollingUpdate: {service: db, placement: {constraints: [node.labels.disk == ssd]}}}]
`), "w.yaml");
    expect(scenarioWarnings(updated)).toEqual([]);
  });

  it("constraints each matched by some node, but not all by one", () => {
    expect(scenarioWarnings(cluster("[{name: db, placement: {constraints: [node.labels.disk == ssd, node.role == manager]}}]"))[0]).toMatch(/^services\[db\]: no node that runs tasks matches its constraints/);
  });

  it("a spread preference over a label no node has", () => {
    expect(scenarioWarnings(cluster("[{name: web, replicas: 2, placement: {preferences: [{spread: node.labels.rack}]}}]"))).toEqual([
      "services[web].placement.preferences: spread over node.labels.rack changes nothing: no node has that label, so all are one group",
    ]);
  });

  it("runtime memory above the memory limit", () => {
    expect(scenarioWarnings(cluster("[{name: web, runtime: {memory: 3GiB}, resources: {limits: {memory: 2GiB}}}]"))).toEqual([
      "services[web]: its runtime memory (3GiB) is above its memory limit (2GiB): every container is OOM-killed, and replaced, for the whole run",
    ]);
  });

  it("says nothing of constraints, preferences and memory that some node and the limit allow", () => {
    expect(scenarioWarnings(cluster(`
  - {name: web, replicas: 2, placement: {constraints: [node.labels.disk == ssd, node.labels.zone == z1, node.labels.rack != r1], preferences: [{spread: node.labels.zone}, {spread: node.labels.disk}]}}
  - {name: one, placement: {constraints: [node.hostname == a-2]}}
  - {name: big, runtime: {memory: 1GiB}, resources: {limits: {memory: 1GiB}}}
`))).toEqual([]);
  });
});

describe("clients that give up before the service's own calls", () => {
  const withTimeouts = (client: string, call: string) => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
services:
  - {name: web, ports: [{published: 80, target: 80}], request: {calls: [{service: api, timeout: ${call}}]}}
  - {name: api}
workload: [{name: users, service: web, rate: 10/s, timeout: ${client}}]
`), "w.yaml");

  it("are said: the abandoned requests keep holding the service's workers", () => {
    expect(scenarioWarnings(withTimeouts("5s", "1m"))).toEqual([
      "workload[users] gives up after 5s, but web waits longer on its calls to api (1m): requests its clients abandoned keep holding web's workers",
    ]);
  });

  it("not when the calls give up first, or the clients never do", () => {
    expect(scenarioWarnings(withTimeouts("5s", "2s"))).toEqual([]);
    expect(scenarioWarnings(withTimeouts("0s", "1m"))).toEqual([]);
  });
});

describe("a DNS cache on calls to a service with a virtual IP", () => {
  const calls = (mode: string, dnsCache: string) => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
services:
  - {name: web, request: {calls: [{service: api, dnsCache: ${dnsCache}}]}}
  - {name: api, endpointMode: ${mode}}
`), "w.yaml");

  it("is said: a VIP gives the caller no list of addresses to keep", () => {
    expect(scenarioWarnings(calls("vip", "30s"))).toEqual([
      "services.web.request.calls: dnsCache changes nothing on the calls to api: it has a virtual IP (endpointMode vip), so there is no list of addresses to keep",
    ]);
  });

  it("not for dnsrr, nor at the default", () => {
    expect(scenarioWarnings(calls("dnsrr", "30s"))).toEqual([]);
    expect(scenarioWarnings(calls("vip", "0s"))).toEqual([]);
  });

  it("a negative one is refused, and so are two for one callee (a caller keeps one answer per name)", () => {
    expect(() => calls("dnsrr", "-1s")).toThrow(/dnsCache/);
    expect(() => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
services:
  - {name: web, request: {calls: [{service: api, dnsCache: 600s}, {service: api}]}}
  - {name: api, endpointMode: dnsrr}
`), "w.yaml")).toThrow(/calls: call api with one dnsCache: a caller keeps one DNS answer per name/);
  });
});

describe("a network the deployment alone overflows", () => {
  // One manager (it runs tasks too) and the workers.
  const cluster = (workers: number) => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  nodeGroups: [{name: a, count: ${workers}, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 50, ports: [{published: 80, target: 80}]}
  - {name: agent, mode: global, networks: [small]}
networks: [{name: small, subnet: 10.9.0.0/26}]
`), "w.yaml");

  it("is said, with what it needs: Swarm's default ingress runs out at about 250 nodes, a /26 at 61 addresses", () => {
    expect(scenarioWarnings(cluster(300))).toEqual([
      "networks[ingress] (10.0.0.0/24, 253 addresses) is too small for the deployment alone: it needs at least 352 (50 tasks, 1 VIP, 301 node endpoints), so some tasks will stay NEW without an address (see the allocation events); give it a larger subnet (a /16 has 65,533 addresses) in networks[ingress].subnet",
      "networks[small] (10.9.0.0/26, 61 addresses) is too small for the deployment alone: it needs at least 302 (301 tasks, 1 VIP), so some tasks will stay NEW without an address (see the allocation events); give it a larger subnet (a /16 has 65,533 addresses) in networks[small].subnet",
    ]);
  });

  it("not when it fits", () => {
    expect(scenarioWarnings(cluster(50))).toEqual([]);
  });
});

describe("a workload that enters a host-mode port at nodes without a task", () => {
  const scenario = (replicas: string, entry = "") => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 2, memory: 4GiB}]
services:
  - {name: web, ${replicas}, ports: [{published: 80, target: 80, mode: host}]}
workload: [{name: users, service: web, rate: 10/s${entry}}]
`), "w.yaml");
  const tail = ": host mode has no routing mesh, so connections there are refused (name in entryNodes only nodes that run its tasks, make web global, or give the workload an entryHealthcheck: a balancer that probes the port takes such nodes out)";

  it("is said: nodes that run no tasks, and replicas fewer than the entry nodes", () => {
    expect(scenarioWarnings(scenario("replicas: 4"))).toEqual([`workload[users] enters web's host-mode port 80 at 7 nodes; 3 can never hold one (manager-1..manager-3: they run no tasks)${tail}`]);
    expect(scenarioWarnings(scenario("replicas: 3", ", entryNodes: [w]"))).toEqual([`workload[users] enters web's host-mode port 80 at 4 nodes; its 3 replicas leave at least 1 without one${tail}`]);
  });

  it("not when every entry node can hold a task: a global service, or as many replicas", () => {
    expect(scenarioWarnings(scenario("mode: global", ", entryNodes: [w]"))).toEqual([]);
    expect(scenarioWarnings(scenario("replicas: 4", ", entryNodes: [w]"))).toEqual([]);
  });

  it("not when the balancer's health checks take those nodes out, unless that leaves it none ever", () => {
    expect(scenarioWarnings(scenario("replicas: 4", ", entryHealthcheck: {interval: 5s}"))).toEqual([]);
    expect(scenarioWarnings(scenario("replicas: 4", ", entryNodes: [manager], entryHealthcheck: {interval: 5s}"))).toEqual([
      "workload[users] enters web's host-mode port 80 at 3 nodes, none of which can ever hold one of its tasks (manager-1..manager-3): its balancer's health checks take them all out, so every connection is refused",
    ]);
  });
});

describe("a UDP port", () => {
  it("is said to carry requests as TCP does; TCP ports are not", () => {
    const s = (protocol: string) => parseScenario(scenarioYaml({ name: "w", duration: "1m" }, `
services: [{name: dns, ports: [{published: 53, target: 53, protocol: ${protocol}}]}]
`), "w.yaml");
    expect(scenarioWarnings(s("udp"))).toEqual(["services[dns].ports: udp port 53 carries requests as TCP does (connections, connection.reuse, the client's timeout); only host-port placement tells udp from tcp"]);
    expect(scenarioWarnings(s("tcp"))).toEqual([]);
  });
});

describe("a start-up its health check always kills", () => {
  const scenario = (service: string) => parseScenario(scenarioYaml({ name: "s", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]
services:
  - {name: jvm, replicas: 2, ${service}}
`), "s.yaml");

  it("is said: a start takes at least its CPU work at one core (or its limit), which is past the retries-th check from startPeriod on", () => {
    expect(scenarioWarnings(scenario("startup: {cpu: 60s}, healthcheck: {interval: 5s, retries: 3, startPeriod: 20s}"))).toEqual([
      "services[jvm]: a start takes at least 60 s (startup.cpu at one core, a start's most), but its health check kills a container not yet healthy at 30 s (once 3 checks from startPeriod 20s on failed): no start can finish, and its tasks restart for ever; give healthcheck.startPeriod 1m or more",
    ]);
    expect(scenarioWarnings(scenario("startup: {cpu: 30s}, resources: {limits: {cpu: 0.49}}, healthcheck: {interval: 5s, retries: 3, startPeriod: 30s}"))).toEqual([
      "services[jvm]: a start takes at least 61.2 s (startup.cpu at its CPU limit of 0.49 core), but its health check kills a container not yet healthy at 40 s (once 3 checks from startPeriod 30s on failed): no start can finish, and its tasks restart for ever; give healthcheck.startPeriod 62s or more",
    ]);
  });

  it("not when a start on an idle node can finish in time, or there is no health check", () => {
    expect(scenarioWarnings(scenario("startup: {cpu: 60s}, healthcheck: {interval: 5s, retries: 3, startPeriod: 90s}"))).toEqual([]);
    expect(scenarioWarnings(scenario("startup: {cpu: 60s}"))).toEqual([]);
  });

  it("is true to the model: the kill comes at the retries-th check from startPeriod on, so a start a second shorter serves and one a second longer never does (walkthrough: 71 s to 80 s starts were killed unannounced)", () => {
    const check = "healthcheck: {interval: 5s, retries: 3, startPeriod: 60s}";
    const run = (cpu: string) => runYaml(scenarioYaml({ name: "s", duration: "5m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]
services:
  - {name: jvm, replicas: 2, startup: {cpu: ${cpu}}, ${check}}
`));
    // The checks at 60, 65 and 70 s after the start fail: killed at 70 s.
    expect(scenarioWarnings(scenario(`startup: {cpu: 71s}, ${check}`))).toEqual([
      "services[jvm]: a start takes at least 71 s (startup.cpu at one core, a start's most), but its health check kills a container not yet healthy at 70 s (once 3 checks from startPeriod 1m on failed): no start can finish, and its tasks restart for ever; give healthcheck.startPeriod 71s or more",
    ]);
    expect(scenarioWarnings(scenario(`startup: {cpu: 69s}, ${check}`))).toEqual([]);
    const killed = run("71s");
    expect(killed.summary.services["jvm"]!.tasks_running).toBe(0);
    expect(killed.events.filter((e) => e["kind"] === "task" && e["state"] === "running")).toEqual([]);
    const served = run("69s");
    expect(served.summary.services["jvm"]!.tasks_running).toBe(2);
  });

  it("says that start-up work of hours in whole minutes is what '500m' reads as: minutes, not millicores", () => {
    expect(scenarioWarnings(scenario("startup: {cpu: 500m}"))).toEqual([
      "services[jvm].startup.cpu is 500 minutes (8.3 h) of CPU work per start: a duration's m is minutes; millicores are the unit of resources.*.cpu",
    ]);
    expect(scenarioWarnings(scenario("startup: {cpu: 5m}"))).toEqual([]);
  });
});

describe("a CPU limit above a node's cores", () => {
  /** Two 16-core nodes and two 4-core ones (labelled size=small), and `body`'s services and events. */
  const mixed = (body: string) => parseScenario(scenarioYaml({ name: "c", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups:
    - {name: big, count: 2, cpu: 16, memory: 32GiB}
    - {name: small, count: 2, cpu: 4, memory: 32GiB, labels: {size: small}}
${body}`), "c.yaml");
  const scenario = (limit: string, constraint = "") => mixed(`services:\n  - {name: db, replicas: 2, resources: {limits: {cpu: ${limit}}}${constraint}}\n`);
  const replicated = (what: string) =>
    `${what}: its CPU limit (8) is above the cores of small-1,small-2 (4): Docker refuses to create such a container ("Range of CPUs is from 0.01 to ..."), so a task placed there is rejected, and replaced as its restart policy allows (a rejection counts as a failure, as in Swarm's scheduler: among the nodes its placement preferences pick, spread avoids one that has had 5 in 5 minutes)`;

  it("is said, naming the nodes where Docker refuses the container", () => {
    expect(scenarioWarnings(scenario("8"))).toEqual([replicated("services[db]")]);
    expect(scenarioWarnings(scenario("8", ", placement: {constraints: [node.labels.size == small]}"))).toEqual([
      'services[db]: its CPU limit (8) is above the cores of every node that could run its tasks (4): Docker refuses to create such a container ("Range of CPUs is from 0.01 to ..."), so no task of it can ever run: each is rejected, and replaced as its restart policy allows',
    ]);
  });

  it("for a global service, and for a rolling update that raises the limit", () => {
    expect(scenarioWarnings(mixed("services:\n  - {name: db, mode: global, resources: {limits: {cpu: 8}}}\n"))).toEqual([
      'services[db]: its CPU limit (8) is above the cores of small-1,small-2 (4): Docker refuses to create such a container ("Range of CPUs is from 0.01 to ..."), so its task on each of them is rejected, and replaced there as its restart policy allows',
    ]);
    const update = mixed("services:\n  - {name: db, replicas: 2, resources: {limits: {cpu: 2}}}\nevents:\n  - {at: 30s, rollingUpdate: {service: db, resources: {limits: {cpu: 8}}}}\n");
    expect(scenarioWarnings(update)).toEqual([replicated("the rollingUpdate of db at 30 s")]);
  });

  it("not when every node has the cores (a limit at a node's cores is allowed), or a node's cores are below the reservation too (placement keeps it off)", () => {
    expect(scenarioWarnings(scenario("8}, reservations: {cpu: 8")).filter((w) => w.includes("CPU limit"))).toEqual([]);
    expect(scenarioWarnings(scenario("4"))).toEqual([]);
    expect(scenarioWarnings(scenario("16", ", placement: {constraints: [node.labels.size != small]}"))).toEqual([]);
  });
});

describe("containers that use more memory than any node has", () => {
  const scenario = (service: string) => parseScenario(scenarioYaml({ name: "m", duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false, memory: 64GiB}
  nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]
services:
  - {name: jvm, replicas: 2, ${service}}
`), "m.yaml");

  it("is said, start-up or runtime: the node's OOM killer kills every one (a manager that runs no tasks does not count)", () => {
    expect(scenarioWarnings(scenario("startup: {cpu: 1s, memory: 12GiB}"))).toEqual([
      "services[jvm]: its start-up memory (12GiB) is more than any node that could run it has (8GiB at most): the node's OOM killer kills every container, and it is replaced, for the whole run",
    ]);
    expect(scenarioWarnings(scenario("runtime: {memory: 9GiB}"))).toEqual([
      "services[jvm]: its runtime memory (9GiB) is more than any node that could run it has (8GiB at most): the node's OOM killer kills every container, and it is replaced, for the whole run",
    ]);
  });

  it("not when a node has it, nor when its own limit kills it first (said as that)", () => {
    expect(scenarioWarnings(scenario("runtime: {memory: 8GiB}"))).toEqual([]);
    expect(scenarioWarnings(scenario("runtime: {memory: 9GiB}, resources: {limits: {memory: 1GiB}}"))).toEqual([
      "services[jvm]: its runtime memory (9GiB) is above its memory limit (1GiB): every container is OOM-killed, and replaced, for the whole run",
    ]);
  });
});
