// How changes to a network's endpoint tables spread, and how long a dead node's entries last.
// networkdb (libnetwork) gossips table events every 200 ms to 3 random nodes of that network,
// and a node that learns an event passes it on the same way; memberlist (under networkdb)
// declares a silent node dead after its probes and suspicion time, and every node then drops
// that node's entries. Values are memberlist's DefaultLANConfig, which networkdb uses.

/** memberlist GossipInterval: networkdb sends queued table events this often. */
export const GOSSIP_ROUND_US = 200_000;
/** memberlist GossipNodes: each round goes to this many random peers of the network. */
export const GOSSIP_FANOUT = 3;
/** memberlist ProbeInterval and ProbeTimeout. */
const PROBE_INTERVAL_US = 1_000_000;
const PROBE_TIMEOUT_US = 500_000;
/** memberlist SuspicionMult. */
const SUSPICION_MULT = 4;
/**
 * memberlist GossipToTheDeadTime: a node declared dead stays in the member list (and its count)
 * this long. SIMPLIFICATION: memberlist reaps it at the first wrap of its probe round after
 * that (up to one probe interval per member later); we reap it then exactly.
 */
export const GOSSIP_TO_THE_DEAD_US = 30_000_000;

/**
 * How long memberlist takes to declare a crashed node dead in a cluster of `nodes`: until some
 * member probes it (about one probe interval: every member probes one random member per
 * interval), the probe's timeout, then the suspicion timeout, 4 x max(1, log10 n) intervals
 * (memberlist suspicionTimeout). ~5.5 s at 10 nodes, ~9.5 s at 100, ~13.5 s at 1,000.
 * SIMPLIFICATION: Lifeguard starts a suspicion at up to 6x that and shortens it as other members
 * confirm; with more than a handful of nodes the confirmations come at once, so we take the
 * shortest timeout.
 */
export function failureDetectionUs(nodes: number): number {
  const scale = Math.max(1, Math.log10(Math.max(1, nodes)));
  return PROBE_INTERVAL_US + PROBE_TIMEOUT_US + Math.round(SUSPICION_MULT * scale * PROBE_INTERVAL_US);
}

/**
 * The spread of one change over `peers` nodes by push gossip, as a table: cdf[r] is the share of
 * the other peers that know it after r rounds (cdf[0] = 0, the last entry 1). Mean-field: with I
 * nodes informed, a node not yet informed is missed by all of them with probability
 * (1 - f/(peers - 1))^I, f the fanout.
 * SIMPLIFICATION: every informed node keeps pushing (networkdb retransmits an event a bounded
 * number of times, and a 30 s push-pull sync catches stragglers); each node's round is drawn from
 * this table, so nodes learn a change at different times, but not from one simulated gossip run.
 */
export function epidemicCdf(peers: number): Float64Array {
  const others = peers - 1;
  if (others <= 0) return Float64Array.of(0, 1);
  const p = Math.min(1, GOSSIP_FANOUT / others);
  const shares = [0];
  let informed = 1;
  while (peers - informed >= 0.5 && shares.length < 1000) {
    informed += (peers - informed) * (1 - Math.pow(1 - p, informed));
    shares.push((informed - 1) / others);
  }
  shares[shares.length - 1] = 1;
  return Float64Array.from(shares);
}

/** The round (1, 2, ...) in which a node whose uniform draw is `u` learns the change. */
export function roundOf(cdf: Float64Array, u: number): number {
  for (let r = 1; r < cdf.length; r++) if (u < cdf[r]!) return r;
  return cdf.length - 1;
}

/** Rounds until every peer knows. */
export function roundsToAll(cdf: Float64Array): number {
  return cdf.length - 1;
}

/** Epidemic tables by peer count, built once each. */
export class EpidemicTables {
  private readonly byPeers = new Map<number, Float64Array>();

  get(peers: number): Float64Array {
    let t = this.byPeers.get(peers);
    if (!t) {
      t = epidemicCdf(peers);
      this.byPeers.set(peers, t);
    }
    return t;
  }
}

/**
 * A uniform number in [0, 1) from a key and two integers: the draw of one node for one change.
 * Hashing (murmur3's finaliser) instead of a stream makes the draw independent of the order in
 * which nodes happen to look, so a node's tables can be brought up to date lazily and still
 * be the same in every run.
 */
export function hashUnit(key: number, a: number, b: number): number {
  let h = fmix(key ^ Math.imul(a + 0x632be5ab, 0x9e3779b1));
  h = fmix(h ^ Math.imul(b + 0x85ebca6b, 0xc2b2ae35));
  return (h >>> 0) / 4294967296;
}

function fmix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
