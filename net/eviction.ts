/**
 * Inbound eviction (Core's `SelectNodeToEvict` in `node/eviction.cpp`): when every inbound slot is taken, a
 * new inbound connection may replace one chosen among the current inbound peers. Peers are protected in turn:
 * `noban` and outbound ones; 4 by keyed network group; the 8 with the lowest minimum ping; the 4 that last sent
 * us new transactions; up to 8 non-transaction-relay peers that last sent us new blocks; the 4 that last sent us
 * new blocks; then half of the rest by uptime, up to half of that half reserved for peers of disadvantaged
 * networks (CJDNS, I2P, localhost, onion). Of the remaining peers (only those preferred for eviction, if any),
 * the youngest of the network group with most connections is evicted.
 *
 * A pure function over candidate records, as Core's.
 *
 * @module
 */

import type { ConnectionType } from "./connman.ts";
import { Network, type NetworkId } from "./netaddr.ts";

/** One inbound peer as eviction sees it (Core's `NodeEvictionCandidate`; times in seconds, ping in µs). */
export interface EvictionCandidate {
  readonly id: number;
  /** When the connection was made. */
  readonly connected: number;
  /** Lowest ping seen (`Infinity` when none). */
  readonly minPingTime: number;
  /** When the peer last sent us a new block (0: never). */
  readonly lastBlockTime: number;
  /** When the peer last sent us a new transaction accepted to the mempool (0: never). */
  readonly lastTxTime: number;
  /** The peer offers the services we want from outbound peers. */
  readonly relevantServices: boolean;
  /** The peer relays transactions to us. */
  readonly relayTxs: boolean;
  /** The peer loaded a BIP37 bloom filter. */
  readonly bloomFilter: boolean;
  /** The peer's network group, hashed with a secret key. */
  readonly keyedNetGroup: bigint;
  /** Misbehaved (discouraged): evicted first. */
  readonly preferEvict: boolean;
  /** A loopback peer. */
  readonly isLocal: boolean;
  /** The network the peer connected through. */
  readonly network: NetworkId;
  /** The peer has the `noban` permission. */
  readonly noban: boolean;
  /** Its connection type. */
  readonly connType: ConnectionType;
}

type Cand = EvictionCandidate;
type Cmp = (a: Cand, b: Cand) => boolean;

/** Core's `EraseLastKElements`: sort by `less`, then drop from the last `k` those matching `predicate`. */
function eraseLastK(
  list: Cand[],
  less: Cmp,
  k: number,
  predicate: (c: Cand) => boolean = () => true,
): Cand[] {
  const sorted = [...list].sort((a, b) => less(a, b) ? -1 : less(b, a) ? 1 : 0);
  const cut = sorted.length - Math.min(k, sorted.length);
  return [...sorted.slice(0, cut), ...sorted.slice(cut).filter((c) => !predicate(c))];
}

const reverseMinPing: Cmp = (a, b) => a.minPingTime > b.minPingTime;
const reverseConnected: Cmp = (a, b) => a.connected > b.connected;
const netGroupKeyed: Cmp = (a, b) => a.keyedNetGroup < b.keyedNetGroup;
const blockTime: Cmp = (a, b) => {
  if (a.lastBlockTime !== b.lastBlockTime) return a.lastBlockTime < b.lastBlockTime;
  if (a.relevantServices !== b.relevantServices) return b.relevantServices;
  return a.connected > b.connected;
};
const txTime: Cmp = (a, b) => {
  if (a.lastTxTime !== b.lastTxTime) return a.lastTxTime < b.lastTxTime;
  if (a.relayTxs !== b.relayTxs) return b.relayTxs;
  if (a.bloomFilter !== b.bloomFilter) return a.bloomFilter;
  return a.connected > b.connected;
};
const blockRelayOnlyTime: Cmp = (a, b) => {
  if (a.relayTxs !== b.relayTxs) return a.relayTxs;
  if (a.lastBlockTime !== b.lastBlockTime) return a.lastBlockTime < b.lastBlockTime;
  if (a.relevantServices !== b.relevantServices) return b.relevantServices;
  return a.connected > b.connected;
};
function networkTime(isLocal: boolean, network: number): Cmp {
  return (a, b) => {
    if (isLocal && a.isLocal !== b.isLocal) return b.isLocal;
    if ((a.network === network) !== (b.network === network)) return b.network === network;
    return a.connected > b.connected;
  };
}

/**
 * Core's `ProtectEvictionCandidatesByRatio`: protects half of the candidates by uptime, reserving up to half of
 * those for the disadvantaged networks (fewest candidates first). Returns the candidates left.
 */
export function protectEvictionCandidatesByRatio(candidates: readonly Cand[]): Cand[] {
  let list = [...candidates];
  const totalProtect = Math.floor(list.length / 2);
  const nets = [
    { isLocal: false, id: Network.CJDNS as number, count: 0 },
    { isLocal: false, id: Network.I2P as number, count: 0 },
    { isLocal: true, id: -1, count: 0 },
    { isLocal: false, id: Network.ONION as number, count: 0 },
  ];
  const member = (n: { isLocal: boolean; id: number }) => (c: Cand) =>
    n.isLocal ? c.isLocal : c.network === n.id;
  for (const n of nets) n.count = list.filter(member(n)).length;
  nets.sort((a, b) => a.count - b.count); // stable, as Core's std::stable_sort
  const maxByNetwork = Math.floor(totalProtect / 2);
  let protectedCount = 0;
  while (protectedCount < maxByNetwork) {
    const withPeers = nets.filter((n) => n.count > 0).length;
    if (withPeers === 0) break;
    const perNetwork = Math.max(Math.floor((maxByNetwork - protectedCount) / withPeers), 1);
    let any = false;
    for (const n of nets) {
      if (n.count === 0) continue;
      const before = list.length;
      list = eraseLastK(list, networkTime(n.isLocal, n.id), perNetwork, member(n));
      const delta = before - list.length;
      if (delta > 0) {
        any = true;
        protectedCount += delta;
        if (protectedCount >= maxByNetwork) break;
        n.count -= delta;
      }
    }
    if (!any) break;
  }
  return eraseLastK(list, reverseConnected, totalProtect - protectedCount);
}

/** Core's `SelectNodeToEvict`: the id of the inbound peer to evict, or null when every candidate is protected. */
export function selectNodeToEvict(candidates: readonly Cand[]): number | null {
  let list = candidates.filter((c) => !c.noban && c.connType === "inbound");
  list = eraseLastK(list, netGroupKeyed, 4);
  list = eraseLastK(list, reverseMinPing, 8);
  list = eraseLastK(list, txTime, 4);
  list = eraseLastK(list, blockRelayOnlyTime, 8, (c) => !c.relayTxs && c.relevantServices);
  list = eraseLastK(list, blockTime, 4);
  list = protectEvictionCandidatesByRatio(list);
  if (list.length === 0) return null;
  if (list.some((c) => c.preferEvict)) list = list.filter((c) => c.preferEvict);
  // The network group with the most connections, ties to the one whose first (youngest) member is youngest.
  const groups = new Map<bigint, Cand[]>();
  let best: bigint | undefined;
  let bestSize = 0;
  let bestTime = -Infinity;
  for (const c of list) {
    let g = groups.get(c.keyedNetGroup);
    if (g === undefined) groups.set(c.keyedNetGroup, g = []);
    g.push(c);
    const groupTime = g[0].connected;
    if (g.length > bestSize || (g.length === bestSize && groupTime > bestTime)) {
      bestSize = g.length;
      bestTime = groupTime;
      best = c.keyedNetGroup;
    }
  }
  return groups.get(best!)![0].id;
}
