// What a stack file says that the simulation does not use: fields `docker stack deploy` itself
// ignores, and fields Swarm honours that the model does not simulate. Each becomes one line in
// the run's notes (summary.json and the terminal), never silence; a field `docker stack deploy`
// refuses is an error.

import type { Ctx } from "../context.js";
import type { Origin, RawMap } from "../raw.js";
import { editDistance } from "../suggest.js";

/** Fields `docker stack deploy` skips ("Ignoring unsupported options"), with why where it helps. */
const SWARM_IGNORES: Readonly<Record<string, string>> = {
  depends_on: "ignored by docker stack deploy: Swarm starts a stack's services in no particular order",
  restart: "ignored by docker stack deploy: deploy.restart_policy applies",
  container_name: "ignored by docker stack deploy: Swarm names the containers",
  expose: "ignored by docker stack deploy: services on a network reach each other on any port",
  build: "ignored by docker stack deploy: it deploys images, it builds none",
  ...Object.fromEntries(
    ["cgroupns_mode", "cgroup_parent", "devices", "domainname", "external_links", "ipc", "links", "mac_address", "network_mode", "pid", "privileged", "security_opt", "shm_size", "userns_mode", "profiles", "pull_policy"]
      .map((k) => [k, "ignored by docker stack deploy"]),
  ),
};

/** Fields `docker stack deploy` refuses outright (docker/cli's "unsupported in swarm mode"). */
const SWARM_REFUSES: Readonly<Record<string, string>> = {
  extends: "docker stack deploy does not support extends",
  volumes_from: "docker stack deploy does not support volumes_from (use named volumes)",
  volume_driver: "docker stack deploy does not support volume_driver (set the driver on the volume)",
  cpu_quota: "docker stack deploy does not support cpu_quota (use deploy.resources.limits.cpus)",
  cpu_shares: "docker stack deploy does not support cpu_shares (use deploy.resources.limits.cpus)",
  cpuset: "docker stack deploy does not support cpuset",
  mem_limit: "docker stack deploy does not support mem_limit (use deploy.resources.limits.memory)",
  memswap_limit: "docker stack deploy does not support memswap_limit",
};

const NOT_SIMULATED: Readonly<Record<string, string>> = {
  name: "the stack's name is not read (services are not prefixed with it)",
  volumes: "not simulated (the model has no storage)",
  environment: "not simulated (a container's behaviour comes from its request and start-up costs)",
  env_file: "not simulated (a container's behaviour comes from its request and start-up costs)",
  command: "not simulated (a container's behaviour comes from its request and start-up costs)",
  entrypoint: "not simulated (a container's behaviour comes from its request and start-up costs)",
};

/** The lines said about one stack, merged by field and message, in the order first met. */
export class Notes {
  private readonly lines = new Map<string, { at: Origin; field: string; message: string; services: string[] }>();

  /** `field` is how the line names it (`depends_on`, `deploy.labels`); `at` the value's origin. */
  add(at: Origin, field: string, message: string): void {
    const key = `${field}\n${message}`;
    const service = serviceOf(at);
    const line = this.lines.get(key) ?? { at, field, message, services: [] };
    if (service !== undefined && !line.services.includes(service)) line.services.push(service);
    this.lines.set(key, line);
  }

  /** `FILE:LINE: FIELD: MESSAGE (services a, b)`, one per field and message, by line. */
  text(): string[] {
    const line = (at: Origin): number => (at.kind === "file" ? at.line : 0);
    return [...this.lines.values()].sort((a, b) => line(a.at) - line(b.at)).map(({ at, field, message, services }) => {
      const where = at.kind === "file" ? `${at.file ?? ""}:${at.line}: ` : "";
      const who = services.length === 0 ? "" : ` (service${services.length === 1 ? "" : "s"} ${services.join(", ")})`;
      return `${where}${field}: ${message}${who}`;
    });
  }
}

/** `services.web.deploy.labels` -> "web". */
function serviceOf(at: Origin): string | undefined {
  const path = at.kind === "file" ? at.path : undefined;
  const m = path === undefined ? null : /^services\.([^.]+)/.exec(path);
  return m?.[1];
}

/**
 * Says what happens to each key of `m` that the translator does not read (`read`): refused,
 * ignored by Swarm, or not simulated. `prefix` names the map in the lines (`deploy.`).
 */
export function noteUnread(ctx: Ctx, m: RawMap, read: readonly string[], prefix: string, notes: Notes): void {
  for (const e of m.entries) {
    if (read.includes(e.key)) continue;
    const field = `${prefix}${e.key}`;
    if (prefix === "" && SWARM_REFUSES[e.key] !== undefined) ctx.report(e.keyAt, "", SWARM_REFUSES[e.key] ?? "");
    else if (e.key === "x-orchsim") notes.add(e.keyAt, field, "not read here: x-orchsim belongs on a service");
    // A misspelt x-orchsim would drop every simulation field under it without a word.
    else if (e.key.startsWith("x-") && Math.abs(e.key.length - 9) <= 1 && editDistance(e.key.toLowerCase(), "x-orchsim") <= 2) ctx.report(e.keyAt, "", "did you mean x-orchsim? (an extension field of another name is not read)");
    else if (e.key.startsWith("x-")) notes.add(e.keyAt, field, "an extension field for other tools; not read");
    else notes.add(e.keyAt, field, (prefix === "" ? SWARM_IGNORES[e.key] : undefined) ?? (prefix === "" || prefix === "top-level " ? NOT_SIMULATED[e.key] : undefined) ?? "not simulated");
  }
}
