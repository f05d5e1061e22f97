// A service's `ports`, in both of Compose's syntaxes, as the scenario's port list:
//   short: "80", "5000:80", "127.0.0.1:5000:80", "5000-5002:80-82", "53:53/udp", or a number
//   long:  {target, published, protocol, mode, host_ip, name, app_protocol}
// A port with no published port gets one from Swarm's dynamic range (30000-32767), as Swarm
// assigns it; `assignPublished` does that once every service's ports are known.

import type { Ctx } from "../context.js";
import type { Origin, Raw, RawMap, RawScalar } from "../raw.js";
import { map, scalar, leaf } from "./build.js";
import { numberValue } from "./values.js";
import { noteUnread, type Notes } from "./notes.js";

/** A translated port; `published` is filled in later when the file gave none. */
export interface PortOut {
  node: RawMap;
  at: Origin;
}

/** Swarm's dynamic range for published ports it picks itself. */
const DYNAMIC_FIRST = 30000;
const DYNAMIC_LAST = 32767;

export function translatePorts(ctx: Ctx, ports: Raw, notes: Notes): PortOut[] {
  if (ports.kind !== "seq") return [];
  return ports.items.flatMap((item) => (item.kind === "map" ? [longPort(ctx, item, notes)] : shortPorts(ctx, item, notes)));
}

function longPort(ctx: Ctx, item: RawMap, notes: Notes): PortOut {
  const hostIp = leaf(item, "host_ip");
  if (hostIp) notes.add(hostIp.at, "ports.host_ip", "ignored by Swarm, which publishes on every address");
  noteUnread(ctx, item, ["target", "published", "protocol", "mode", "host_ip"], "ports.", notes);
  const node = map(item.at, [
    ["published", leaf(item, "published", numberValue)],
    ["target", leaf(item, "target", numberValue)],
    ["protocol", protocolOf(leaf(item, "protocol"), notes)],
    ["mode", leaf(item, "mode")],
  ]);
  return { node, at: item.at };
}

function shortPorts(ctx: Ctx, item: Raw, notes: Notes): PortOut[] {
  const v = item.kind === "scalar" ? item.value : undefined;
  const parsed = typeof v === "number" || typeof v === "string" ? parseShort(String(v)) : `${JSON.stringify(v)} is not a port`;
  if (typeof parsed === "string") {
    ctx.report(item.at, "", parsed);
    return [];
  }
  if (parsed.ip !== "") notes.add(item.at, "ports (host address)", `${parsed.ip} is ignored by Swarm, which publishes on every address`);
  const protocol = protocolOf(scalar(parsed.protocol, item.at), notes);
  return parsed.pairs.map(([published, target]) => ({
    node: map(item.at, [
      ["published", published === undefined ? undefined : scalar(published, item.at)],
      ["target", scalar(target, item.at)],
      ["protocol", protocol],
    ]),
    at: item.at,
  }));
}

interface Short {
  ip: string;
  protocol: string;
  pairs: [number | undefined, number][];
}

/** "[IP:][PUBLISHED:]TARGET[/PROTOCOL]", each port a number or a range; or a message. */
export function parseShort(text: string): Short | string {
  const bad = (why: string): string => `${JSON.stringify(text)} is not a port mapping (${why}; e.g. "8080:80", "80" or "53:53/udp")`;
  const slash = text.lastIndexOf("/");
  const protocol = slash < 0 ? "tcp" : text.slice(slash + 1).toLowerCase();
  let rest = slash < 0 ? text : text.slice(0, slash);
  let ip = "";
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (v6) [ip, rest] = [v6[1] ?? "", v6[2] ?? ""];
  const parts = rest.split(":");
  if (v6 && parts.length !== 2) return bad("after an IPv6 address come the published and the container port");
  if (parts.length > 3) return bad("too many colons");
  if (parts.length === 3) ip = parts.shift() ?? "";
  const targets = range(parts[parts.length - 1] ?? "");
  const published = parts.length === 2 ? range(parts[0] ?? "") : null;
  if (targets === undefined || targets === null) return bad("the container port must be a number from 1 to 65535 or a range such as 80-82");
  if (published === undefined) return bad("the published port must be a number from 1 to 65535 or a range such as 8080-8082");
  const n = targets[1] - targets[0] + 1;
  const m = published === null ? n : published[1] - published[0] + 1;
  // A range of published ports onto one container port publishes each of them to it.
  if (published !== null && m !== n && n !== 1) return bad("the published and container ranges differ in length");
  const pairs: [number | undefined, number][] = [];
  for (let i = 0; i < Math.max(m, n); i++) pairs.push([published === null ? undefined : published[0] + i, targets[0] + (n === 1 ? 0 : i)]);
  return { ip, protocol, pairs };
}

/** "80" -> [80, 80]; "80-82" -> [80, 82]; "" -> null (no port given); else undefined. */
function range(text: string): [number, number] | null | undefined {
  if (text === "") return null;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2] ?? m[1]);
  return lo >= 1 && hi <= 65535 && lo <= hi ? [lo, hi] : undefined;
}

/** tcp or udp in lower case, as Docker reads them; sctp, which the model has not, as tcp (noted). */
function protocolOf(raw: RawScalar | undefined, notes: Notes): RawScalar | undefined {
  if (typeof raw?.value !== "string") return raw;
  const p = raw.value.toLowerCase();
  if (p !== "sctp") return { ...raw, value: p };
  notes.add(raw.at, "ports (sctp)", "simulated as tcp");
  return { ...raw, value: "tcp" };
}

/** Gives every port without a published port the next free one of Swarm's dynamic range. */
export function assignPublished(ctx: Ctx, ports: readonly PortOut[], notes: Notes): void {
  const taken = new Set<number>();
  for (const p of ports) {
    const v = leaf(p.node, "published")?.value;
    if (typeof v === "number") taken.add(v);
  }
  let next = DYNAMIC_FIRST;
  for (const p of ports) {
    if (leaf(p.node, "published") !== undefined) continue;
    while (taken.has(next)) next++;
    if (next > DYNAMIC_LAST) {
      ctx.report(p.at, "", `no free port is left in Swarm's dynamic range ${DYNAMIC_FIRST}-${DYNAMIC_LAST}`);
      return;
    }
    taken.add(next);
    p.node.entries.unshift({ key: "published", keyAt: p.at, value: scalar(next, p.at) });
    if (leaf(p.node, "mode")?.value === "host") {
      notes.add(p.at, "ports (host mode, no published port)", `Swarm gives each task a port of its own; simulated as ${next} on each task's node`);
    } else notes.add(p.at, "ports (no published port)", `Swarm publishes it on a port of its dynamic range; here ${next}`);
    next++;
  }
}

