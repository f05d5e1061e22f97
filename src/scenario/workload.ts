// `workload:` — the traffic from outside the cluster: an arrival process per workload, entering
// through the ingress routing mesh at some node, with client timeouts and retries.

import type { Ctx } from "./context.js";
import { DEFAULTS } from "./defaults.js";
import { Fields, REQUIRED, type Item } from "./schema.js";
import type { EntryHealthcheckSpec, WorkloadSpec } from "./types.js";
import { parseDurationUs, parseRatePerS } from "./units.js";

const WORKLOAD_FIELDS = ["name", "service", "rate", "arrival", "entry", "entryNodes", "port", "timeout", "retries", "entryHealthcheck"] as const;
const RETRY_FIELDS = ["max", "backoff"] as const;
const ENTRY_HEALTHCHECK_FIELDS = ["interval", "unhealthyThreshold", "healthyThreshold"] as const;

export function readWorkloads(ctx: Ctx, items: readonly Item[]): WorkloadSpec[] {
  return items.map((item) => readWorkload(ctx, item));
}

function readWorkload(ctx: Ctx, item: Item): WorkloadSpec {
  const f = Fields.open(ctx, item.raw, item.path, item.raw.at, WORKLOAD_FIELDS);
  const d = DEFAULTS.workload;
  const service = f.text("service", REQUIRED);
  const port = f.has("port") ? f.whole("port", REQUIRED, { min: 1, max: 65535 }) : null;
  // Outside traffic reaches a service only through a published port (this one, when it names one).
  if (service !== "") {
    const ref = { kind: "service" as const, name: service, need: "ports" as const, ...(port === null ? {} : { port }) };
    ctx.refer(port === null ? { ...ref, at: f.originOf("service"), path: f.pathOf("service") } : { ...ref, at: f.originOf("port"), path: f.pathOf("port") });
  }
  const retries = f.map("retries", RETRY_FIELDS);
  const check = readEntryHealthcheck(f.optionalMap("entryHealthcheck", ENTRY_HEALTHCHECK_FIELDS));
  return {
    name: f.name("name"),
    service,
    ratePerS: f.num("rate", REQUIRED, parseRatePerS),
    arrival: f.oneOf("arrival", ["poisson", "constant"], d.arrival),
    entry: readEntry(f),
    entryNodes: readEntryNodes(f),
    port,
    timeoutUs: f.num("timeout", d.timeoutUs, parseDurationUs), // 0 = the client waits for ever
    retries: {
      max: retries.whole("max", d.retriesMax, { min: 0, max: 100 }),
      backoffUs: retries.num("backoff", d.retryBackoffUs, parseDurationUs),
    },
    // Only when given: a workload without it stays the very object it was before the field existed.
    ...(check ? { entryHealthcheck: check } : {}),
  };
}

/** The external load balancer's health checks of its nodes, or null when it knows at once. */
function readEntryHealthcheck(f: Fields | null): EntryHealthcheckSpec | null {
  if (f === null) return null;
  const d = DEFAULTS.workload;
  return {
    intervalUs: f.num("interval", REQUIRED, parseDurationUs, { above: 0 }),
    unhealthyThreshold: f.whole("unhealthyThreshold", d.entryUnhealthyThreshold, { min: 1, max: 1000 }),
    healthyThreshold: f.whole("healthyThreshold", d.entryHealthyThreshold, { min: 1, max: 1000 }),
  };
}

/**
 * The nodes behind the external load balancer: node names or node-group names (a group stands
 * for all its nodes, those added later included); none = every node.
 */
function readEntryNodes(f: Fields): string[] {
  const names = f.texts("entryNodes");
  if (f.has("entryNodes") && names.length === 0) f.report("entryNodes", "must list at least one node or node group");
  const entry = f.get("entry");
  if (names.length > 0 && entry?.kind === "scalar" && typeof entry.value === "string" && entry.value.startsWith("node:")) {
    f.report("entryNodes", "cannot be used with entry: node:<name>, which already names the one entry node");
  }
  f.list("entryNodes").forEach((item) => {
    const v = item.raw.kind === "scalar" ? item.raw.value : undefined;
    if (typeof v === "string" && v !== "") f.ctx.refer({ kind: "nodeOrGroup", name: v, at: item.raw.at, path: item.path });
  });
  return names;
}

/** random-node | round-robin | node:<name> */
function readEntry(f: Fields): WorkloadSpec["entry"] {
  const text = f.text("entry", DEFAULTS.workload.entry);
  if (text === "random-node" || text === "round-robin") return { kind: text };
  const node = /^node:\s*(\S+)$/.exec(text)?.[1];
  if (node !== undefined) {
    f.ctx.refer({ kind: "node", name: node, at: f.originOf("entry"), path: f.pathOf("entry") });
    return { kind: "node", node };
  }
  if (text !== "") f.report("entry", `${JSON.stringify(text)} is not one of random-node, round-robin, node:<name>`);
  return { kind: "random-node" };
}
