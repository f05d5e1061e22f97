// Problems in stack files and their exact messages: each points at the line and column of the
// stack file and names the Compose path; then the notes, one line per field that nothing reads.

import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { errorOf, folders, load, stackScenarioYaml, SCENARIO, STACK } from "./helpers.js";

const write = folders();

interface Row {
  name: string;
  stack: string;
  /** The messages, FILE replaced by the stack file's path. */
  message: string[];
}

const ROWS: Row[] = [
  {
    name: "an unknown Compose key, with a suggestion",
    stack: "services:\n  web:\n    image: web:1\n    deploy:\n      replcas: 3\n",
    message: ['FILE:5:7 services.web.deploy.replcas: "replcas" is not a Compose field here (did you mean replicas?)'],
  },
  {
    name: "an unknown top-level key",
    stack: "servces:\n  web:\n    image: web:1\n",
    message: ['FILE:1:1 servces: "servces" is not a Compose field here (did you mean services?)'],
  },
  {
    // The misspelt field is left out and the rest read on: one pass names both problems.
    name: "a misspelt field does not hide a bad value elsewhere",
    stack: "services:\n  web:\n    image: web:1\n    deploy:\n      replcas: 3\n    healthcheck:\n      interval: 10x\n",
    message: [
      'FILE:5:7 services.web.deploy.replcas: "replcas" is not a Compose field here (did you mean replicas?)',
      'FILE:7:17 services.web.healthcheck.interval: "10x" is not a duration (use a number and one of us, ms, s, m, h, e.g. 250ms, 1.5s or 1m30s)',
    ],
  },
  {
    name: "a wrong type",
    stack: "services:\n  web:\n    image: 3\n",
    message: ["FILE:3:12 services.web.image: must be text (got 3)"],
  },
  {
    name: "memory as a number, which the Compose schema types as text",
    stack: "services:\n  web:\n    image: web:1\n    deploy:\n      resources:\n        limits: {memory: 1048576}\n",
    message: ["FILE:6:26 services.web.deploy.resources.limits.memory: must be text (got 1048576)"],
  },
  {
    name: "a value outside an enum",
    stack: "services:\n  web:\n    image: web:1\n    deploy:\n      update_config: {order: first}\n",
    message: ["FILE:5:30 services.web.deploy.update_config.order: must be one of start-first, stop-first (got \"first\")"],
  },
  {
    name: "mem_limit, refused as docker stack deploy does",
    stack: "services:\n  web:\n    image: web:1\n    mem_limit: 512m\n",
    message: ["FILE:4:5 services.web.mem_limit: docker stack deploy does not support mem_limit (use deploy.resources.limits.memory)"],
  },
  {
    name: "a bad duration, found by the scenario's own parser",
    stack: "services:\n  web:\n    image: web:1\n    healthcheck:\n      interval: 10 seconds\n",
    message: ['FILE:5:17 services.web.healthcheck.interval: "10 seconds" is not a duration (try 10s)'],
  },
  {
    name: "a bad CPU amount, in Docker's terms (a number of CPUs, no millicores)",
    stack: "services:\n  web:\n    image: web:1\n    deploy:\n      resources:\n        reservations: {cpus: lots}\n",
    message: ['FILE:6:30 services.web.deploy.resources.reservations.cpus: "lots" is not a number of CPUs (docker stack deploy refuses it; write 0.5 for half a CPU)'],
  },
  {
    name: "an unknown key inside x-orchsim",
    stack: "services:\n  web:\n    image: web:1\n    x-orchsim:\n      request:\n        cpuu: 5ms\n",
    message: ["FILE:6:9 services.web.x-orchsim.request.cpuu: unknown field (did you mean cpu?)"],
  },
  {
    name: "x-orchsim renaming the service",
    stack: "services:\n  web:\n    image: web:1\n    x-orchsim: {name: api}\n",
    message: ["FILE:4:17 services.web.x-orchsim.name: x-orchsim cannot rename a service (its name is its key under services)"],
  },
  {
    name: "include, which docker stack deploy does not support",
    stack: "include: [other.yml]\nservices:\n  web:\n    image: web:1\n",
    message: ["FILE:1:1 include: docker stack deploy does not support include: list each file under the scenario's stack: instead"],
  },
  {
    name: "a stack file that is a list, not a map",
    stack: "- web\n- api\n",
    message: ["FILE:1:1 a stack file is a map of fields (version, services, networks, ...)"],
  },
  {
    name: "an empty stack file",
    stack: "# nothing yet\n",
    message: ["FILE:1:1 the file is empty"],
  },
  {
    name: "several schema problems, all reported, by line",
    stack: "services:\n  web:\n    image: 3\n    deploy:\n      replcas: 2\n  api:\n    ports: 80\n",
    message: [
      "FILE:3:12 services.web.image: must be text (got 3)",
      'FILE:5:7 services.web.deploy.replcas: "replcas" is not a Compose field here (did you mean replicas?)',
      "FILE:7:12 services.api.ports: must be a list (got 80)",
    ],
  },
  {
    name: "several refused fields, all reported, by line",
    stack: "services:\n  web:\n    image: web:1\n    mem_limit: 1g\n    deploy:\n      mode: global-job\n  api:\n    image: api:1\n    cpu_shares: 512\n",
    message: [
      "FILE:4:5 services.web.mem_limit: docker stack deploy does not support mem_limit (use deploy.resources.limits.memory)",
      "FILE:9:5 services.api.cpu_shares: docker stack deploy does not support cpu_shares (use deploy.resources.limits.cpus)",
    ],
  },
];

describe("bad stack files get their exact message", () => {
  test.each(ROWS)("$name", ({ stack, message }) => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: stack });
    const file = join(dir, STACK);
    expect(errorOf(() => load(dir)).message).toBe(message.map((m) => m.replace("FILE", file)).join("\n"));
  });

  test("an issue carries the stack file, line, column and Compose path", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: ROWS[0]?.stack ?? "" });
    expect(errorOf(() => load(dir)).issues).toEqual([
      { file: join(dir, STACK), line: 5, col: 7, path: "services.web.deploy.replcas", message: '"replcas" is not a Compose field here (did you mean replicas?)' },
    ]);
  });

  test("a problem in the stack is reported alone: the scenario's checks would only follow from it", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(undefined, "seed: -1\n"), [STACK]: "services:\n  web:\n    image: 3\n" });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, STACK)}:3:12 services.web.image: must be text (got 3)`);
  });
});

describe("the scenario's stack: entry", () => {
  test("a missing stack file is an error at the scenario's stack: line", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml("./nope.yml") });
    expect(errorOf(() => load(dir)).issues).toEqual([
      { file: join(dir, SCENARIO), line: 4, col: 8, path: "stack", message: `cannot read ${join(dir, "nope.yml")}: no such file` },
    ]);
  });

  test("in a list, the missing item is named", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(["./a.yml", "./b.yml"]), "a.yml": "services:\n  web:\n    image: web:1\n" });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, SCENARIO)}:4:18 stack: cannot read ${join(dir, "b.yml")}: no such file`);
  });

  test.each([
    ["[]", "4:8 stack: must name at least one stack file"],
    ["5", "4:8 stack: must be the path of a stack file (docker-stack.yml), or a list of them"],
    ['""', "4:8 stack: must be the path of a stack file (docker-stack.yml), or a list of them"],
  ])("stack: %s", (ref, message) => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(ref) });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, SCENARIO)}:${message}`);
  });
});

const NOTED = `version: "3.8"
services:
  a:
    image: a:1
    depends_on: [b]
    volumes: ["data:/data"]
    configs: [conf]
    secrets: [pass]
    environment: {A: "1"}
    x-foo: 1
    healthcheck: {test: ["CMD", "true"], interval: 5s}
  b:
    image: b:1
    depends_on: [a]
    volumes: ["data:/data"]
    configs: [conf]
    secrets: [pass]
    environment: [A=1]
    x-foo: 2
    healthcheck: {test: "true"}
    deploy:
      labels: {team: shop}
volumes: {data: }
configs: {conf: {file: ./conf.txt}}
secrets: {pass: {external: true}}
x-defaults: {}
`;

describe("notes: what nothing reads, one line per field, merged across services", () => {
  test("each field once, naming the services, at its first line", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: NOTED });
    const f = join(dir, STACK);
    expect(load(dir).notes).toEqual([
      `${f}:5: depends_on: ignored by docker stack deploy: Swarm starts a stack's services in no particular order (services a, b)`,
      `${f}:6: volumes: not simulated (the model has no storage) (services a, b)`,
      `${f}:7: configs: not simulated (services a, b)`,
      `${f}:8: secrets: not simulated (services a, b)`,
      `${f}:9: environment: not simulated (a container's behaviour comes from its request and start-up costs) (services a, b)`,
      `${f}:10: x-foo: an extension field for other tools; not read (services a, b)`,
      `${f}:11: healthcheck.test: the command is not run: the model's check is a request to the container that costs healthcheck.cpu (services a, b)`,
      `${f}:22: deploy.labels: not simulated (service b)`,
      `${f}:23: top-level volumes: not simulated (the model has no storage)`,
      `${f}:24: top-level configs: not simulated`,
      `${f}:25: top-level secrets: not simulated`,
    ]);
  });
});

describe("fields brought in by a merge key", () => {
  test("are reported at the path of the map they merge into, at their own line", () => {
    const dir = write({
      [SCENARIO]: stackScenarioYaml(),
      [STACK]: "x-common: &common\n  deploy: {replcas: 2}\nservices:\n  web:\n    image: w:1\n    <<: *common\n",
    });
    const err = errorOf(() => load(dir));
    expect(err.issues.map((i) => [i.line, i.col, i.path])).toEqual([[2, 12, "services.web.deploy.replcas"]]);
  });
});

describe("what docker stack deploy refuses in a service", () => {
  test("replicas with mode: global", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: "services:\n  agent:\n    image: a:1\n    deploy: {mode: global, replicas: 2}\n" });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, STACK)}:4:38 services.agent.deploy.replicas: replicas can only be used with mode: replicated (docker stack deploy refuses it)`);
  });

  test("x-orchsim misspelt (every simulation field under it would be lost)", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: "services:\n  web:\n    image: a:1\n    x-orchism: {request: {cpu: 5ms}}\n" });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, STACK)}:4:5 services.web.x-orchism: did you mean x-orchsim? (an extension field of another name is not read)`);
  });

  test("x-orchsim's neighbours that are not typos of it stay other tools' fields", () => {
    for (const key of ["x-orchsim-old", "x-orch", "x-traefik"]) {
      const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: `services:\n  web:\n    image: a:1\n    ${key}: {a: 1}\n` });
      expect(load(dir).notes, key).toEqual([expect.stringContaining(`${key}: an extension field for other tools; not read`)]);
    }
  });

  test("cpus as Docker reads them (a rational number), in service", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: "services:\n  a: {image: a:1, deploy: {resources: {limits: {cpus: '.5'}}}}\n  b: {image: a:1, deploy: {resources: {limits: {cpus: '5e-1'}}}}\n  c: {image: a:1, deploy: {resources: {limits: {cpus: '1/2'}}}}\n  d: {image: a:1, deploy: {resources: {limits: {cpus: '1.'}}}}\n" });
    expect(load(dir).services.map((s) => s.resources.limits.cpuCores)).toEqual([0.5, 0.5, 0.5, 1]);
  });

  test("cpus in the scenario's millicores", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: "services:\n  web:\n    image: a:1\n    deploy: {resources: {limits: {cpus: 500m}, reservations: {cpus: '0.25'}}}\n" });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, STACK)}:4:41 services.web.deploy.resources.limits.cpus: "500m" is not a number of CPUs (docker stack deploy refuses it; write 0.5 for half a CPU)`);
  });
});

describe("jobs, which docker stack deploy runs and the model does not", () => {
  test("a replicated-job service is left out, with a note; the other services run", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: "services:\n  migrate:\n    image: m:1\n    deploy:\n      mode: replicated-job\n  web:\n    image: w:1\n" });
    const s = load(dir);
    expect(s.services.map((x) => x.name)).toEqual(["web"]);
    expect(s.notes).toEqual([`${join(dir, STACK)}:5: deploy.mode: replicated-job: jobs (tasks that run once to completion) are not simulated; the service is left out (service migrate)`]);
  });
});
