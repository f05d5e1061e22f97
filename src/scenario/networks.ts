// `networks:` — the overlay networks services attach to (VXLAN, one VNI each). `ingress` and
// `default` exist without being declared; declaring one of them configures it.

import type { Ctx } from "./context.js";
import { DEFAULTS } from "./defaults.js";
import type { Origin } from "./raw.js";
import { Fields, REQUIRED, type Item } from "./schema.js";
import type { NetworkSpec } from "./types.js";

const NETWORK_FIELDS = ["name", "driver", "subnet", "encrypted", "mtu", "attachable"] as const;

/** The routing mesh's network, which every node joins (Swarm creates it at `swarm init`). */
export const INGRESS_NETWORK = "ingress";
/** Where a service that lists no network goes, as `docker stack deploy` attaches it to `<stack>_default`. */
export const DEFAULT_NETWORK = "default";

interface Cidr {
  base: number; // network address as an unsigned 32-bit number
  prefix: number;
}

/** "10.0.1.0/24" -> {base, prefix}, or a message. Host bits must be zero, as Docker requires. */
export function parseCidr(text: string): Cidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = Number(m?.[5]);
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    return `${JSON.stringify(text)} is not an IPv4 subnet (e.g. 10.0.1.0/24)`;
  }
  if (prefix < 8 || prefix > 30) return `${JSON.stringify(text)}: the prefix must be from /8 to /30`;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const base = address - (address % size);
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join(".");
    return `${JSON.stringify(text)} has host bits set (did you mean ${dotted}/${prefix}?)`;
  }
  return { base: address, prefix };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** What `swarm init` gives the ingress network unless told otherwise. */
const INGRESS_DEFAULT_SUBNET = "10.0.0.0/24";

export function readNetworks(ctx: Ctx, items: Item[]): NetworkSpec[] {
  const taken: { cidr: Cidr; name: string }[] = [];
  // Unless ingress names its own subnet, it holds 10.0.0.0/24 before any other network exists.
  const ingressNamed = items.some((item) => {
    const f = item.raw.kind === "map" ? item.raw.entries : [];
    return f.some((e) => e.key === "name" && e.value.kind === "scalar" && e.value.value === INGRESS_NETWORK) && f.some((e) => e.key === "subnet");
  });
  if (!ingressNamed) taken.push({ cidr: parseCidr(INGRESS_DEFAULT_SUBNET) as Cidr, name: `${INGRESS_NETWORK} (${INGRESS_DEFAULT_SUBNET}, Swarm's default; give ingress a subnet to move it)` });
  return items.map((item) => {
    const f = Fields.open(ctx, item.raw, item.path, item.raw.at, NETWORK_FIELDS);
    const name = f.name("name");
    const subnet = f.has("subnet") ? f.text("subnet", REQUIRED) : null; // "" after a problem
    if (subnet !== null && subnet !== "") checkSubnet(ctx, subnet, f.originOf("subnet"), f.pathOf("subnet"), name, taken);
    const attachable = f.bool("attachable", DEFAULTS.network.attachable);
    // Docker refuses it too: the routing mesh's network carries no standalone containers.
    if (name === INGRESS_NETWORK && attachable) f.report("attachable", "the ingress network cannot be attachable");
    return {
      name,
      driver: f.oneOf("driver", ["overlay"], DEFAULTS.network.driver),
      subnet: subnet === "" ? null : subnet,
      encrypted: f.bool("encrypted", DEFAULTS.network.encrypted),
      // The VXLAN (50 B) and ESP (26 B) overhead must leave room for an IPv4 packet of 576 bytes.
      mtuBytes: f.whole("mtu", DEFAULTS.network.mtuBytes, { min: 652, max: 65_535 }),
      attachable,
    };
  });
}

function checkSubnet(ctx: Ctx, text: string, at: Origin, path: string, name: string, taken: { cidr: Cidr; name: string }[]): void {
  const cidr = parseCidr(text);
  if (typeof cidr === "string") {
    ctx.report(at, path, cidr);
    return;
  }
  const clash = taken.find((t) => overlaps(t.cidr, cidr));
  if (clash) ctx.report(at, path, `overlaps the subnet of network ${clash.name}`);
  taken.push({ cidr, name });
}

/**
 * The networks the cluster has: `ingress` first (Swarm creates it at `swarm init`), then the
 * declared ones in file order, then `default` when a service uses it without declaring it.
 */
export function withImplicitNetworks(declared: readonly NetworkSpec[], services: readonly { networks: readonly string[] }[]): NetworkSpec[] {
  const implicit = (name: string): NetworkSpec => ({
    name,
    driver: DEFAULTS.network.driver,
    subnet: DEFAULTS.network.subnet,
    encrypted: DEFAULTS.network.encrypted,
    mtuBytes: DEFAULTS.network.mtuBytes,
    attachable: DEFAULTS.network.attachable,
  });
  const ingress = declared.find((n) => n.name === INGRESS_NETWORK) ?? implicit(INGRESS_NETWORK);
  const out = [ingress, ...declared.filter((n) => n !== ingress)];
  const usesDefault = services.some((s) => s.networks.includes(DEFAULT_NETWORK));
  if (usesDefault && !out.some((n) => n.name === DEFAULT_NETWORK)) out.push(implicit(DEFAULT_NETWORK));
  return out;
}
