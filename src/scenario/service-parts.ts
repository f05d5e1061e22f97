// The sub-specs of a service: resources, start-up and runtime behaviour of its containers, the
// request model, the health check, and the restart/update/rollback policies.

import { DEFAULTS, LIMITS } from "./defaults.js";
import type { Origin } from "./raw.js";
import { Fields, REQUIRED, parseNumber } from "./schema.js";
import type { Distribution, HealthcheckSpec, ResourcesSpec, RestartPolicySpec, ServiceSpec, UpdateSpec } from "./types.js";
import { parseCpuCores, parseDurationUs, parseFraction, parseSizeBytes, show, type UnitResult } from "./units.js";

/** Where a value sits in the file, for problems found later by cross-checks. */
export interface Site {
  at: Origin;
  path: string;
}

const RESERVATION_FIELDS = ["cpu", "memory", "generic"] as const;
const LIMIT_FIELDS = ["cpu", "memory"] as const;
export const STARTUP_FIELDS = ["pull", "cpu", "memory", "failRate"] as const;
export const RUNTIME_FIELDS = ["memory", "concurrency", "queue"] as const;
export const REQUEST_FIELDS = ["cpu", "distribution", "cv", "size", "calls", "connection"] as const;
const CALL_FIELDS = ["service", "count", "timeout", "dnsCache"] as const;
export const HEALTHCHECK_FIELDS = ["interval", "timeout", "retries", "startPeriod", "startInterval", "cpu"] as const;
export const RESTART_FIELDS = ["condition", "delay", "maxAttempts", "window"] as const;
export const UPDATE_FIELDS = ["parallelism", "delay", "order", "failureAction", "monitor", "maxFailureRatio"] as const;
const DISTRIBUTIONS = ["exponential", "constant", "lognormal", "normal", "uniform"] as const;
/** 1/sqrt(3): the largest cv a uniform distribution on [0, 2 * mean] can have. */
const UNIFORM_CV_MAX = 1 / Math.sqrt(3);

/**
 * One piece of CPU work (a start-up, a request, a health check) is at most LIMITS.cpuWorkUs:
 * at the smallest CPU share (1m) it then still ends within the simulated clock's range.
 */
function parseCpuWork(v: unknown): UnitResult {
  const r = parseDurationUs(v);
  if (r.ok && r.value > LIMITS.cpuWorkUs) return { ok: false, error: `${show(v)} is too much CPU work for one piece (at most 24h)` };
  return r;
}

export function readResources(f: Fields): ResourcesSpec {
  const r = f.map("reservations", RESERVATION_FIELDS);
  const l = f.map("limits", LIMIT_FIELDS);
  const reservations = {
    cpuCores: r.num("cpu", 0, parseCpuCores), // 0 = reserves nothing
    memoryBytes: r.num("memory", 0, parseSizeBytes),
    generic: r.counts("generic"),
  };
  const limits = { cpuCores: l.num("cpu", 0, parseCpuCores), memoryBytes: l.num("memory", 0, parseSizeBytes) }; // 0 = no limit
  for (const [key, limit, reserved] of [
    ["cpu", limits.cpuCores, reservations.cpuCores],
    ["memory", limits.memoryBytes, reservations.memoryBytes],
  ] as const) {
    // Docker refuses a limit below the reservation: the task could never use what it reserved.
    if (limit > 0 && limit < reserved) l.report(key, `${written(l, key)} is below reservations.${key} (${written(r, key)})${key === "cpu" ? millicoresHint(r, reserved, limit) : ""}`);
  }
  return { reservations, limits };
}

/**
 * A reservation of hundreds of cores written as a bare number is, as a rule, millicores without
 * their m (walkthrough: `cpu: 500` read "1 is below reservations.cpu (500)", nothing more):
 * said when the millicores would fit under a limit of a plausible number of cores.
 */
function millicoresHint(r: Fields, reserved: number, limit: number): string {
  const raw = r.get("cpu");
  const bare = raw?.kind === "scalar" && /^\d+$/.test(String(raw.value).trim());
  // (Not when the limit is as large: both would be millicores, and the reservation still above the limit.)
  return bare && reserved >= 100 && limit < 100 && reserved / 1000 <= limit ? `: ${reserved} CPUs; did you mean ${reserved}m (${reserved / 1000} of a CPU)?` : "";
}

/** A field's value as the author wrote it, for messages. */
function written(f: Fields, key: string): string {
  const raw = f.get(key);
  return raw?.kind === "scalar" ? String(raw.value) : "?";
}

export function readStartup(f: Fields): ServiceSpec["startup"] {
  const d = DEFAULTS.startup;
  return {
    pullUs: f.num("pull", d.pullUs, parseDurationUs),
    cpuUs: f.num("cpu", d.cpuUs, parseCpuWork), // CPU-time of start-up work
    memoryBytes: f.num("memory", d.memoryBytes, parseSizeBytes), // peak during start-up
    failRate: f.num("failRate", d.failRate, parseFraction),
  };
}

export function readRuntime(f: Fields): ServiceSpec["runtime"] {
  const d = DEFAULTS.runtime;
  return {
    memoryBytes: f.num("memory", d.memoryBytes, parseSizeBytes),
    concurrency: f.whole("concurrency", d.concurrency, { min: 1, max: LIMITS.count }),
    queue: f.whole("queue", d.queue, { min: 0, max: 1_000_000 }),
  };
}

export function readRequest(f: Fields, onCall: (service: string, site: Site) => void): ServiceSpec["request"] {
  const d = DEFAULTS.request;
  const mean = f.num("cpu", d.cpuUs, parseCpuWork, { above: 0 });
  const kind = f.oneOf("distribution", DISTRIBUTIONS, d.distribution);
  const cv = f.num("cv", d.cv, parseNumber, { min: 0, max: 100 });
  const size = f.map("size", ["request", "response"]);
  const calls = f.list("calls").map((item) => {
    const c = Fields.open(f.ctx, item.raw, item.path, item.raw.at, CALL_FIELDS);
    const service = c.text("service", REQUIRED);
    if (service !== "") onCall(service, { at: c.originOf("service"), path: c.pathOf("service") });
    return {
      service,
      count: c.whole("count", d.callCount, { min: 1, max: 1000 }),
      timeoutUs: c.num("timeout", d.callTimeoutUs, parseDurationUs, { above: 0 }),
      dnsCacheUs: c.num("dnsCache", d.callDnsCacheUs, parseDurationUs, { min: 0 }),
    };
  });
  // A caller keeps one DNS answer per name: two keeping times for one callee would contradict.
  const twice = calls.find((c) => calls.some((x) => x.service === c.service && x.dnsCacheUs !== c.dnsCacheUs));
  if (twice) f.report("calls", `call ${twice.service} with one dnsCache: a caller keeps one DNS answer per name`);
  const connection = f.map("connection", ["reuse"]);
  return {
    cpu: distribution(f, kind, mean, cv),
    requestBytes: size.num("request", d.requestBytes, parseSizeBytes),
    responseBytes: size.num("response", d.responseBytes, parseSizeBytes),
    calls,
    connection: { reuse: connection.whole("reuse", d.connectionReuse, { min: 1, max: 1_000_000_000 }) },
  };
}

/** The CPU-time distribution of one request, in microseconds, from its mean and cv. */
function distribution(f: Fields, kind: (typeof DISTRIBUTIONS)[number], mean: number, cv: number): Distribution {
  switch (kind) {
    case "constant":
    case "exponential": {
      // Their cv is their own (0 and 1): another one written changes nothing, which is said (walkthrough).
      const own = kind === "constant" ? 0 : 1;
      if (f.has("cv") && cv !== own) f.ctx.hint(f.pathOf("cv"), `changes nothing: ${cv} with a${kind === "exponential" ? "n" : ""} ${kind} distribution, whose cv is ${own} (lognormal, normal and uniform take another)`);
      return { kind, mean };
    }
    case "lognormal":
      return { kind, mean, cv };
    case "normal":
      return { kind, mean, sd: cv * mean };
    case "uniform": {
      // Same mean and cv: half-width = sqrt(3) * sd. A wider one would need negative CPU times.
      if (cv > UNIFORM_CV_MAX + 1e-12) {
        const limit = UNIFORM_CV_MAX.toFixed(3);
        f.report("cv", f.has("cv")
          ? `${cv} is too large for a uniform distribution (at most ${limit})`
          : `must be given for a uniform distribution (the default, ${cv}, is more than ${limit})`);
      }
      const half = Math.sqrt(3) * Math.min(cv, UNIFORM_CV_MAX) * mean;
      return { kind, min: mean - half, max: mean + half };
    }
  }
}

/** A health check, or null when the service has none (Docker's image default is "none"). */
export function readHealthcheck(f: Fields | null): HealthcheckSpec | null {
  if (f === null) return null;
  const d = DEFAULTS.healthcheck;
  return {
    intervalUs: f.num("interval", d.intervalUs, parseDurationUs, { above: 0 }),
    timeoutUs: f.num("timeout", d.timeoutUs, parseDurationUs, { above: 0 }),
    retries: f.whole("retries", d.retries, { min: 1, max: 1000 }),
    startPeriodUs: f.num("startPeriod", d.startPeriodUs, parseDurationUs),
    startIntervalUs: f.num("startInterval", d.startIntervalUs, parseDurationUs, { above: 0 }),
    cpuUs: f.num("cpu", d.cpuUs, parseCpuWork),
  };
}

export function readRestartPolicy(f: Fields): RestartPolicySpec {
  const d = DEFAULTS.restartPolicy;
  return {
    condition: f.oneOf("condition", ["none", "on-failure", "any"], d.condition),
    delayUs: f.num("delay", d.delayUs, parseDurationUs),
    maxAttempts: f.whole("maxAttempts", d.maxAttempts, { min: 0, max: LIMITS.count }),
    windowUs: f.num("window", d.windowUs, parseDurationUs),
  };
}

/** `update:` and `rollback:` (a rollback cannot itself fail into a rollback). */
export function readUpdate(f: Fields, kind: "update" | "rollback"): UpdateSpec {
  const d = DEFAULTS.update;
  const actions = kind === "update" ? (["pause", "continue", "rollback"] as const) : (["pause", "continue"] as const);
  return {
    parallelism: f.whole("parallelism", d.parallelism, { min: 0, max: LIMITS.count }), // 0 = all at once
    delayUs: f.num("delay", d.delayUs, parseDurationUs),
    order: f.oneOf("order", ["stop-first", "start-first"], d.order),
    failureAction: f.oneOf("failureAction", actions, d.failureAction),
    monitorUs: f.num("monitor", d.monitorUs, parseDurationUs),
    maxFailureRatio: f.num("maxFailureRatio", d.maxFailureRatio, parseFraction),
  };
}
