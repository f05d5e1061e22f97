// Several stack files, merged in order as `docker stack deploy -c a.yml -c b.yml` merges them:
// through the loader (what the services become), and mergeCompose on its own for the parts of a
// service the simulation does not read (environment, healthcheck.test, command).

import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { Ctx } from "../../../src/scenario/context.js";
import { parseYaml } from "../../../src/scenario/parse.js";
import type { Raw } from "../../../src/scenario/raw.js";
import { mergeCompose } from "../../../src/scenario/stack/merge.js";
import { toPlain } from "../../../src/scenario/stack/schema.js";
import { errorOf, folders, GIB, load, stackScenarioYaml, service, S, SCENARIO } from "./helpers.js";

const A = `version: "3.8"
services:
  web:
    image: web:1
    environment: {A: "1"}
    healthcheck:
      test: ["CMD", "check-a"]
      interval: 10s
      retries: 5
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "1"}
      placement:
        constraints: [node.role == worker, node.labels.disk == ssd]
  db:
    image: postgres:16
networks:
  front:
`;

const B = `version: "3.8"
services:
  web:
    image: web:2
    environment: {B: "2"}
    healthcheck:
      test: ["CMD", "check-b"]
      timeout: 2s
    deploy:
      replicas: 5
      resources:
        limits: {memory: 1G}
      placement:
        constraints: [node.labels.disk == ssd, node.labels.zone == a]
  worker:
    image: worker:1
    networks: [front]
networks:
  front:
    attachable: true
`;

const write = folders();

describe("stack: [a.yml, b.yml]", () => {
  const dir = write({ [SCENARIO]: stackScenarioYaml(["a.yml", "b.yml"]), "a.yml": A, "b.yml": B });
  const s = load(dir);
  const web = service(s, "web");

  test("the services of both files, a's first, then what b adds", () => {
    expect(s.services.map((x) => x.name)).toEqual(["web", "db", "worker"]);
    expect(service(s, "db").image.name).toBe("postgres:16");
    expect(service(s, "worker")).toMatchObject({ image: { name: "worker:1" }, networks: ["front"], replicas: 1 });
  });

  test("a later scalar replaces an earlier one", () => {
    expect(web.replicas).toBe(5);
    expect(web.image.name).toBe("web:2");
  });

  test("maps merge key by key", () => {
    expect(web.resources.limits).toEqual({ cpuCores: 1, memoryBytes: GIB });
    expect(web.healthcheck).toMatchObject({ intervalUs: 10 * S, retries: 5, timeoutUs: 2 * S });
    expect(s.networks.find((n) => n.name === "front")?.attachable).toBe(true);
  });

  test("lists are appended, leaving out items already there", () => {
    expect(web.placement.constraints).toEqual(["node.role == worker", "node.labels.disk == ssd", "node.labels.zone == a"]);
  });

  test("the order of the files matters", () => {
    const swapped = load(write({ [SCENARIO]: stackScenarioYaml(["b.yml", "a.yml"]), "a.yml": A, "b.yml": B }));
    const w = service(swapped, "web");
    expect([w.replicas, w.image.name]).toEqual([2, "web:1"]);
    expect(swapped.services.map((x) => x.name)).toEqual(["web", "worker", "db"]);
    expect(w.placement.constraints).toEqual(["node.labels.disk == ssd", "node.labels.zone == a", "node.role == worker"]);
  });

  test("a problem in a value that survived the merge names the file it came from", () => {
    const bad = A.replace("interval: 10s", "interval: 10 sec");
    const d = write({ [SCENARIO]: stackScenarioYaml(["a.yml", "b.yml"]), "a.yml": bad, "b.yml": B });
    expect(errorOf(() => load(d)).message).toBe(`${join(d, "a.yml")}:8:17 services.web.healthcheck.interval: "10 sec" is not a duration (try 10s)`);
  });

  test("a problem in each file: both are reported, file by file", () => {
    const d = write({
      [SCENARIO]: stackScenarioYaml(["a.yml", "b.yml"]),
      "a.yml": A.replace("replicas: 2", "replics: 2"),
      "b.yml": B.replace("image: worker:1", "image: [worker]"),
    });
    expect(errorOf(() => load(d)).message).toBe(
      [
        `${join(d, "a.yml")}:11:7 services.web.deploy.replics: "replics" is not a Compose field here (did you mean replicas?)`,
        `${join(d, "b.yml")}:16:12 services.worker.image: must be text (got a list)`,
      ].join("\n"),
    );
  });
});

/** Two Compose texts merged, as plain JSON. */
function merged(a: string, b: string): unknown {
  const ctx = new Ctx("x.yaml");
  const trees = [parseYaml(a, ctx, "a.yml"), parseYaml(b, ctx, "b.yml")];
  expect(ctx.notes).toEqual([]);
  return toPlain(mergeCompose(trees[0] as Raw, trees[1] as Raw));
}

describe("list items are equal whatever the order of their keys", () => {
  test("the same long-syntax port in both files, keys in another order, is one port", () => {
    const dir = write({
      [SCENARIO]: stackScenarioYaml(["a.yml", "b.yml"]),
      "a.yml": "services:\n  web:\n    image: w:1\n    ports: [{target: 90, published: 9090}]\n",
      "b.yml": "services:\n  web:\n    ports: [{published: 9090, target: 90}]\n",
    });
    expect(service(load(dir), "web").ports).toEqual([{ published: 9090, target: 90, protocol: "tcp", mode: "ingress" }]);
  });
});

describe("mergeCompose", () => {
  test("environment maps merge: b adds a key, and replaces one both have", () => {
    expect(merged("environment: {A: '1', C: '3'}\n", "environment: {B: '2', C: 'c'}\n")).toEqual({ environment: { A: "1", C: "c", B: "2" } });
  });

  test("healthcheck.test, command and entrypoint are replaced, not appended", () => {
    const a = "services:\n  w:\n    healthcheck: {test: [CMD, a], interval: 5s}\n    command: [run, a]\n    entrypoint: [sh]\n";
    const b = "services:\n  w:\n    healthcheck: {test: [CMD, b]}\n    command: [run, b]\n    entrypoint: [bash]\n";
    expect(merged(a, b)).toEqual({ services: { w: { healthcheck: { test: ["CMD", "b"], interval: "5s" }, command: ["run", "b"], entrypoint: ["bash"] } } });
  });

  test("a list named command elsewhere is appended like any list", () => {
    expect(merged("x-tool: {command: [a]}\n", "x-tool: {command: [b]}\n")).toEqual({ "x-tool": { command: ["a", "b"] } });
  });

  test("a service's ports merge by what they publish, short and long syntax alike", () => {
    const a = "services:\n  w:\n    ports: ['8080:80']\n";
    const b = "services:\n  w:\n    ports: [{target: 80, published: 8080}, '9090:90']\n";
    expect(merged(a, b)).toEqual({ services: { w: { ports: ["8080:80", "9090:90"] } } });
  });

  test("a service's networks as a list and as a map merge into one map", () => {
    const a = "services:\n  w:\n    networks: [front]\n";
    const b = "services:\n  w:\n    networks: {back: {aliases: [x]}}\n";
    expect(merged(a, b)).toEqual({ services: { w: { networks: { front: null, back: { aliases: ["x"] } } } } });
  });

  test("other lists append the items they do not have; equal maps count as present", () => {
    const a = "ports: ['80:80', {target: 90, published: 9090}]\nconstraints: [x, y]\n";
    const b = "ports: [{target: 90, published: 9090}, '80:80', '81:81', {target: 91}]\nconstraints: [y, z, x]\n";
    expect(merged(a, b)).toEqual({
      ports: ["80:80", { target: 90, published: 9090 }, "81:81", { target: 91 }],
      constraints: ["x", "y", "z"],
    });
  });

  test("a scalar, list or map replaces a value of another kind", () => {
    expect(merged("a: [1]\nb: {x: 1}\nc: 1\n", "a: {y: 2}\nb: 2\nc: [3]\n")).toEqual({ a: { y: 2 }, b: 2, c: [3] });
  });
});
