// A stack file as people write them for `docker stack deploy`: nothing in it is for orchsim,
// and it loads without an error, everything it says that the simulation does not read left as
// notes.

import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { errorOf, folders, GIB, load, MIB, stackScenarioYaml, service, S, SCENARIO, STACK } from "./helpers.js";

const STACK_FILE = `version: "3.8"

x-common: &common
  restart: unless-stopped
  logging:
    driver: json-file
    options: {max-size: 10m}
  deploy:
    restart_policy:
      condition: on-failure
      delay: 5s

services:
  proxy:
    <<: *common
    image: traefik:v2.11
    ports:
      - "80:80"
      - 443:443
      - "8080"
    networks:
      - front
    configs:
      - source: traefik
        target: /etc/traefik/traefik.yml
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro

  app:
    <<: *common
    image: "registry.example.com/app:\${TAG:-latest}"
    depends_on:
      - db
    environment:
      - DATABASE_URL=postgres://app@db/app
      - LOG_LEVEL
    networks:
      front:
      back:
        aliases: [api]
    secrets: [db_password]
    deploy:
      replicas: 3
      resources:
        limits: {cpus: '0.50', memory: 256M}
      update_config: {parallelism: 1, delay: 10s}

  db:
    image: postgres:16
    environment:
      POSTGRES_DB: app
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    volumes:
      - db-data:/var/lib/postgresql/data
    networks: [back]
    secrets:
      - db_password
    deploy:
      placement:
        constraints: [node.labels.db == true]
      resources:
        reservations: {memory: 1G}

networks:
  front:
  back:

volumes:
  db-data:

configs:
  traefik:
    file: ./traefik.yml

secrets:
  db_password:
    external: true
`;

const write = folders();

describe("a version 3.8 stack file as people write it", () => {
  const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: STACK_FILE });
  const s = load(dir);
  const f = join(dir, STACK);

  test("the services, with what the stack says that the simulation reads", () => {
    expect(s.services.map((x) => x.name)).toEqual(["proxy", "app", "db"]);
    const [proxy, app, db] = [service(s, "proxy"), service(s, "app"), service(s, "db")];
    expect(proxy.ports).toEqual([
      { published: 80, target: 80, protocol: "tcp", mode: "ingress" },
      { published: 443, target: 443, protocol: "tcp", mode: "ingress" },
      { published: 30000, target: 8080, protocol: "tcp", mode: "ingress" },
    ]);
    expect(app).toMatchObject({
      image: { name: "registry.example.com/app:latest" },
      replicas: 3,
      networks: ["front", "back"],
      resources: { limits: { cpuCores: 0.5, memoryBytes: 256 * MIB } },
      update: { parallelism: 1, delayUs: 10 * S },
    });
    expect(db.resources.reservations.memoryBytes).toBe(GIB);
    expect(db.placement.constraints).toEqual(["node.labels.db == true"]);
    expect(db.networks).toEqual(["back"]);
  });

  test("the anchor's fields reach each service that merges it, and not the others", () => {
    // app's own deploy replaces the anchor's (a merge key is shallow), as in YAML.
    expect(service(s, "proxy").restartPolicy).toEqual({ condition: "on-failure", delayUs: 5 * S, maxAttempts: 0, windowUs: 0 });
    expect(service(s, "app").restartPolicy.condition).toBe("any");
    expect(service(s, "db").restartPolicy.condition).toBe("any");
  });

  test("networks declared with no options are overlays with Swarm's defaults", () => {
    expect(s.networks.map((n) => n.name)).toEqual(["ingress", "front", "back"]);
    for (const n of s.networks) expect(n).toMatchObject({ driver: "overlay", subnet: null, encrypted: false, mtuBytes: 1500 });
  });

  test("everything else is a note", () => {
    // Sorted by line; the anchor's fields are noted where the anchor wrote them.
    expect(s.notes).toEqual([
      `${f}:4: restart: ignored by docker stack deploy: deploy.restart_policy applies (services proxy, app)`,
      `${f}:5: logging: not simulated (services proxy, app)`,
      `${f}:20: ports (no published port): Swarm publishes it on a port of its dynamic range; here 30000 (service proxy)`,
      `${f}:23: configs: not simulated (service proxy)`,
      `${f}:26: volumes: not simulated (the model has no storage) (services proxy, db)`,
      `${f}:32: depends_on: ignored by docker stack deploy: Swarm starts a stack's services in no particular order (service app)`,
      `${f}:34: environment: not simulated (a container's behaviour comes from its request and start-up costs) (services app, db)`,
      `${f}:40: networks.aliases: not simulated (service app)`,
      `${f}:41: secrets: not simulated (services app, db)`,
      `${f}:68: top-level volumes: not simulated (the model has no storage)`,
      `${f}:71: top-level configs: not simulated`,
      `${f}:75: top-level secrets: not simulated`,
    ]);
  });
});

describe("the version line", () => {
  const body = "services:\n  web:\n    image: web:1\n";

  test.each(['"3.8"', "'3'", '"3.13"'])("version: %s", (v) => {
    const s = load(write({ [SCENARIO]: stackScenarioYaml(), [STACK]: `version: ${v}\n${body}` }));
    expect(s.services.map((x) => x.name)).toEqual(["web"]);
  });

  test("no version at all, as the Compose Specification writes it", () => {
    expect(load(write({ [SCENARIO]: stackScenarioYaml(), [STACK]: body })).services.map((x) => x.name)).toEqual(["web"]);
  });

  // docker stack deploy refuses this too: docker/cli validates the file against its v3 schemas,
  // where `version` is {"type": "string"}, so an unquoted 3.7 (a YAML float) fails with
  // "version must be a string". The Compose Specification's schema, used here, says the same.
  test("version: 3.7 unquoted is a number, and refused as the schema says", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: `version: 3.7\n${body}` });
    expect(errorOf(() => load(dir)).message).toBe(`${join(dir, STACK)}:1:10 version: must be text (got 3.7)`);
  });
});
