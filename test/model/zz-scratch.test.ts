import { it } from "vitest";
import { eventsOf, runModel } from "./model-run.js";
it("scratch", () => {
  const y = `
version: 1
name: autoscaler
duration: 3m
metrics: {interval: 15s}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 4, memory: 16GiB}]
services:
  - name: api
    replicas: 2
    ports: [{published: 80, target: 80}]
    resources: {limits: {cpu: 1}}
    startup: {cpu: 20s}
    request: {cpu: 10ms}
    autoscale: {min: 2, max: 10, targetCpu: 60%, interval: 15s, cooldown: 30s}
workload:
  - {name: users, service: api, rate: 1/s, timeout: 0s}
events:
  - {at: 3s, restartAll: {service: api}}
`;
  const out = runModel(y);
  console.log("AS", eventsOf(out.events, "autoscale").map((e) => `${e.t_s}:${e.from}->${e.to}(${e.cpu})${e.ok ? "" : "X"}`).join(" "));
  console.log("AS", eventsOf(out.events, "task", {state: "running"}).map((e) => `${e.t_s}:${e.task}`).join(" "));
});
