/**
 * tsbtc as a library: the parts of the multiprocess Bitcoin node, each usable on its own.
 *
 * - `core`: Bitcoin's data structures and rules (network parameters so far).
 * - `interfaces`: one interface per process boundary (Init, Echo, Rpc), as Bitcoin Core's `src/interfaces/`.
 * - `ipc`: Cap'n Proto IPC wire-compatible with Core (connections, proxies, endpoints, process spawning).
 * - `rpc`: the bitcoind-compatible JSON-RPC server and the bitcoin-cli-compatible client.
 * - `cli`: Core's command-line and `bitcoin.conf` rules.
 * - `sandbox`: least-privilege permission profiles.
 * - `node`: the node process.
 * - `util`: logging.
 *
 * @module
 */
export * as core from "./core/mod.ts";
export * as interfaces from "./interfaces/mod.ts";
export * as ipc from "./ipc/mod.ts";
export * as rpc from "./rpc/mod.ts";
export * as cli from "./cli/mod.ts";
export * as sandbox from "./sandbox/mod.ts";
export * as node from "./node/mod.ts";
export * as net from "./net/mod.ts";
export * as wallet from "./wallet/mod.ts";
export * as util from "./util/mod.ts";
