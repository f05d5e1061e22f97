// Bad scenario files and the exact, complete error each one gets. Every kind of problem the
// loader looks for has a row; the messages are the user interface, so they are pinned here.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadScenarioFile, parseScenario, ScenarioError } from "../../src/scenario/index.js";

const BASE = `version: 1
name: demo
duration: 10m
services:
  - name: web
    ports: [{published: 80, target: 8000}]
`;
const CLUSTER = `version: 1
name: demo
duration: 10m
cluster:
  managers: {count: 3}
  nodeGroups:
    - {name: web, count: 4, cpu: 2, memory: 4GiB}
services:
  - name: web
    ports: [{published: 80, target: 8000}]
`;
const BOMB = `version: 1
name: bomb
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`;

interface Row {
  name: string;
  yaml: string;
  set?: string[];
  message: string[];
}

const ROWS: Row[] = [
  {
    name: "unknown field with a suggestion",
    yaml: BASE + "    replics: 3\n",
    message: [
      "bad.yaml:7:5 services[web].replics: unknown field (did you mean replicas?)",
    ],
  },
  {
    name: "replicas on a global service (Docker refuses it too)",
    yaml: BASE + "    mode: global\n    replicas: 2\n",
    message: [
      "bad.yaml:8:15 services[web].replicas: can only be used with replicated mode: a global service runs one task on every eligible node",
    ],
  },
  {
    name: "unknown top-level field",
    yaml: BASE + "servces: []\n",
    message: [
      "bad.yaml:7:1 servces: unknown field (did you mean services?)",
    ],
  },
  {
    name: "bad size",
    yaml: BASE + "    resources:\n      reservations: {memory: 512 MB}\n",
    message: [
      "bad.yaml:8:30 services[web].resources.reservations.memory: \"512 MB\" is not a size (try 512MiB)",
    ],
  },
  {
    name: "bare number as a duration",
    yaml: "version: 1\nname: demo\nduration: 600\nservices:\n  - name: web\n    ports: [{published: 80, target: 8000}]\n",
    message: [
      "bad.yaml:3:11 duration: 600 is not a duration (add a unit, e.g. 600s or 600ms)",
    ],
  },
  {
    name: "missing required fields",
    yaml: "version: 1\nservices: []\n",
    message: [
      "bad.yaml:1:1 duration: missing required field",
      "bad.yaml:1:1 name: missing required field",
      "bad.yaml:2:11 services: must list at least one service",
    ],
  },
  {
    name: "wrong version",
    yaml: "version: 2\nname: demo\nduration: 10m\nservices:\n  - name: web\n    ports: [{published: 80, target: 8000}]\n",
    message: [
      "bad.yaml:1:10 version: must be 1 (got 2)",
    ],
  },
  {
    name: "duplicate key",
    yaml: BASE + "    replicas: 2\n    replicas: 3\n",
    message: [
      "bad.yaml:8:5 services[web].replicas: duplicate key (first defined at line 7)",
    ],
  },
  {
    name: "alias bomb",
    yaml: BOMB,
    message: [
      "bad.yaml:4:12 more than 100 aliases to expand (at *a); refusing a possible alias bomb",
    ],
  },
  {
    name: "__proto__ key",
    yaml: BASE + "    __proto__: {polluted: true}\n",
    message: [
      "bad.yaml:7:5 services[web]: key \"__proto__\" is not allowed",
    ],
  },
  {
    name: "unknown service in a workload",
    yaml: BASE + "workload:\n  - {name: users, service: wbe, rate: 500/s}\n",
    message: [
      "bad.yaml:8:28 workload[users].service: unknown service \"wbe\" (did you mean web?)",
    ],
  },
  {
    name: "workload to a service without ports",
    yaml: BASE + "  - name: db\nworkload:\n  - {name: users, service: db, rate: 5/s}\n",
    message: [
      "bad.yaml:9:28 workload[users].service: service db publishes no port, so outside traffic cannot reach it (add ports to it, e.g. ports: [{published: 80, target: 8080}])",
    ],
  },
  {
    name: "the entry's health check: interval missing, thresholds out of range or not whole, an unknown field",
    yaml: BASE + "workload:\n  - {name: users, service: web, rate: 5/s, entryHealthcheck: {}}\n  - {name: bots, service: web, rate: 5/s, entryHealthcheck: {interval: 0s, unhealthyThreshold: 0, healthyThreshold: 1.5, fall: 3}}\n",
    message: [
      "bad.yaml:8:62 workload[users].entryHealthcheck.interval: missing required field",
      "bad.yaml:9:72 workload[bots].entryHealthcheck.interval: must be greater than 0 (got \"0s\")",
      "bad.yaml:9:96 workload[bots].entryHealthcheck.unhealthyThreshold: must be at least 1 (got 0)",
      "bad.yaml:9:117 workload[bots].entryHealthcheck.healthyThreshold: 1.5 is not a whole number",
      "bad.yaml:9:122 workload[bots].entryHealthcheck.fall: unknown field (expected one of: interval, unhealthyThreshold, healthyThreshold)",
    ],
  },
  {
    name: "the entry's health check is a map",
    yaml: BASE + "workload:\n  - {name: users, service: web, rate: 5/s, entryHealthcheck: 10s}\n",
    message: [
      "bad.yaml:8:62 workload[users].entryHealthcheck: must be a map (got \"10s\")",
    ],
  },
  {
    name: "unknown node in an event",
    yaml: CLUSTER + "events:\n  - {at: 1m, addNodes: {group: web, count: 2}}\n  - {at: 2m, drain: {node: web-7}}\n  - {at: 3m, pause: {node: wbe-2}}\n",
    message: [
      "bad.yaml:13:28 events[1].drain.node: unknown node \"web-7\" (node group web has web-1..web-6)",
      "bad.yaml:14:28 events[2].pause.node: unknown node \"wbe-2\" (did you mean web-2?)",
    ],
  },
  {
    name: "bad constraints",
    yaml: BASE + "    placement:\n      constraints: [node.lables.disk == ssd, 'node.role = worker']\n",
    message: [
      "bad.yaml:8:21 services[web].placement.constraints[0]: \"node.lables.disk == ssd\": unknown constraint key node.lables.disk (did you mean node.labels.disk?)",
      "bad.yaml:8:46 services[web].placement.constraints[1]: \"node.role = worker\" is not a constraint (write KEY == VALUE or KEY != VALUE, e.g. node.role == worker)",
    ],
  },
  {
    name: "limits below reservations",
    yaml: BASE + "    resources:\n      reservations: {cpu: 1, memory: 1GiB}\n      limits: {cpu: 500m, memory: 512MiB}\n",
    message: [
      "bad.yaml:9:21 services[web].resources.limits.cpu: 500m is below reservations.cpu (1)",
      "bad.yaml:9:35 services[web].resources.limits.memory: 512MiB is below reservations.memory (1GiB)",
    ],
  },
  {
    name: "a reservation of 500 CPUs that meant 500m (walkthrough)",
    yaml: BASE + "    resources:\n      reservations: {cpu: 500}\n      limits: {cpu: 1}\n  - name: api\n    resources: {reservations: {cpu: 200}, limits: {cpu: 100}}\n",
    message: [
      "bad.yaml:9:21 services[web].resources.limits.cpu: 1 is below reservations.cpu (500): 500 CPUs; did you mean 500m (0.5 of a CPU)?",
      "bad.yaml:11:57 services[api].resources.limits.cpu: 100 is below reservations.cpu (200)",
    ],
  },
  {
    name: "dnsrr with an ingress port",
    yaml: BASE + "    endpointMode: dnsrr\n",
    message: [
      "bad.yaml:7:19 services[web].endpointMode: dnsrr cannot be used with ports published in ingress mode (publish them with mode: host)",
    ],
  },
  {
    name: "YAML syntax error",
    yaml: "version: 1\nname: [demo\nduration: 1m\n",
    message: [
      "bad.yaml:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    // The parser places it at the comment line above the key: the key it means is named.
    name: "a key out of line with its siblings, after a comment",
    yaml: "version: 1\nname: t\nservices:\n  - name: web\n    replicas: 2\n    # the image\n\n      image: x\n",
    message: [
      "bad.yaml:8:7 YAML syntax error: All mapping items must start at the same column",
    ],
  },
  {
    // The same parser error as a mis-indented line, but on one line: the parser's place, and what to do.
    name: "a value holding a second colon and a space, unquoted",
    yaml: "version: 1\nname: t\ndescription: four workers: two services\nduration: 1m\n",
    message: [
      'bad.yaml:3:14 YAML syntax error: a second ": " on one line; quote a value that holds one (Nested mappings are not allowed in compact mappings)',
    ],
  },
  {
    // The parser finds the missing close at the end of the file; the quote that opens it is named (walkthrough).
    name: "a quote never closed",
    yaml: 'version: 1\nname: "demo\nduration: 1m\nservices:\n  - {name: web}\n',
    message: [
      'bad.yaml:2:7 YAML syntax error: this quote is never closed: the rest of the file reads as its text (Missing closing "quote)',
    ],
  },
  {
    name: "a single quote never closed, in a list item",
    yaml: "version: 1\nname: t\nduration: 1m\nservices:\n  - name: 'web\n    replicas: 2\n",
    message: [
      "bad.yaml:5:11 YAML syntax error: this quote is never closed: the rest of the file reads as its text (Missing closing 'quote)",
    ],
  },
  {
    // At the end of the file: its last character outside comments, not the line after the final newline.
    name: "a bracket never closed",
    yaml: "version: 1\nname: t\nservices: [web\n\n# the end\n",
    message: [
      "bad.yaml:3:14 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    // The parser finds two errors at the one mis-indented line: the user gets the first.
    name: "YAML syntax error that the parser reports twice",
    yaml: "version: 1\nname: t\nservices:\n  - name: web\n     replicas: 2\n",
    message: [
      "bad.yaml:5:6 YAML syntax error: this line is indented deeper than the key above it, so YAML reads it as part of that key's value; line it up with its sibling keys (Nested mappings are not allowed in compact mappings)",
    ],
  },
  {
    name: "two problems reported together",
    yaml: BASE + "    replicas: many\n    mode: glbal\n",
    message: [
      "bad.yaml:7:15 services[web].replicas: \"many\" is not a whole number",
      "bad.yaml:8:11 services[web].mode: \"glbal\" is not one of replicated, global (did you mean global?)",
    ],
  },
  {
    name: "--set to an unknown service",
    yaml: BASE + "",
    set: ["services.api.replicas=3"],
    message: [
      "--set services.api.replicas: no service named \"api\" (known: web)",
    ],
  },
  {
    name: "--set with a bad value",
    yaml: BASE + "",
    set: ["services.web.replicas=abc"],
    message: [
      "--set services.web.replicas: \"abc\" is not a whole number",
    ],
  },
  {
    name: "--set to an unknown field",
    yaml: BASE + "",
    set: ["services.web.replics=3"],
    message: [
      "--set services.web.replics: unknown field (did you mean replicas?)",
    ],
  },
  {
    name: "--set that is not PATH=VALUE",
    yaml: BASE + "",
    set: ["replicas"],
    message: [
      "--set replicas: \"replicas\" is not PATH=VALUE (e.g. services.web.replicas=30)",
    ],
  },
  {
    name: "--set with an index past the end of a list, or through a scalar",
    yaml: BASE,
    set: ["services.web.ports.3.target=1", "events.2.at=1m", "name.first=x"],
    message: [
      '--set services.web.ports.3.target: no item "3" (services.web.ports has 1 item, from 0)',
      '--set events.2.at: no item "2" (events has 0 items, from 0)',
      '--set name.first: name is "demo", not a map',
    ],
  },
  {
    name: "--set with a value that is not YAML, and into a list the file lacks",
    yaml: BASE,
    set: ["services.web.replicas=[1", "cluster.nodeGroups.web.count=20"],
    message: [
      '--set services.web.replicas: "[1" is not a valid YAML value: Flow sequence must end with a ]',
      "--set cluster.nodeGroups.web.count: there is no node group to change (the file has no nodeGroups list)",
    ],
  },
  {
    name: "--set of a named item to null or a number: one line, not one per missing field (walkthrough)",
    yaml: CLUSTER,
    set: ["services.web=null", "cluster.nodeGroups.web=3"],
    message: [
      "--set services.web: a service is a map of its fields, not null (--set cannot remove one: edit the file)",
      "--set cluster.nodeGroups.web: a node group is a map of its fields, not 3",
    ],
  },
  {
    name: "--set appending an event that names an unknown node",
    yaml: BASE,
    set: ["events.0={at: 1m, nodeFailure: {nodes: [web-1]}}"],
    message: ['--set events.0.nodeFailure.nodes.0: unknown node "web-1" (nodes are manager-1)'],
  },
  {
    name: "a zone failure that names a zone with no host, a zone twice, and one with no zones or nodes",
    yaml: CLUSTER + "events:\n  - {at: 1m, nodeFailure: {zones: [defualt]}}\n  - {at: 2m, nodeFailure: {zones: [default, default]}}\n  - {at: 3m, nodeFailure: {recoverAfter: 1m}}\n",
    message: [
      'bad.yaml:12:36 events[0].nodeFailure.zones[0]: no host is in zone "defualt" (did you mean default?)',
      "bad.yaml:13:45 events[1].nodeFailure.zones[1]: zone default is listed twice",
      "bad.yaml:14:27 events[2].nodeFailure.nodes: missing required field (or zones: the hosts that fail are named by nodes, zones or both)",
    ],
  },
  {
    name: "port published twice in ingress mode",
    yaml: BASE + "  - name: api\n    ports: [{published: 80, target: 9000}]\n",
    message: [
      "bad.yaml:8:25 services[api].ports[0].published: port 80/tcp is already published in ingress mode by service web",
    ],
  },
  {
    name: "duplicate service name",
    yaml: BASE + "  - name: web\n",
    message: [
      "bad.yaml:7:11 services[web].name: duplicate service name (first defined at line 5)",
    ],
  },
  {
    name: "impossible node groups",
    yaml: "version: 1\nname: demo\nduration: 1m\ncluster:\n  nodeGroups:\n    - {name: a, count: -1, cpu: 0, memory: 1GiB}\n    - {name: b, count: 100001, cpu: 2, memory: 4GiB}\nservices: [{name: web}]\n",
    message: [
      "bad.yaml:6:24 cluster.nodeGroups[a].count: must be at least 0 (got -1)",
      "bad.yaml:6:33 cluster.nodeGroups[a].cpu: must be greater than 0 (got 0)",
      "bad.yaml:7:24 cluster.nodeGroups[b].count: must be at most 100000 (got 100001)",
    ],
  },
  {
    name: "percentile outside (0,100)",
    yaml: BASE + "metrics: {slo: {percentile: 100}}\n",
    message: [
      "bad.yaml:7:29 metrics.slo.percentile: must be less than 100 (got 100)",
    ],
  },
  {
    name: "node rows not on window ends",
    yaml: BASE + "metrics: {interval: 10s, nodeInterval: 15s}\n",
    message: [
      "bad.yaml:7:40 metrics.nodeInterval: 15s is not a whole number of metrics windows (metrics.interval 10s)",
    ],
  },
  {
    name: "node rows not on window ends, in the user's own units",
    yaml: BASE + "metrics: {interval: 1.5s, nodeInterval: 2500ms}\n",
    message: [
      "bad.yaml:7:41 metrics.nodeInterval: 2500ms is not a whole number of metrics windows (metrics.interval 1.5s)",
    ],
  },
  {
    name: "node rows not on the default window's ends",
    yaml: BASE + "metrics: {nodeInterval: 1.5s}\n",
    message: [
      "bad.yaml:7:25 metrics.nodeInterval: 1.5s is not a whole number of metrics windows (metrics.interval 10s)",
    ],
  },
  {
    name: "concurrency below 1",
    yaml: BASE + "    runtime: {concurrency: 0}\n",
    message: [
      "bad.yaml:7:28 services[web].runtime.concurrency: must be at least 1 (got 0)",
    ],
  },
  {
    name: "unknown strategy",
    yaml: BASE + "    strategy: bnpack\n",
    message: [
      "bad.yaml:7:15 services[web].strategy: \"bnpack\" is not a strategy (did you mean binpack?)",
    ],
  },
  {
    name: "node groups needed when managers run no tasks",
    yaml: BASE + "cluster:\n  managers: {runTasks: false}\n",
    message: [
      "bad.yaml:8:3 cluster.nodeGroups: missing required field (managers do not run tasks)",
    ],
  },
  {
    name: "call to an unknown service and an undeclared network",
    yaml: BASE + "    networks: [backend]\n    request:\n      calls: [{service: cahce}]\n  - name: cache\n",
    message: [
      "bad.yaml:7:16 services[web].networks[0]: unknown network \"backend\" (declare it in the top-level networks list)",
      "bad.yaml:9:25 services[web].request.calls[0].service: unknown service \"cahce\" (did you mean cache?)",
    ],
  },
  {
    name: "networks: one on Swarm's ingress subnet, ingress attached or attachable, a bad MTU",
    yaml: BASE + "    networks: [ingress]\nnetworks:\n  - {name: back, subnet: 10.0.0.0/16, mtu: 600}\n  - {name: ingress, attachable: true}\n",
    message: [
      "bad.yaml:7:16 services[web].networks[0]: a service cannot be attached to the ingress network (publish a port in ingress mode instead)",
      "bad.yaml:9:26 networks[back].subnet: overlaps the subnet of network ingress (10.0.0.0/24, Swarm's default; give ingress a subnet to move it)",
      "bad.yaml:9:44 networks[back].mtu: must be at least 652 (got 600)",
      "bad.yaml:10:33 networks[ingress].attachable: the ingress network cannot be attachable",
    ],
  },
  {
    name: "event after the end of the run",
    yaml: BASE + "events:\n  - {at: 20m, killLeader: {}}\n",
    message: [
      "bad.yaml:8:10 events[0].at: 20m is after the end of the run (duration 10m): nothing after it would show what it did",
    ],
  },
  {
    // It would strike after the last metrics window closed: no window would hold what it did.
    name: "event at the very end of the run, and repeats that reach it",
    yaml: BASE + "events:\n  - {at: 10m, killLeader: {}}\n  - {at: 8m, every: 1m, times: 3, killLeader: {}}\n",
    message: [
      "bad.yaml:8:10 events[0].at: 10m is at the end of the run (duration 10m): nothing after it would show what it did",
      "bad.yaml:9:32 events[1].times: the last of 3 repeats would be at 10m, at the end of the run (duration 10m); 2 fit",
    ],
  },
  {
    name: "event with no action, and one with two",
    yaml: CLUSTER + "events:\n  - {at: 1m}\n  - {at: 2m, killLeader: {}, drain: {node: web-1}}\n",
    message: [
      "bad.yaml:12:5 events[0]: has no action (add one of loadSpike, scale, nodeFailure, killLeader, killManager, partition, restartAll, drain, pause, activate, rollingUpdate, addNodes, removeNodes)",
      "bad.yaml:13:30 events[1].drain: an event has one action (this one also has killLeader); write two events",
    ],
  },
  {
    name: "partition groups",
    yaml: CLUSTER + "events:\n  - {at: 1m, partition: {groups: [[manager-1, web-1], [web-1, web-9]]}}\n",
    message: [
      "bad.yaml:12:56 events[0].partition.groups[1][0]: node web-1 is in two groups",
      "bad.yaml:12:63 events[0].partition.groups[1][1]: unknown node \"web-9\" (node group web has web-1..web-4)",
    ],
  },
  {
    name: "addNodes to an unknown group, entry at an unknown node",
    yaml: CLUSTER + "workload:\n  - {name: users, service: web, rate: 5/s, entry: node:web-5}\nevents:\n  - {at: 1m, addNodes: {group: gpu, count: 1}}\n",
    message: [
      "bad.yaml:12:51 workload[users].entry: unknown node \"web-5\" (node group web has web-1..web-4)",
      "bad.yaml:14:32 events[0].addNodes.group: unknown node group \"gpu\" (known: web)",
    ],
  },
  {
    name: "bad value in a rolling update",
    yaml: BASE + "events:\n  - {at: 1m, rollingUpdate: {service: web, runtime: {memory: 2 GB}}}\n",
    message: [
      "bad.yaml:8:62 events[0].rollingUpdate.runtime.memory: \"2 GB\" is not a size (try 2GiB)",
    ],
  },
  {
    name: "rolling update that breaks the service",
    yaml: BASE + "    resources: {limits: {cpu: 1}}\nevents:\n  - {at: 1m, rollingUpdate: {service: web, resources: {reservations: {cpu: 2}}}}\n",
    message: [
      "bad.yaml:9:29 events[0].rollingUpdate: makes services[web].resources.limits.cpu invalid: 1 is below reservations.cpu (2)",
    ],
  },
  {
    name: "call cycle",
    yaml: BASE + "    request: {calls: [{service: api}]}\n  - name: api\n    request: {calls: [{service: web}]}\n",
    message: [
      "bad.yaml:9:33 services[api].request.calls[0].service: calls form a cycle (web -> api -> web); a request would never finish",
    ],
  },
  {
    name: "uniform distribution without cv",
    yaml: BASE + "    request: {distribution: uniform}\n",
    message: [
      "bad.yaml:7:14 services[web].request.cv: must be given for a uniform distribution (the default, 1, is more than 0.577)",
    ],
  },
  {
    name: "scale of a global service, times without every",
    yaml: BASE + "  - {name: agent, mode: global}\nevents:\n  - {at: 1m, times: 3, scale: {service: agent, replicas: 2}}\n",
    message: [
      "bad.yaml:9:21 events[0].times: needs every (the time between repetitions)",
      "bad.yaml:9:41 events[0].scale.service: service agent is global; only a replicated service can be scaled",
    ],
  },
  {
    name: "root is not a map",
    yaml: "- version: 1\n",
    message: [
      "bad.yaml:1:1 a scenario is a map of fields (version, name, duration, services, ...), not a list",
    ],
  },
  {
    name: "empty file",
    yaml: "",
    message: [
      "bad.yaml:1:1 the file is empty",
    ],
  },
  {
    name: "two YAML documents",
    yaml: BASE + "---\nversion: 1\n",
    message: [
      "bad.yaml:7:1 YAML syntax error: a scenario file holds a single YAML document (found a second ---)",
    ],
  },
  {
    name: "zone label and negative seed",
    yaml: BASE + "seed: -1\ncluster:\n  nodeGroups:\n    - {name: web, count: 1, cpu: 2, memory: 4GiB, labels: {zone: a}}\n",
    message: [
      "bad.yaml:7:7 seed: must be at least 0 (got -1)",
      "bad.yaml:10:59 cluster.nodeGroups[web].labels: must not set zone: node.labels.zone is the node's zone (set it with zone)",
    ],
  },
  {
    name: "unknown alias",
    yaml: BASE + "    replicas: *three\n",
    message: [
      "bad.yaml:7:15 alias *three has no anchor &three before it",
    ],
  },
];

function errorOf(yaml: string, set: string[] = []): ScenarioError {
  try {
    parseScenario(yaml, "bad.yaml", set);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

describe("bad scenarios get their exact message", () => {
  test.each(ROWS)("$name", ({ yaml, set, message }) => {
    expect(errorOf(yaml, set).message).toBe(message.join("\n"));
  });
});

describe("ScenarioError", () => {
  test("carries every issue, sorted by line, with file, line, col and path", () => {
    const e = errorOf(BASE + "    mode: glbal\n    replicas: many\nseed: -1\n", ["services.web.image=5"]);
    expect(e.issues).toEqual([
      { file: "--set", line: 0, col: 0, path: "services.web.image", message: "must be text (got 5)" },
      { file: "bad.yaml", line: 7, col: 11, path: "services[web].mode", message: '"glbal" is not one of replicated, global (did you mean global?)' },
      { file: "bad.yaml", line: 8, col: 15, path: "services[web].replicas", message: '"many" is not a whole number' },
      { file: "bad.yaml", line: 9, col: 7, path: "seed", message: "must be at least 0 (got -1)" },
    ]);
    expect(e.name).toBe("ScenarioError");
    expect(e).toBeInstanceOf(Error);
  });

  test("the prototype of Object is never touched", () => {
    errorOf(BASE + "    __proto__: {polluted: true}\n    labels: {constructor: x}\n");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("loadScenarioFile refuses what it cannot read", () => {
  const dir = mkdtempSync(join(tmpdir(), "orchsim-scenario-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a file over 1 MiB, before parsing it", () => {
    const path = join(dir, "huge.yaml");
    writeFileSync(path, BASE + `description: "${"x".repeat(1024 * 1024)}"\n`);
    expect(() => loadScenarioFile(path)).toThrow(
      new ScenarioError([{ file: path, line: 1, col: 1, path: "", message: "the file is larger than 1 MiB (1.0 MiB); refusing to read it" }]),
    );
    expect(() => loadScenarioFile(path)).toThrow(`${path}:1:1 the file is larger than 1 MiB (1.0 MiB); refusing to read it`);
  });

  test("a missing file", () => {
    const path = join(dir, "nope.yaml");
    expect(() => loadScenarioFile(path)).toThrow(`${path}:1:1 cannot read the file: no such file`);
  });

  test("a directory: said in words, not as EISDIR (walkthrough)", () => {
    expect(() => loadScenarioFile(dir)).toThrow(`${dir}:1:1 cannot read the file: it is a directory`);
  });

  test("text over 1 MiB given to parseScenario", () => {
    const e = errorOf(BASE + "#" + "x".repeat(2 * 1024 * 1024) + "\n");
    expect(e.message).toBe("bad.yaml:1:1 the file is larger than 1 MiB (2.0 MiB); refusing to read it");
  });
});
