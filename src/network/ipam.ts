// IPv4 address management for overlay networks, as libnetwork's IPAM does it for swarm
// networks: subnets carved as /24s from 10.0.0.0/8 in order, and within a subnet a bitmap of
// addresses with the network address, the broadcast address and the gateway reserved, handed
// out serially (the next free address after the last one given, wrapping), so a freed address
// is not reused at once.

/** An IPv4 subnet: the network address as an unsigned 32-bit number, and the prefix length. */
export interface Subnet {
  base: number;
  prefix: number;
}

/** Swarm's default address pool and the size it carves from it (`docker swarm init --default-addr-pool`). */
export const DEFAULT_POOL: Subnet = { base: 10 * 2 ** 24, prefix: 8 };
export const DEFAULT_POOL_PREFIX = 24;

/** "10.0.1.0/24" -> Subnet; throws on text that is not one (scenario validation checks it first). */
export function parseSubnet(text: string): Subnet {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) throw new Error(`ipam: ${JSON.stringify(text)} is not an IPv4 subnet`);
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, prefix: Number(m[5]) };
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatSubnet(s: Subnet): string {
  return `${formatIpv4(s.base)}/${s.prefix}`;
}

export function subnetSize(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base < b.base + subnetSize(b) && b.base < a.base + subnetSize(a);
}

/**
 * Subnets for networks that did not name one: the next /24s of 10.0.0.0/8 in order, skipping any
 * that overlaps a subnet already taken. Null when the pool is exhausted.
 */
export function nextPoolSubnet(taken: readonly Subnet[]): Subnet | null {
  const step = 2 ** (32 - DEFAULT_POOL_PREFIX);
  const end = DEFAULT_POOL.base + subnetSize(DEFAULT_POOL);
  for (let base = DEFAULT_POOL.base; base < end; base += step) {
    const candidate = { base, prefix: DEFAULT_POOL_PREFIX };
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  return null;
}

/** Addresses a subnet cannot give to tasks: the network address, the broadcast and the gateway. */
export const RESERVED_ADDRESSES = 3;

/** What a subnet can give to tasks, VIPs and load-balancer endpoints: a /24 has 253. */
export function usableAddresses(s: Subnet): number {
  return subnetSize(s) - RESERVED_ADDRESSES;
}

/**
 * The addresses of one subnet. Offsets 0 (network) and size - 1 (broadcast) are never given;
 * offset 1 is the gateway, which swarmkit allocates when it creates the network.
 */
export class AddressSpace {
  private readonly used: Uint8Array;
  private readonly size: number;
  /** Offset of the last address given; the next search starts after it (serial allocation). */
  private last = 1;
  private count = 0;

  constructor(readonly subnet: Subnet) {
    this.size = subnetSize(subnet);
    this.used = new Uint8Array(this.size);
    this.used[0] = 1;
    this.used[this.size - 1] = 1;
    this.used[1] = 1; // the gateway
  }

  get usable(): number {
    return this.size - RESERVED_ADDRESSES;
  }

  /** Addresses given out now (the three reserved ones not counted). */
  get inUse(): number {
    return this.count;
  }

  get gateway(): number {
    return this.subnet.base + 1;
  }

  /** The next free address after the last one given, or null when the subnet is full. */
  allocate(): number | null {
    if (this.count >= this.usable) return null;
    for (let i = 1; i <= this.size; i++) {
      const offset = (this.last + i) % this.size;
      if (this.used[offset] === 0) {
        this.used[offset] = 1;
        this.last = offset;
        this.count++;
        return this.subnet.base + offset;
      }
    }
    return null;
  }

  /** Takes a given address (a new leader restoring what the store records). False if it was taken. */
  claim(address: number): boolean {
    const offset = address - this.subnet.base;
    if (offset <= 1 || offset >= this.size - 1 || this.used[offset] === 1) return false;
    this.used[offset] = 1;
    this.count++;
    return true;
  }

  release(address: number): void {
    const offset = address - this.subnet.base;
    if (offset <= 1 || offset >= this.size - 1 || this.used[offset] === 0) return;
    this.used[offset] = 0;
    this.count--;
  }
}
