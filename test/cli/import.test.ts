// `orchsim import` and the README's workflow from a stack file to a report, as a user runs it.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, orchsim, tempDir } from "./cli.js";

const WEBSHOP = "examples/stacks/webshop/docker-stack.yml";

describe("a stack file given where a scenario is expected", () => {
  it("gets one message that says what it is and what to do, not a list of wrong fields", () => {
    const dir = tempDir();
    const r = orchsim(["run", WEBSHOP, "--out", path.join(dir, "o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${WEBSHOP}:1:1 this is a Compose / docker stack deploy file, not an orchsim scenario: write a scenario around it with \`orchsim import ${WEBSHOP}\`, or name it in a scenario's \`stack:\`\n`);
    expect(fs.existsSync(path.join(dir, "o"))).toBe(false);
    // A scenario (version: 1) that writes services as a map gets the scenario's own message.
    fs.writeFileSync(path.join(dir, "s.yaml"), "version: 1\nname: s\nduration: 1m\nservices: {web: {replicas: 2}}\n");
    expect(orchsim(["validate", path.join(dir, "s.yaml")]).stderr).toContain("services: must be a list (got a map)");
  });
});

describe("orchsim import", () => {
  it("writes a starter scenario that references the stack, sized to its reservations and constraints, and says what it did not map", () => {
    const dir = tempDir();
    const out = path.join(dir, "my-shop.yaml");
    const r = orchsim(["import", WEBSHOP, "-o", out]);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(out, "utf8");
    const s = parse(text) as { name: string; stack: string; cluster: { nodeGroups: { name: string; count: number; labels?: Record<string, string> }[] }; services: { name: string }[]; workload: { service: string }[] };
    expect(path.resolve(dir, s.stack)).toBe(path.join(ROOT, WEBSHOP));
    // Given as an absolute path, it is written relative to the scenario as well.
    const fromAbsolute = path.join(dir, "abs.yaml");
    expect(orchsim(["import", path.join(ROOT, WEBSHOP), "-o", fromAbsolute]).code).toBe(0);
    const absStack = (parse(fs.readFileSync(fromAbsolute, "utf8")) as { stack: string }).stack;
    expect(path.isAbsolute(absStack)).toBe(false);
    expect(path.resolve(dir, absStack)).toBe(path.join(ROOT, WEBSHOP));
    expect(s.name).toBe("my-shop"); // so `orchsim run my-shop.yaml` writes out/my-shop, as the README says
    expect(s.services.map((x) => x.name)).toEqual(["web", "api", "db", "cache"]);
    // db's constraint node.labels.db == true gets a node group with that label.
    expect(s.cluster.nodeGroups.find((g) => g.labels?.["db"] === "true")).toBeDefined();
    expect(s.workload.map((w) => w.service)).toEqual(["web"]);
    // The simulation fields to decide are there, commented, with their defaults.
    expect(text).toMatch(/# request: \{cpu: 10ms/);
    // The README quotes this line (the file named as the user named it, from the project).
    expect(orchsim(["import", WEBSHOP]).stderr).toContain("note: examples/stacks/webshop/docker-stack.yml:14: depends_on: ignored by docker stack deploy: Swarm starts a stack's services in no particular order (service web)\n");
    expect(r.stderr).toMatch(/secrets: not simulated \(services api, db\)/);
    expect(r.stderr).toMatch(/wrote .*my-shop\.yaml \(4 services\)/);
  });

  it("its scenario runs as written, and report turns the run into report.html and story.md (the README's workflow)", () => {
    const dir = tempDir();
    const scenario = path.join(dir, "my-shop.yaml");
    expect(orchsim(["import", WEBSHOP, "-o", scenario]).code).toBe(0);
    const outDir = path.join(dir, "out");
    const r = orchsim(["run", scenario, "--set", "duration=2m", "--out", outDir, "--report", "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, "summary.json"), "utf8")) as { services: Record<string, { arrivals: number }>; notes: string[] };
    expect(summary.services["web"]!.arrivals).toBeGreaterThan(5_000);
    expect(summary.notes.some((n) => n.includes("depends_on"))).toBe(true);
    expect(fs.existsSync(path.join(outDir, "report.html"))).toBe(true);
    expect(fs.existsSync(path.join(outDir, "story.md"))).toBe(true);
  });

  it("a run lists each of the stack's notes once on the terminal, before it starts, and all of them in summary.json", () => {
    const dir = tempDir();
    const r = orchsim(["run", "examples/stacks/webshop/webshop.yaml", "--out", path.join(dir, "o")]);
    expect(r.code).toBe(0);
    const notes = (JSON.parse(fs.readFileSync(path.join(dir, "o", "summary.json"), "utf8")) as { notes: string[] }).notes;
    const stack = notes.filter((n) => n.startsWith("examples/stacks/webshop/docker-stack.yml:"));
    expect(stack.length).toBeGreaterThan(3);
    const terminal = r.stdout + r.stderr;
    for (const n of stack) {
      expect(terminal.split(n).length - 1, n).toBe(1);
      expect(r.stderr).toContain(`note: ${n}\n`);
    }
    // The deployment's note is known only after the run: the summary says it.
    expect(r.stdout).toMatch(/note: initial deployment took [\d.]+ s of simulated time before t = 0/);
  });

  it("a stack file that cannot be read is named as the user gave it, with no scenario written", () => {
    const dir = tempDir();
    const out = path.join(dir, "what-if.yaml");
    const missing = path.join(dir, "docker-stack.yml");
    for (const args of [["import", missing, "-o", out], ["import", missing]]) {
      const r = orchsim(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`orchsim: cannot read ${missing}: no such file\n`);
      expect(r.stdout).toBe("");
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a scenario given as the stack gets one message that says what it is and what to do, not a list of wrong Compose fields (walkthrough)", () => {
    const dir = tempDir();
    const out = path.join(dir, "s.yaml");
    const scenario = "scenarios/hello-cluster.yaml";
    const r = orchsim(["import", scenario, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${scenario}:1:1 this is an orchsim scenario, not a Compose / docker stack deploy file: run it with \`orchsim run ${scenario}\`\n`);
    expect(fs.existsSync(out)).toBe(false);
    // The same when a scenario's stack: names one; a Compose file is still read as Compose.
    fs.copyFileSync(path.join(ROOT, scenario), path.join(dir, "inner.yaml"));
    fs.writeFileSync(path.join(dir, "outer.yaml"), "version: 1\nname: outer\nduration: 1m\nstack: ./inner.yaml\ncluster: {managers: {count: 1}}\n");
    expect(orchsim(["validate", path.join(dir, "outer.yaml")]).stderr).toBe(`${path.join(dir, "inner.yaml")}:1:1 this is an orchsim scenario, not a Compose / docker stack deploy file: run it with \`orchsim run ${path.join(dir, "inner.yaml")}\`\n`);
    fs.writeFileSync(path.join(dir, "docker-stack.yml"), "version: \"3.8\"\nservices:\n  web: {image: nginx}\n");
    expect(orchsim(["import", path.join(dir, "docker-stack.yml")]).code).toBe(0);
  });

  it("with no -o prints the scenario; an existing file is not overwritten without --force", () => {
    const r = orchsim(["import", WEBSHOP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# A starter scenario/);
    const dir = tempDir();
    const out = path.join(dir, "x.yaml");
    fs.writeFileSync(out, "mine");
    const again = orchsim(["import", WEBSHOP, "-o", out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; refusing to overwrite it/);
    expect(fs.readFileSync(out, "utf8")).toBe("mine");
    expect(orchsim(["import", WEBSHOP, "-o", out, "--force"]).code).toBe(0);
  });

  it("a broken stack gets one message per problem at the stack file's line and column, exit 2, and no file", () => {
    const dir = tempDir();
    const stack = path.join(dir, "docker-stack.yml");
    fs.writeFileSync(stack, "services:\n  web:\n    image: nginx\n    deploy:\n      replcas: 2\n");
    const out = path.join(dir, "s.yaml");
    const r = orchsim(["import", stack, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${stack}:5:7 services.web.deploy.replcas: "replcas" is not a Compose field here (did you mean replicas?)\n`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a service on the managers that also needs a label gets the label on the managers, and runs (Traefik's usual constraints)", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "docker-stack.yml"), `version: "3.8"
services:
  traefik:
    image: traefik:v3
    ports:
      - {target: 80, published: 80, mode: host}
      - "8080:8080"
    deploy:
      placement:
        constraints: [node.role == manager, node.labels.traefik-public.certificates == true, node.platform.os == linux]
`);
    const r = orchsim(["import", "docker-stack.yml", "-o", "s.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/not satisfied/);
    expect(fs.readFileSync(path.join(dir, "s.yaml"), "utf8")).toMatch(/managers: \{count: 3, cpu: 2, memory: 4GiB, labels: \{traefik-public\.certificates: "true"\}\}/);
    // The clients take the port published through the mesh, not the first (host mode, on one manager of three).
    expect(fs.readFileSync(path.join(dir, "s.yaml"), "utf8")).toContain("  - {name: traefik-clients, service: traefik, rate: 50/s, port: 8080}\n");
    const run = orchsim(["run", "s.yaml", "--set", "duration=1m", "--quiet", "--out", "o"], dir);
    expect(run.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "o", "summary.json"), "utf8")) as { services: Record<string, { tasks_running: number; tasks_pending: number; arrivals: number; errors: number }> };
    expect(summary.services["traefik"]).toMatchObject({ tasks_running: 1, tasks_pending: 0, errors: 0 });
    expect(summary.services["traefik"]!.arrivals).toBeGreaterThan(2_000);
  });

  it("shows each service's calls beside its request, as the stack's x-orchsim says them; the line loads uncommented", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "docker-stack.yml"), `services:
  web:
    image: web:1
    ports: ["80:80"]
    x-orchsim: {request: {calls: [{service: api, count: 2}]}}
  api:
    image: api:1
`);
    expect(orchsim(["import", "docker-stack.yml", "-o", "s.yaml"], dir).code).toBe(0);
    const text = fs.readFileSync(path.join(dir, "s.yaml"), "utf8");
    expect(text).toContain("    # request: {cpu: 10ms, distribution: exponential, calls: [{service: api, count: 2, timeout: 30s}]}\n");
    expect(text).toContain("    # request: {cpu: 10ms, distribution: exponential, calls: []}\n");
    fs.writeFileSync(path.join(dir, "s.yaml"), text.replace(/ {4}# request: /g, "    request: "));
    expect(orchsim(["validate", "s.yaml"], dir).code).toBe(0);
  });

  it("shows a service's autoscaler as x-orchsim sets it, and marks the line of one without as an example (walkthrough: it read as in effect)", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "docker-stack.yml"), `services:
  web:
    image: web:1
    deploy: {replicas: 2}
    x-orchsim: {autoscale: {min: 2, max: 5, targetCpu: 55%}}
  api:
    image: api:1
    deploy: {replicas: 3}
`);
    expect(orchsim(["import", "docker-stack.yml", "-o", "s.yaml"], dir).code).toBe(0);
    const text = fs.readFileSync(path.join(dir, "s.yaml"), "utf8");
    expect(text).toContain("    # autoscale: {min: 2, max: 5, targetCpu: 55%}\n");
    expect(text).toContain("    # autoscale: {min: 3, max: 9, targetCpu: 70%}   # none now; an example to start from\n");
  });

  it("--env-file fills ${VAR} in the stack; the environment wins over it", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "docker-stack.yml"), "services:\n  web:\n    image: nginx:${TAG:?set TAG}\n    ports: ['80:80']\n    deploy: {replicas: '${N}'}\n");
    fs.writeFileSync(path.join(dir, "prod.env"), "TAG=1.25\nN=4\n");
    const missing = orchsim(["import", "docker-stack.yml"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/docker-stack\.yml:3:12 services\.web\.image: required variable TAG is missing a value: set TAG/);
    const r = orchsim(["import", "docker-stack.yml", "--env-file", "prod.env", "-o", "s.yaml"], dir);
    expect(r.code).toBe(0);
    const v = orchsim(["validate", "s.yaml", "--env-file", "prod.env"], dir);
    expect(v.stdout).toMatch(/s\.yaml: ok/);
  });
});
