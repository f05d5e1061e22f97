// Client connections: which backend a request goes to is decided when its connection opens,
// not per request. A connection carries `reuse` requests one after another (HTTP keep-alive),
// then closes; a failed request closes it too. Through a VIP or the routing mesh, IPVS picks
// the backend per connection; with dnsrr, the client connects to the first address of the DNS
// answer (asked for each connection, or kept `dnsCache`: see DnsCache). Long-lived connections
// therefore stay where they first went: the known imbalance of dnsrr with a kept answer, and of
// VIPs with connection pools.
// SIMPLIFICATION: a connection carries one request at a time and a client's pool has no bound
// (it opens one whenever all are busy); a dnsrr client connects to the first address of its
// answer, as getaddrinfo-based clients do, and moves a refusing address to the end.

import type { RandomStream } from "../kernel/index.js";
import type { Backend } from "./endpoints.js";

/** IPVS forgets a connection idle this long (its TCP timeout); later packets on it go nowhere (moby/moby#31208). */
export const IPVS_IDLE_TIMEOUT_US = 900_000_000;

export interface Connection<C> {
  readonly backend: Backend<C>;
  /** The node it entered by (the routing mesh) or left from (a call). */
  readonly entry: number;
  /** Requests it may still carry. */
  left: number;
  lastUsedUs: number;
  /** Through IPVS (a VIP or the routing mesh), which forgets it when idle too long. */
  readonly viaIpvs: boolean;
}

/** A client's idle connections to one service; the most recently used is reused first. */
export class ConnectionPool<C> {
  private readonly idle: Connection<C>[] = [];

  /** An idle connection for which `usable` holds (others are closed and dropped), or null. */
  take(usable: (conn: Connection<C>) => boolean): Connection<C> | null {
    while (this.idle.length > 0) {
      const conn = this.idle.pop()!;
      if (usable(conn)) return conn;
    }
    return null;
  }

  /** The request on `conn` was answered: the connection goes back to the pool unless it has carried its last. */
  release(conn: Connection<C>, nowUs: number): void {
    conn.lastUsedUs = nowUs;
    if (--conn.left > 0) this.idle.push(conn);
  }

  get size(): number {
    return this.idle.length;
  }
}

/** The request would go out on a connection that IPVS has forgotten: it hangs until the client's timeout. */
export function forgottenByIpvs<C>(conn: Connection<C>, nowUs: number): boolean {
  return conn.viaIpvs && nowUs - conn.lastUsedUs > IPVS_IDLE_TIMEOUT_US;
}

/**
 * A client's DNS answer for one service name: every task address, shuffled by the server. The
 * embedded DNS server gives it a 600 s TTL (libnetwork's resolver respTTL), but how long a client keeps it is the
 * client's: glibc, musl, Go and Node keep nothing and ask for each connection (the default, 0),
 * Java keeps it 30 s, a caching resolver honours the TTL (`calls[].dnsCache`).
 */
export class DnsCache<C> {
  private answer: Backend<C>[] = [];
  private expiresUs = -1;

  /** The answer, asking the server again (`query`) once it has been kept `keepUs`. */
  lookup(nowUs: number, keepUs: number, query: () => readonly Backend<C>[], rng: RandomStream): readonly Backend<C>[] {
    if (nowUs >= this.expiresUs) {
      this.answer = shuffled(query(), rng);
      // An empty answer (no task yet) is not kept: the client asks again next time.
      this.expiresUs = this.answer.length > 0 ? nowUs + keepUs : nowUs;
    }
    return this.answer;
  }

  /** The first address refused a connection: the client tries the next ones first from now on. */
  demote(b: Backend<C>): void {
    const i = this.answer.indexOf(b);
    if (i >= 0) this.answer.push(...this.answer.splice(i, 1));
  }
}

/** Fisher-Yates from a seeded stream, as the embedded DNS server shuffles answers (libnetwork shuffleAddr). */
function shuffled<T>(xs: readonly T[], rng: RandomStream): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
