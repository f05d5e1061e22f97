// SIM.JS (npm simjs 2.0.3) on the M/M/1 model of bench/scenarios/mm1-ordinary.yaml: Poisson
// arrivals at 8/s, exponential 100 ms service, one FIFO server, until REQUESTS have been served.
// Run as a whole process (`node bench/simjs-mm1.cjs 800000`); prints JSON on stdout. The package
// is a browser bundle that defines `window.Sim`; in Node it needs a `window` to write to.
"use strict";
globalThis.window = {};
require("simjs");
const { Sim, Entity, Facility, Random } = globalThis.window.Sim;

const requests = Number(process.argv[2] || 800000);
const start = process.hrtime.bigint();
const sim = new Sim();
const server = new Facility("server");
const random = new Random(1);
let served = 0;
let latency = 0;

class Arrivals extends Entity {
  start() {
    const arrived = this.time();
    this.useFacility(server, random.exponential(10)).done(() => {
      served++;
      latency += this.time() - arrived;
    });
    this.setTimer(random.exponential(8)).done(this.start);
  }
}

sim.addEntity(Arrivals);
// Enough simulated time for `requests` arrivals and then some; stop once they are served.
sim.simulate(requests / 8, undefined);
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ requests: served, wall_s: wallS, mean_latency_s: latency / served }) + "\n");
