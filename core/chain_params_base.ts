/**
 * The per-network facts that the program needs before any consensus code: the network's name, its folder inside
 * the data directory and its default ports (Bitcoin Core's `CBaseChainParams`).
 *
 * @module
 */

/** Bitcoin Core's chain names, as accepted by `-chain=`. */
export const NETWORKS = ["main", "test", "testnet4", "signet", "regtest"] as const;

/** A chain name, as accepted by `-chain=` and used for `bitcoin.conf` sections. */
export type Network = typeof NETWORKS[number];

/** Base parameters of one network. */
export interface BaseChainParams {
  /** The chain name (`-chain=` value and `bitcoin.conf` section name). */
  readonly network: Network;
  /** Sub-folder of the data directory for this network ("" for main). */
  readonly dataDir: string;
  /** Default JSON-RPC port (`-rpcport`). */
  readonly rpcPort: number;
  /** Default P2P port (`-port`). */
  readonly p2pPort: number;
  /** Default Tor onion service target port. */
  readonly onionServicePort: number;
}

const BASE: Readonly<Record<Network, BaseChainParams>> = {
  main: { network: "main", dataDir: "", rpcPort: 8332, p2pPort: 8333, onionServicePort: 8334 },
  test: { network: "test", dataDir: "testnet3", rpcPort: 18332, p2pPort: 18333, onionServicePort: 18334 },
  testnet4: {
    network: "testnet4",
    dataDir: "testnet4",
    rpcPort: 48332,
    p2pPort: 48333,
    onionServicePort: 48334,
  },
  signet: { network: "signet", dataDir: "signet", rpcPort: 38332, p2pPort: 38333, onionServicePort: 38334 },
  regtest: {
    network: "regtest",
    dataDir: "regtest",
    rpcPort: 18443,
    p2pPort: 18444,
    onionServicePort: 18445,
  },
};

/** Returns true when `name` is one of Core's chain names. */
export function isNetwork(name: string): name is Network {
  return (NETWORKS as readonly string[]).includes(name);
}

/** Base parameters for `network`. */
export function baseParams(network: Network): BaseChainParams {
  return BASE[network];
}
