/**
 * Inbound eviction against Core's net_peer_eviction_tests.cpp scenarios: protection by ratio (uptime, and the
 * disadvantaged networks onion, localhost, I2P, CJDNS), the protections of SelectNodeToEvict (net group, ping,
 * transactions, blocks, block-relay-only peers) for 0–199 random candidates, and what Core's file leaves to
 * test: noban and outbound peers, peers preferred for eviction, the youngest of the biggest network group.
 */
import { assert, assertEquals } from "../assert.ts";
import {
  type EvictionCandidate,
  protectEvictionCandidatesByRatio,
  selectNodeToEvict,
} from "../../net/eviction.ts";
import { seededRandom } from "../../net/addrman.ts";
import { Network, type NetworkId } from "../../net/netaddr.ts";

type Cand = { -readonly [K in keyof EvictionCandidate]: EvictionCandidate[K] };
const ALL: NetworkId[] = [
  Network.UNROUTABLE,
  Network.IPV4,
  Network.IPV6,
  Network.ONION,
  Network.I2P,
  Network.CJDNS,
  Network.INTERNAL,
];

/** Core's GetRandomNodeEvictionCandidates. */
function randomCandidates(n: number, rnd: () => number): Cand[] {
  const r = (k: number) => Math.floor(rnd() * k);
  const out: Cand[] = [];
  for (let id = 0; id < n; id++) {
    out.push({
      id,
      connected: r(100),
      minPingTime: r(100),
      lastBlockTime: r(100),
      lastTxTime: r(100),
      relevantServices: rnd() < 0.5,
      relayTxs: rnd() < 0.5,
      bloomFilter: rnd() < 0.5,
      keyedNetGroup: BigInt(r(100)),
      preferEvict: rnd() < 0.5,
      isLocal: rnd() < 0.5,
      network: ALL[r(ALL.length)],
      noban: false,
      connType: "inbound",
    });
  }
  return out;
}

function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Core's IsProtected. */
function isProtected(
  n: number,
  setup: (c: Cand) => void,
  protectedIds: number[],
  unprotectedIds: number[],
  rnd: () => number,
): boolean {
  const cands = randomCandidates(n, rnd);
  for (const c of cands) setup(c);
  shuffle(cands, rnd);
  const left = protectEvictionCandidatesByRatio(cands);
  assertEquals(left.length, n - Math.floor(n / 2));
  const ids = new Set(left.map((c) => c.id));
  if (protectedIds.some((id) => ids.has(id))) return false;
  return unprotectedIds.filter((id) => ids.has(id)).length === unprotectedIds.length;
}

const V4 = Network.IPV4;
const V6 = Network.IPV6;
const ONION = Network.ONION;
const I2P = Network.I2P;
const CJDNS = Network.CJDNS;

Deno.test("eviction: protection by ratio, Core's peer_protection_test scenarios", () => {
  const rnd = seededRandom(42);
  const cases: [number, (c: Cand) => void, number[], number[]][] = [
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = false;
        c.network = V4;
      },
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ],
    [
      12,
      (c) => {
        c.connected = 12 - c.id;
        c.isLocal = false;
        c.network = V6;
      },
      [6, 7, 8, 9, 10, 11],
      [0, 1, 2, 3, 4, 5],
    ],
    [
      12,
      (c) => {
        c.isLocal = false;
        c.network = [3, 8, 9].includes(c.id) ? ONION : V4;
      },
      [3, 8, 9],
      [],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = false;
        c.network = c.id === 3 || c.id > 7 ? ONION : V6;
      },
      [0, 1, 2, 3, 8, 9],
      [4, 5, 6, 7, 10, 11],
    ],
    [
      12,
      (c) => {
        c.isLocal = [1, 9, 11].includes(c.id);
        c.network = V4;
      },
      [1, 9, 11],
      [],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id > 6;
        c.network = V6;
      },
      [0, 1, 2, 7, 8, 9],
      [3, 4, 5, 6, 10, 11],
    ],
    [
      12,
      (c) => {
        c.isLocal = false;
        c.network = [2, 7, 10].includes(c.id) ? I2P : V4;
      },
      [2, 7, 10],
      [],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = false;
        c.network = c.id === 4 || c.id > 8 ? I2P : V6;
      },
      [0, 1, 2, 4, 9, 10],
      [3, 5, 6, 7, 8, 11],
    ],
    [
      12,
      (c) => {
        c.isLocal = false;
        c.network = [2, 7, 10].includes(c.id) ? CJDNS : V4;
      },
      [2, 7, 10],
      [],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = false;
        c.network = c.id === 4 || c.id > 8 ? CJDNS : V6;
      },
      [0, 1, 2, 4, 9, 10],
      [3, 5, 6, 7, 8, 11],
    ],
    [
      4,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id === 4;
        c.network = c.id === 3 ? ONION : V4;
      },
      [0, 4],
      [1, 2],
    ],
    [
      7,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id === 6;
        c.network = c.id === 5 ? ONION : V4;
      },
      [0, 1, 6],
      [2, 3, 4, 5],
    ],
    [
      8,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id === 6;
        c.network = c.id === 5 ? ONION : V4;
      },
      [0, 1, 5, 6],
      [2, 3, 4, 7],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = [6, 9, 11].includes(c.id);
        c.network = [7, 8, 10].includes(c.id) ? ONION : V6;
      },
      [0, 1, 2, 6, 7, 9],
      [3, 4, 5, 8, 10, 11],
    ],
    [
      12,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id > 4 && c.id < 9;
        c.network = c.id === 10 ? ONION : V4;
      },
      [0, 1, 2, 5, 6, 10],
      [3, 4, 7, 8, 9, 11],
    ],
    [
      16,
      (c) => {
        c.connected = c.id;
        c.isLocal = [6, 9, 11, 12].includes(c.id);
        c.network = c.id === 8 || c.id === 10 ? ONION : V6;
      },
      [0, 1, 2, 3, 6, 8, 9, 10],
      [4, 5, 7, 11, 12, 13, 14, 15],
    ],
    // 3 networks: 1 localhost, 1 I2P and 1 onion out of 4: I2P wins the tie (array order).
    [
      4,
      (c) => {
        c.connected = c.id;
        c.isLocal = c.id === 2;
        c.network = c.id === 3 ? I2P : c.id === 1 ? ONION : V6;
      },
      [0, 3],
      [1, 2],
    ],
  ];
  for (const [i, [n, setup, prot, unprot]] of cases.entries()) {
    assert(isProtected(n, setup, prot, unprot, rnd), `case ${i}`);
  }
});

Deno.test("eviction: SelectNodeToEvict protections for 0–199 candidates (Core's peer_eviction_test)", () => {
  const rnd = seededRandom(7);
  const evicted = (n: number, setup: (c: Cand) => void, ids: number[]) => {
    const cands = randomCandidates(n, rnd);
    for (const c of cands) setup(c);
    const id = selectNodeToEvict(shuffle(cands, rnd));
    return id !== null && ids.includes(id);
  };
  const range = (k: number) => [...Array(k).keys()];
  for (let n = 0; n < 200; n++) {
    assert(!evicted(n, (c) => c.keyedNetGroup = BigInt(n - c.id), range(4)), `netgroup ${n}`);
    assert(!evicted(n, (c) => c.minPingTime = c.id, range(8)), `ping ${n}`);
    assert(!evicted(n, (c) => c.lastTxTime = n - c.id, range(4)), `tx ${n}`);
    const blockRelayOnly = (c: Cand) => {
      c.lastBlockTime = n - c.id;
      if (c.id <= 7) {
        c.relayTxs = false;
        c.relevantServices = true;
      }
    };
    assert(!evicted(n, blockRelayOnly, range(8)), `block-relay-only ${n}`);
    assert(!evicted(n, (c) => c.lastBlockTime = n - c.id, range(4)), `block ${n}`);
    assert(!evicted(n, blockRelayOnly, range(12)), `both ${n}`);
    assert(
      !evicted(n, (c) => {
        c.keyedNetGroup = BigInt(n - c.id);
        c.minPingTime = c.id;
        c.lastTxTime = n - c.id;
        c.lastBlockTime = n - c.id;
      }, range(20)),
      `all ${n}`,
    );
    if (n >= 29) assert(selectNodeToEvict(randomCandidates(n, rnd)) !== null, `evicts at ${n}`);
    if (n <= 20) assertEquals(selectNodeToEvict(randomCandidates(n, rnd)), null, `protects all at ${n}`);
  }
});

Deno.test("eviction: noban and outbound peers never go; preferred ones first; youngest of the biggest group", () => {
  const rnd = seededRandom(3);
  const base = (id: number): Cand => ({
    ...randomCandidates(1, rnd)[0],
    id,
    connected: 1000 + id,
    minPingTime: 1000,
    lastBlockTime: 0,
    lastTxTime: 0,
    relayTxs: true,
    relevantServices: false,
    bloomFilter: false,
    preferEvict: false,
    isLocal: false,
    network: V4,
    keyedNetGroup: 5n,
  });
  // 40 peers: ids 0–29 in group 5; 30–39 in their own groups. The protected ones are the 4 highest groups,
  // 8 lowest pings…; all pings equal here, so the youngest of group 5 left goes.
  const cands = [...Array(40).keys()].map((id) => {
    const c = base(id);
    if (id >= 30) c.keyedNetGroup = BigInt(100 + id);
    return c;
  });
  const victim = selectNodeToEvict(cands);
  assert(victim !== null && victim < 30, `victim ${victim} is from the biggest group`);
  const group5 = cands.filter((c) => c.keyedNetGroup === 5n).map((c) => c.id);
  assert(group5.includes(victim!));
  // Noban and outbound peers are never candidates.
  assertEquals(selectNodeToEvict(cands.map((c) => ({ ...c, noban: true }))), null);
  assertEquals(selectNodeToEvict(cands.map((c) => ({ ...c, connType: "outbound-full-relay" }))), null);
  // A discouraged peer is evicted before the others even in a small group.
  const withBad = cands.map((c) => c.id === 31 ? { ...c, preferEvict: true, keyedNetGroup: 1n } : c);
  assertEquals(selectNodeToEvict(withBad), 31);
});
