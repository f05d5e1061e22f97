// A service's `ports` in Compose's short and long syntax, and the published ports Swarm picks
// itself (from 30000 up) for ports that give none.

import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseShort } from "../../../src/scenario/stack/ports.js";
import { errorOf, folders, load, stackScenarioYaml, service, SCENARIO, STACK } from "./helpers.js";

describe("parseShort", () => {
  test.each([
    ["80", { ip: "", protocol: "tcp", pairs: [[undefined, 80]] }],
    ["8080:80", { ip: "", protocol: "tcp", pairs: [[8080, 80]] }],
    ["127.0.0.1:8080:80", { ip: "127.0.0.1", protocol: "tcp", pairs: [[8080, 80]] }],
    ["127.0.0.1::80", { ip: "127.0.0.1", protocol: "tcp", pairs: [[undefined, 80]] }],
    ["[::1]:8080:80", { ip: "::1", protocol: "tcp", pairs: [[8080, 80]] }],
    ["[::1]::80", { ip: "::1", protocol: "tcp", pairs: [[undefined, 80]] }],
    ["53:53/udp", { ip: "", protocol: "udp", pairs: [[53, 53]] }],
    ["5000-5002:80-82", { ip: "", protocol: "tcp", pairs: [[5000, 80], [5001, 81], [5002, 82]] }],
    ["80-81", { ip: "", protocol: "tcp", pairs: [[undefined, 80], [undefined, 81]] }],
    ["1:65535", { ip: "", protocol: "tcp", pairs: [[1, 65535]] }],
    ["7000-7002:7000", { ip: "", protocol: "tcp", pairs: [[7000, 7000], [7001, 7000], [7002, 7000]] }],
    ["8080:80/TCP", { ip: "", protocol: "tcp", pairs: [[8080, 80]] }],
  ])("%j", (text, expected) => {
    expect(parseShort(text)).toEqual(expected);
  });

  const bad = (text: string, why: string): string => `${JSON.stringify(text)} is not a port mapping (${why}; e.g. "8080:80", "80" or "53:53/udp")`;
  const CONTAINER = "the container port must be a number from 1 to 65535 or a range such as 80-82";
  const PUBLISHED = "the published port must be a number from 1 to 65535 or a range such as 8080-8082";

  test.each([
    ["5000-5002:80-81", "the published and container ranges differ in length"],
    ["abc", CONTAINER],
    ["", CONTAINER],
    ["8080:", CONTAINER],
    ["80:70000", CONTAINER],
    ["82-80", CONTAINER],
    ["x:80", PUBLISHED],
    ["0:80", PUBLISHED],
    ["1:2:3:4", "too many colons"],
    ["[::1]:1:2:3", "after an IPv6 address come the published and the container port"],
  ])("%j is refused", (text, why) => {
    expect(parseShort(text)).toBe(bad(text, why));
  });
});

const write = folders();

function loadStack(stack: string): { s: ReturnType<typeof load>; file: string } {
  const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: stack });
  return { s: load(dir), file: join(dir, STACK) };
}

describe("through the loader", () => {
  test("long syntax: target, published, protocol and mode", () => {
    const { s } = loadStack(`services:
  dns:
    image: dns:1
    ports:
      - {target: 53, published: 5353, protocol: udp, mode: host}
      - target: 80
        published: "8080"
`);
    expect(service(s, "dns").ports).toEqual([
      { published: 5353, target: 53, protocol: "udp", mode: "host" },
      { published: 8080, target: 80, protocol: "tcp", mode: "ingress" },
    ]);
    expect(s.notes).toEqual([]);
  });

  test("short syntax: a number, a mapping, a protocol and a range", () => {
    const { s } = loadStack(`services:\n  web:\n    image: web:1\n    ports: [8443, "8080:80", "53:53/udp", "5000-5001:90-91"]\n`);
    expect(service(s, "web").ports).toEqual([
      { published: 30000, target: 8443, protocol: "tcp", mode: "ingress" },
      { published: 8080, target: 80, protocol: "tcp", mode: "ingress" },
      { published: 53, target: 53, protocol: "udp", mode: "ingress" },
      { published: 5000, target: 90, protocol: "tcp", mode: "ingress" },
      { published: 5001, target: 91, protocol: "tcp", mode: "ingress" },
    ]);
  });

  test("a host address is a note: Swarm publishes on every address", () => {
    const { s, file } = loadStack(`services:\n  web:\n    image: web:1\n    ports: ["127.0.0.1:8080:80"]\n`);
    expect(service(s, "web").ports).toEqual([{ published: 8080, target: 80, protocol: "tcp", mode: "ingress" }]);
    expect(s.notes).toEqual([`${file}:4: ports (host address): 127.0.0.1 is ignored by Swarm, which publishes on every address (service web)`]);
  });

  test("a port without a published port gets 30000, with a note", () => {
    const { s, file } = loadStack(`services:\n  web:\n    image: web:1\n    ports: ["80"]\n`);
    expect(service(s, "web").ports).toEqual([{ published: 30000, target: 80, protocol: "tcp", mode: "ingress" }]);
    expect(s.notes).toEqual([
      `${file}:4: ports (no published port): Swarm publishes it on a port of its dynamic range; here 30000 (service web)`,
    ]);
  });

  test("dynamic ports go in stack order and skip ports published explicitly anywhere", () => {
    const { s } = loadStack(`services:
  a:
    image: a:1
    ports: ["80", {target: 81}]
  b:
    image: b:1
    ports: ["30000:90", "30002:91", "92"]
  c:
    image: c:1
    ports: ["93/udp"]
`);
    const published = (name: string): number[] => service(s, name).ports.map((p) => p.published);
    expect(published("a")).toEqual([30001, 30003]);
    expect(published("b")).toEqual([30000, 30002, 30004]);
    expect(published("c")).toEqual([30005]);
    expect(service(s, "c").ports[0]?.protocol).toBe("udp");
    expect(s.notes.map((n) => /here (\d+)/.exec(n)?.[1])).toEqual(["30001", "30003", "30004", "30005"]);
  });

  test("sctp, which the model has not, is simulated as tcp, with a note", () => {
    const { s, file } = loadStack(`services:\n  web:\n    image: w:1\n    ports: ["9000:9000/sctp"]\n`);
    expect(service(s, "web").ports).toEqual([{ published: 9000, target: 9000, protocol: "tcp", mode: "ingress" }]);
    expect(s.notes).toEqual([`${file}:4: ports (sctp): simulated as tcp (service web)`]);
  });

  test("a host-mode port with no published port: each task's own port in Swarm, one port here, said so", () => {
    const { s, file } = loadStack(`services:\n  web:\n    image: w:1\n    ports: [{target: 9090, mode: host}]\n`);
    expect(service(s, "web").ports).toEqual([{ published: 30000, target: 9090, protocol: "tcp", mode: "host" }]);
    expect(s.notes).toEqual([`${file}:4: ports (host mode, no published port): Swarm gives each task a port of its own; simulated as 30000 on each task's node (service web)`]);
  });

  test("x- fields inside a long-syntax port are noted", () => {
    const { s, file } = loadStack(`services:\n  web:\n    image: w:1\n    ports: [{target: 80, published: 80, x-lb: edge}]\n`);
    expect(s.notes).toEqual([`${file}:4: ports.x-lb: an extension field for other tools; not read (service web)`]);
  });

  test("a bad short port is an error at the list item", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: `services:\n  web:\n    image: web:1\n    ports:\n      - "80"\n      - "9:9x"\n` });
    const e = errorOf(() => load(dir));
    expect(e.issues).toEqual([
      {
        file: join(dir, STACK),
        line: 6,
        col: 9,
        path: "services.web.ports.1",
        message: `"9:9x" is not a port mapping (the container port must be a number from 1 to 65535 or a range such as 80-82; e.g. "8080:80", "80" or "53:53/udp")`,
      },
    ]);
  });

  test("two services publishing the same port are refused by the scenario's own check", () => {
    const dir = write({ [SCENARIO]: stackScenarioYaml(), [STACK]: `services:\n  a:\n    image: a:1\n    ports: ["80:80"]\n  b:\n    image: b:1\n    ports: ["80:81"]\n` });
    const e = errorOf(() => load(dir));
    expect(e.issues).toEqual([
      { file: join(dir, STACK), line: 7, col: 13, path: "services.b.ports.0", message: "port 80/tcp is already published in ingress mode by service a" },
    ]);
  });
});
