// How a run forms its cluster before t = 0 (engine/run.ts formed): the managers elect a leader,
// then the nodes join, then the services are created through the API once every node is READY.
import { expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { Run } from "../../src/engine/run.js";
import { TaskState } from "../../src/api/task-state.js";
import { API_TIMEOUT_US } from "../../src/manager/control-plane.js";
import { runYaml, scenarioYaml } from "../helpers.js";

const YAML = scenarioYaml({ name: "formation", seed: 2, duration: "1m" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 6, cpu: 2, memory: 4GiB}]
services: [{name: web, replicas: 6}, {name: agent, mode: global}]
`);

function deploy(run: Run): void {
  while (run.deploying) run.advance(1_000);
}

it("the services are created once every node is READY, after the leader's election", () => {
  const run = new Run(parseScenario(YAML, "formation.yaml"), { out: null });
  const events: { t: number; kind: string; status?: unknown; service?: unknown }[] = [];
  run.world.recorder.listen((e) => events.push({ t: run.world.sim.now(), kind: e.kind, status: e["status"], service: e["service"] }));
  deploy(run);
  const store = run.world.control.viewStore();
  expect([...store.services.keys()].sort()).toEqual(["agent", "web"]);
  const lastReady = Math.max(...events.filter((e) => e.kind === "node" && e.status === "ready").map((e) => e.t));
  const firstTask = Math.min(...events.filter((e) => e.kind === "task").map((e) => e.t));
  const elected = events.find((e) => e.kind === "leader")!.t;
  expect(lastReady).toBeGreaterThan(elected);
  expect(firstTask).toBeGreaterThan(lastReady);
  expect([...store.tasks.values()].filter((t) => t.state === TaskState.RUNNING)).toHaveLength(6 + 6); // 6 web, one agent per worker (the managers are drained)
});

it("manager-1 leads from the start, as after `docker swarm init`: elected within milliseconds, whatever the seed", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const run = new Run(parseScenario(YAML.replace("seed: 2", `seed: ${seed}`), "formation.yaml"), { out: null });
    const start = run.world.sim.now();
    const leaders: { t: number; leader: unknown }[] = [];
    run.world.recorder.listen((e) => { if (e.kind === "leader") leaders.push({ t: run.world.sim.now(), leader: e["leader"] }); });
    deploy(run);
    expect(leaders[0]!.leader).toBe("manager-1");
    // It campaigns as it starts; the votes and their disk writes take milliseconds.
    expect(leaders[0]!.t - start).toBeLessThan(100_000);
  }
});

it("a creation lost on its way (its leader gone before it committed) is asked again after the API's timeout", () => {
  const run = new Run(parseScenario(YAML, "formation.yaml"), { out: null });
  const control = run.world.control;
  const submit = control.submit.bind(control);
  const asked: number[] = [];
  control.submit = (cmds, onTimeout) => {
    if (cmds.some((c) => c.type === "CreateService")) asked.push(run.world.sim.now());
    if (asked.length === 1) return true; // accepted, then lost with its leader: never committed
    return submit(cmds, onTimeout);
  };
  deploy(run);
  expect(asked).toHaveLength(2);
  expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(API_TIMEOUT_US);
  expect(asked[1]! - asked[0]!).toBeLessThan(API_TIMEOUT_US + 200_000); // at the next step or so
  expect([...control.viewStore().services.keys()].sort()).toEqual(["agent", "web"]);
  expect([...control.viewStore().tasks.values()].filter((t) => t.state === TaskState.RUNNING)).toHaveLength(12);
  // Asked again 20 s later (swarmkit's API timeout), so the deployment took that much longer.
  expect(run.world.originUs).toBeGreaterThan(20_000_000);
});

it("a node that never becomes READY is waited for five minutes, then deployed around", () => {
  const run = new Run(parseScenario(YAML, "formation.yaml"), { out: null });
  const silent = run.world.hosts.find((h) => h.name === "w-6")!;
  silent.agent!.start = () => {}; // its agent never opens a session
  deploy(run);
  const store = run.world.control.viewStore();
  expect(store.nodes.get("w-6")!.status).not.toBe("ready");
  expect([...store.services.keys()].sort()).toEqual(["agent", "web"]);
  // Created after the five minutes, and deployed on the other five workers at once, not after the hour's limit.
  expect(run.world.originUs).toBeGreaterThan(300_000_000);
  expect(run.world.originUs).toBeLessThan(330_000_000);
  const running = [...store.tasks.values()].filter((t) => t.state === TaskState.RUNNING);
  expect(running.filter((t) => t.service === "web")).toHaveLength(6);
  expect(running.some((t) => t.nodeId === "w-6")).toBe(false);
});

it("a crash-looping service never lets the deployment settle: it gives up after a simulated hour and says so, naming the service (walkthrough)", () => {
  const looping = runYaml(YAML, ["services.web.startup={failRate: 1}"]);
  expect(looping.summary.notes).toContain("initial deployment took 3600 s of simulated time before t = 0");
  expect(looping.summary.notes).toContain(
    "the initial deployment gave up after 1h of simulated time, with web still starting or restarting (a crash-looping service never settles): t = 0 starts there, with the cluster as it was",
  );
  expect(runYaml(YAML).summary.notes.filter((n) => n.includes("gave up"))).toEqual([]);
});
