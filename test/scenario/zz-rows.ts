export const BASE = `version: 1
name: demo
duration: 10m
services:
  - name: web
    ports: [{published: 80, target: 8000}]
`;
export const CLUSTER = `version: 1
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
const bomb = `version: 1
name: bomb
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`;
export const ROWS: [string, string, string[]][] = [
  ["unknown field with a suggestion", BASE + "    replics: 3\n", []],
  ["unknown top-level field", BASE + "servces: []\n", []],
  ["bad size", BASE + "    resources:\n      reservations: {memory: 512 MB}\n", []],
  ["bare number as a duration", BASE.replace("10m", "600"), []],
  ["missing required fields", "version: 1\nservices: []\n", []],
  ["wrong version", BASE.replace("version: 1", "version: 2"), []],
  ["duplicate key", BASE + "    replicas: 2\n    replicas: 3\n", []],
  ["alias bomb", bomb, []],
  ["__proto__ key", BASE + "    __proto__: {polluted: true}\n", []],
  ["unknown service in a workload", BASE + "workload:\n  - {name: users, service: wbe, rate: 500/s}\n", []],
  ["workload to a service without ports", BASE + "  - name: db\nworkload:\n  - {name: users, service: db, rate: 5/s}\n", []],
  ["unknown node in an event", CLUSTER + "events:\n  - {at: 1m, addNodes: {group: web, count: 2}}\n  - {at: 2m, drain: {node: web-7}}\n  - {at: 3m, pause: {node: wbe-2}}\n", []],
  ["bad constraints", BASE + "    placement:\n      constraints: [node.lables.disk == ssd, 'node.role = worker']\n", []],
  ["limits below reservations", BASE + "    resources:\n      reservations: {cpu: 1, memory: 1GiB}\n      limits: {cpu: 500m, memory: 512MiB}\n", []],
  ["dnsrr with an ingress port", BASE + "    endpointMode: dnsrr\n", []],
  ["YAML syntax error", "version: 1\nname: [demo\nduration: 1m\n", []],
  ["two problems reported together", BASE + "    replicas: many\n    mode: glbal\n", []],
  ["--set to an unknown service", BASE, ["services.api.replicas=3"]],
  ["--set with a bad value", BASE, ["services.web.replicas=abc"]],
  ["--set to an unknown field", BASE, ["services.web.replics=3"]],
  ["--set that is not PATH=VALUE", BASE, ["replicas"]],
  ["port published twice in ingress mode", BASE + "  - name: api\n    ports: [{published: 80, target: 9000}]\n", []],
  ["duplicate service name", BASE + "  - name: web\n", []],
  ["impossible node groups", "version: 1\nname: demo\nduration: 1m\ncluster:\n  nodeGroups:\n    - {name: a, count: 0, cpu: 0, memory: 1GiB}\n    - {name: b, count: 100001, cpu: 2, memory: 4GiB}\nservices: [{name: web}]\n", []],
  ["percentile outside (0,100)", BASE + "metrics: {slo: {percentile: 100}}\n", []],
  ["concurrency below 1", BASE + "    runtime: {concurrency: 0}\n", []],
  ["unknown strategy", BASE + "    strategy: bnpack\n", []],
  ["node groups needed when managers run no tasks", BASE + "cluster:\n  managers: {runTasks: false}\n", []],
  ["call to an unknown service and an undeclared network", BASE + "    networks: [backend]\n    request:\n      calls: [{service: cahce}]\n  - name: cache\n", []],
  ["event after the end of the run", BASE + "events:\n  - {at: 20m, killLeader: {}}\n", []],
  ["event with no action, and one with two", CLUSTER + "events:\n  - {at: 1m}\n  - {at: 2m, killLeader: {}, drain: {node: web-1}}\n", []],
  ["partition groups", CLUSTER + "events:\n  - {at: 1m, partition: {groups: [[manager-1, web-1], [web-1, web-9]]}}\n", []],
  ["addNodes to an unknown group, entry at an unknown node", CLUSTER + "workload:\n  - {name: users, service: web, rate: 5/s, entry: node:web-5}\nevents:\n  - {at: 1m, addNodes: {group: gpu, count: 1}}\n", []],
  ["bad value in a rolling update", BASE + "events:\n  - {at: 1m, rollingUpdate: {service: web, runtime: {memory: 2 GB}}}\n", []],
  ["rolling update that breaks the service", BASE + "    resources: {limits: {cpu: 1}}\nevents:\n  - {at: 1m, rollingUpdate: {service: web, resources: {reservations: {cpu: 2}}}}\n", []],
  ["call cycle", BASE + "    request: {calls: [{service: api}]}\n  - name: api\n    request: {calls: [{service: web}]}\n", []],
  ["uniform distribution without cv", BASE + "    request: {distribution: uniform}\n", []],
  ["scale of a global service, times without every", BASE + "  - {name: agent, mode: global}\nevents:\n  - {at: 1m, times: 3, scale: {service: agent, replicas: 2}}\n", []],
  ["root is not a map", "- version: 1\n", []],
  ["empty file", "", []],
  ["two YAML documents", BASE + "---\nversion: 1\n", []],
  ["zone label and negative seed", BASE + "seed: -1\ncluster:\n  nodeGroups:\n    - {name: web, count: 1, cpu: 2, memory: 4GiB, labels: {zone: a}}\n", []],
  ["unknown alias", BASE + "    replicas: *three\n", []],
];
