// The flow-level bandwidth model (src/network/bandwidth/) under the load: 1,000 nodes, each a
// 10 Gbps transmit link and a 10 Gbps receive link (full duplex, as SimGrid's SPLITDUPLEX), and
// 10,000 flows kept in flight, each from a random node's tx to another random node's rx, sizes
// log-uniform from 1 MiB to 100 MiB; every completion starts the next flow, until 20,000 have
// completed (100,000 with 1,000 in flight). Each start and end recomputes max-min rates over the flows that change can reach, so
// the cost per change grows with the flows per connected component; the same run with 1,000 flows
// shows how. The baseline is the same number of events through a bare fastpriorityqueue hold loop.
import { RandomStreams, Simulation } from "../src/kernel/index.js";
import { FlowNetwork, Link } from "../src/network/bandwidth/index.js";
import type { BenchContext, BenchRow, Benchmark } from "./harness.js";
import { wallNs } from "./harness.js";
import { bareHoldEventsPerS } from "./kernel.js";

const NODES = 1_000;
/** 10 Gbps in bytes per microsecond. */
const LINK_BYTES_PER_US = 1_250;
const MIB = 2 ** 20;
const SIZE_MIN_BYTES = MIB;
const SIZE_MAX_BYTES = 100 * MIB;
/** Flows completed per run, by flows in flight: enough for the steady state, short enough for `npm run bench`. */
const COMPLETIONS = new Map<number, number>([
  [1_000, 100_000],
  [10_000, 20_000],
]);
const REPEATS = 3;
/** A run longer than this is not repeated: one such run is minutes long and its noise is small. */
const REPEAT_UNDER_NS = 20e9;

interface Workload {
  src: Int32Array;
  dst: Int32Array;
  bytes: Float64Array;
}

interface Result {
  ns: number;
  completed: number;
  started: number;
  events: number;
  recomputations: number;
  flowsRecomputed: number;
  ratesChanged: number;
}

/** Every flow's endpoints and size drawn in advance, so no random draw happens in the timed loop. */
function workload(flows: number): Workload {
  const streams = new RandomStreams(1);
  const pairs = streams.stream("flows-bench/pairs");
  const sizes = streams.stream("flows-bench/sizes");
  const w: Workload = { src: new Int32Array(flows), dst: new Int32Array(flows), bytes: new Float64Array(flows) };
  for (let i = 0; i < flows; i++) {
    const src = pairs.int(NODES);
    // Another node: draw among the other NODES - 1 and skip over the source.
    const d = pairs.int(NODES - 1);
    w.src[i] = src;
    w.dst[i] = d >= src ? d + 1 : d;
    w.bytes[i] = Math.round(SIZE_MIN_BYTES * Math.exp(sizes.next() * Math.log(SIZE_MAX_BYTES / SIZE_MIN_BYTES)));
  }
  return w;
}

function run(w: Workload, inFlight: number, completions: number): Result {
  const sim = new Simulation();
  const net = new FlowNetwork(sim);
  const tx = Array.from({ length: NODES }, (_, i) => new Link(`n${i}/tx`, LINK_BYTES_PER_US));
  const rx = Array.from({ length: NODES }, (_, i) => new Link(`n${i}/rx`, LINK_BYTES_PER_US));
  let next = 0;
  let completed = 0;
  const startNext = (): void => {
    const i = next++;
    net.start([tx[w.src[i]!]!, rx[w.dst[i]!]!], w.bytes[i]!, Infinity, complete, null);
  };
  const complete = (): void => {
    if (++completed === completions) sim.stop();
    else startNext();
  };
  const start = wallNs();
  for (let i = 0; i < inFlight; i++) startNext();
  sim.run();
  const ns = wallNs() - start;
  return {
    ns,
    completed,
    started: next,
    events: sim.eventsProcessed,
    recomputations: net.recomputations,
    flowsRecomputed: net.flowsRecomputed,
    ratesChanged: net.ratesChanged,
  };
}

function measure(w: Workload, inFlight: number, ctx: BenchContext): BenchRow[] {
  let best: Result | undefined;
  const completions = COMPLETIONS.get(inFlight)!;
  for (let r = 1; r <= REPEATS && (best === undefined || best.ns < REPEAT_UNDER_NS); r++) {
    const res = run(w, inFlight, completions);
    if (res.completed !== completions) throw new Error(`flows bench stopped early: ${res.completed} of ${completions} flows`);
    if (best !== undefined && (res.recomputations !== best.recomputations || res.events !== best.events)) {
      throw new Error(`flows bench is not deterministic: ${res.recomputations} vs ${best.recomputations} recomputations`);
    }
    ctx.log(`${inFlight} in flight, run ${r}: ${(res.ns / 1e9).toFixed(2)} s, ${res.recomputations} recomputations`);
    if (best === undefined || res.ns < best.ns) best = res;
  }
  const b = best!;
  const bareEventsPerS = bareHoldEventsPerS(inFlight, b.events);
  const modelEventsPerS = (b.events * 1e9) / b.ns;
  const changes = b.started + b.completed;
  const label = `${label1k(inFlight)} flows/${label1k(NODES)} nodes`;
  return [
    { name: `${label}: flows completed`, value: (b.completed * 1e9) / b.ns, unit: "flows/s" },
    { name: `${label}: recomputations`, value: b.recomputations, unit: "count" },
    { name: `${label}: mean component size (flows re-solved)`, value: b.flowsRecomputed / b.recomputations, unit: "flows" },
    { name: `${label}: wall time per recomputation`, value: b.ns / 1e3 / b.recomputations, unit: "us" },
    { name: `${label}: wall time per flow start or end`, value: b.ns / 1e3 / changes, unit: "us" },
    { name: `${label}: kernel events, bare hold loop`, value: bareEventsPerS, unit: "events/s" },
    { name: `${label}: kernel events, flow model`, value: modelEventsPerS, unit: "events/s", ratio: modelEventsPerS / bareEventsPerS },
    { name: `${label}: bare hold events per model event (wall)`, value: bareEventsPerS / modelEventsPerS, unit: "events" },
    { name: `${label}: rates changed per recomputation`, value: b.ratesChanged / b.recomputations, unit: "flows" },
  ];
}

function label1k(n: number): string {
  return n >= 1_000 ? `${n / 1_000}k` : String(n);
}

export const flowsBenchmark: Benchmark = {
  name: "flows",
  description: "Max-min flow model: 10k (and 1k) flows in flight on 1k nodes (tx+rx 10 Gbps each)",
  run(ctx) {
    const w = workload(Math.max(...[...COMPLETIONS].map(([inFlight, done]) => inFlight + done)));
    // Warm the model up (JIT tiers, the solver's scratch arrays' shapes) before any timing.
    run(w, 1_000, 20_000);
    const rows: BenchRow[] = [];
    for (const inFlight of COMPLETIONS.keys()) rows.push(...measure(w, inFlight, ctx));
    return rows;
  },
};
