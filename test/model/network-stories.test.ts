// The three network stories the shipped scenarios tell, checked against each run's own outputs:
// overlay-exhaustion (a /24 runs out during a scale-up and a start-first update; a /22 does
// not), mtu-blackhole (small requests work, large responses hang; the right overlay MTU fixes
// it) and registry-storm (replacement nodes pull together through one registry's egress; the
// time is what the egress implies; pre-pulled images or a closer registry shorten it).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventsOf, runScenarioFile, seriesOf, type ModelRun } from "./model-run.js";
import { underlayFormat, wireBytes } from "../../src/network/packets.js";
import { warnings } from "../../src/metrics/warnings.js";

const scenario = (name: string): string => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

describe("overlay-exhaustion", () => {
  const updates = (out: ModelRun): unknown[] => eventsOf(out.events, "service", { service: "orders" }).map((e) => e["update"]);
  const backend = (out: ModelRun) => out.run.world.recorder.networks.filter((r) => r.network === "backend");

  it("on the /24 the subnet fills, new tasks stay unallocated with swarmkit's error, and the update stalls", () => {
    const out = runScenarioFile(scenario("overlay-exhaustion"));
    const s = out.run.scenario;
    const replicas = (name: string): number => s.services.find((x) => x.name === name)!.replicas;
    const workers = s.cluster.nodeGroups.reduce((n, g) => n + g.count, 0);
    // Every task of both services, their two VIPs and one endpoint per worker.
    const atStart = replicas("orders") + replicas("web") + 2 + workers;
    expect(backend(out)[0]!.addresses_used).toBe(atStart);
    // Scaled to 250: what does not fit in 253 stays unallocated, before the update adds more.
    const scaled = backend(out).find((r) => r.t_s === 70)!;
    expect(scaled.addresses_used).toBe(253);
    expect(scaled.tasks_unallocated).toBe(250 + replicas("web") + 2 + workers - 253);
    const net = out.summary.networks["backend"]!;
    expect(net.addresses_usable).toBe(253);
    expect(net.addresses_peak).toBe(253);
    expect(net.allocation_failures).toBeGreaterThan(0);
    const failures = eventsOf(out.events, "allocation", { network: "backend" });
    expect(failures.some((e) => /^failed to allocate network IP for task orders\.\d+\.\d+ network backend: could not find an available IP$/.test(e["error"]))).toBe(true);
    expect(backend(out).at(-1)!.tasks_unallocated).toBeGreaterThan(0);
    expect(updates(out)).toEqual(["updating"]);
    const last = seriesOf(out, "orders").at(-1)!;
    expect(last.tasks_running).toBeLessThan(last.tasks_desired);
    // No task of the new version ever runs.
    expect(eventsOf(out.events, "task", { service: "orders", state: "running" }).filter((e) => e["t_s"] > 180)).toHaveLength(0);
    // The warning's pending count is more than the tasks missing: it says that the others are
    // new tasks of slots whose old task still runs, and how many (the events' last states).
    const lastOf = new Map<string, Record<string, unknown>>();
    for (const e of eventsOf(out.events, "task", { service: "orders" })) lastOf.set(e["task"] as string, e);
    const states = [...lastOf.values()];
    const runningSlots = new Set(states.filter((e) => e["state"] === "running").map((e) => e["slot"]));
    const pending = states.filter((e) => e["state"] === "new" || e["state"] === "pending");
    const beside = pending.filter((e) => runningSlots.has(e["slot"])).length;
    expect(beside).toBeGreaterThan(0);
    const o = out.summary.services["orders"]!;
    expect(warnings(out.summary, out.run.world.recorder.cpu)).toContain(
      `orders ends with ${o.tasks_running} of its ${o.tasks_desired} desired tasks running (${pending.length} pending, ${beside} of them new tasks beside old ones still running: a rolling update's or a restart's)`,
    );
  });

  it("on a /22 everything gets an address and the update completes", () => {
    const out = runScenarioFile(scenario("overlay-exhaustion"), ["networks.backend.subnet=10.0.4.0/22"]);
    expect(out.summary.networks["backend"]!.allocation_failures).toBe(0);
    expect(updates(out)).toEqual(["updating", "completed"]);
    const last = seriesOf(out, "orders").at(-1)!;
    expect(last.tasks_running).toBe(last.tasks_desired);
    expect(last.tasks_desired).toBe(250);
  });
});

describe("mtu-blackhole", () => {
  it("small answers arrive; most large ones fall into the black hole and time out, the cluster otherwise healthy", () => {
    const out = runScenarioFile(scenario("mtu-blackhole"));
    const status = out.summary.services["status"]!;
    const reports = out.summary.services["reports"]!;
    expect(status.errors).toBe(0);
    expect(reports.timeouts).toBe(reports.errors);
    // Only requests served on their entry node (no VXLAN there) get their answer: entering at
    // one of 9 nodes, of which 6 run a task, and IPVS handing 1 in 6 to the local one: 1 in 9.
    const ended = reports.completed + reports.errors;
    expect(Math.abs(reports.errors / ended - 8 / 9)).toBeLessThan(0.02);
    expect(out.summary.networks["ingress"]!.mtu).toBe(1450);
    expect(eventsOf(out.events, "node", { status: "down" })).toHaveLength(0);
    expect(eventsOf(out.events, "task", { state: "failed" })).toHaveLength(0);
  });

  it("a rolling update that makes status's answers large sends them into the black hole too", () => {
    const out = runScenarioFile(scenario("mtu-blackhole"), ["events=[{at: 60s, rollingUpdate: {service: status, request: {size: {response: 200KiB}}}}]"]);
    const status = seriesOf(out, "status");
    expect(status.filter((r) => r.t_s <= 60).reduce((n, r) => n + r.timeouts, 0)).toBe(0);
    expect(status.filter((r) => r.t_s > 120).reduce((n, r) => n + r.timeouts, 0)).toBeGreaterThan(1000);
  });

  it("building the overlay for the real underlay (mtu: 1400) fixes it", () => {
    const out = runScenarioFile(scenario("mtu-blackhole"), ["networks.ingress.mtu=1400"]);
    expect(out.summary.services["reports"]!.errors).toBe(0);
    expect(out.summary.networks["ingress"]!.mtu).toBe(1350);
  });
});

describe("registry-storm", () => {
  /** Seconds from the fresh nodes joining to the last replacement running, and the addNodes fault's recovered_s. */
  function recovery(out: ModelRun): { runningS: number; recoveredS: number | null; nodes: number } {
    const add = eventsOf(out.events, "fault", { fault: "addNodes" })[0]!;
    const lastRunning = eventsOf(out.events, "task", { service: "app", state: "running" }).at(-1)!;
    const recoveredS = out.summary.faults.find((f) => f.fault === "addNodes")!.recovered_s;
    return { runningS: lastRunning["t_s"] - add["t_s"], recoveredS, nodes: String(add["target"]).split(",").length };
  }
  const STARTUP_S = 5; // app's startup.cpu on an idle node
  const imageWire = wireBytes(2e9, underlayFormat(1500));

  it("the replacements run after N x image / registry egress (the pulls share it), and not before", () => {
    const out = runScenarioFile(scenario("registry-storm"));
    const r = recovery(out);
    const pullS = (r.nodes * imageWire) / (1e9 / 8);
    expect(Math.abs(r.runningS - (pullS + STARTUP_S)) / (pullS + STARTUP_S)).toBeLessThan(0.05);
    expect(r.recoveredS).not.toBeNull();
    expect(r.recoveredS!).toBeGreaterThanOrEqual(pullS);
    // While they pull, each fresh node receives about an eighth of the egress.
    const pulling = out.nodes.filter((row) => row.node === "c-9" && row.t_s > 160 && row.t_s <= 270);
    for (const row of pulling) expect(Math.abs(row.net_rx_bytes / 10 - 125e6 / r.nodes) / (125e6 / r.nodes)).toBeLessThan(0.1);
  });

  it("pre-pulled images: the replacements start as soon as the nodes join", () => {
    const out = runScenarioFile(scenario("registry-storm"), ["duration=4m", "cluster.nodeGroups.c.images=[app:1]"]);
    const r = recovery(out);
    expect(r.runningS).toBeLessThan(STARTUP_S + 2);
    // Healthy again within a third of what the pulls alone would have taken.
    expect(r.recoveredS).not.toBeNull();
    expect(r.recoveredS!).toBeLessThan((r.nodes * imageWire) / (1e9 / 8) / 3);
  });

  it("a closer registry (10 Gbps, 1 ms): each fresh node gets an eighth of 10 Gbps", () => {
    const out = runScenarioFile(scenario("registry-storm"), ["duration=4m", "cluster.registry.bandwidth=10Gbps", "cluster.registry.latency=1ms"]);
    const r = recovery(out);
    const pullS = (r.nodes * imageWire) / (10e9 / 8);
    expect(Math.abs(r.runningS - (pullS + STARTUP_S)) / (pullS + STARTUP_S)).toBeLessThan(0.05);
  });
});
