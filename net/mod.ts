/**
 * Bitcoin's P2P protocol (btcd's `wire` and `peer`, Core's protocol.h and net.h facts): constants and message
 * types (protocol.ts), message framing (header.ts) and a streaming decoder (decoder.ts), typed codecs for every
 * message (messages.ts), network addresses including BIP155 (address.ts), the user agent (user_agent.ts),
 * BIP152 compact blocks (siphash.ts, compact_blocks.ts, partial_block.ts), and one peer connection with Core's
 * handshake rules, pings, accounting and backpressure (peer.ts); the node's networking on top: the connection
 * manager (connman.ts), Core's PeerManager logic for sync and relay (net_processing.ts), bans (banman.ts),
 * address classification (netaddr.ts), the address manager and its database (addrman.ts, addrman_db.ts),
 * Core's anchors.dat (anchors.ts),
 * inbound eviction (eviction.ts), and the P2P service the node starts (p2p.ts).
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./header.ts";
export * from "./decoder.ts";
export * from "./errors.ts";
export * from "./messages.ts";
export * from "./address.ts";
export * from "./user_agent.ts";
export * from "./siphash.ts";
export * from "./compact_blocks.ts";
export * from "./partial_block.ts";
export * from "./peer.ts";
export * from "./banman.ts";
export * from "./connman.ts";
export * from "./net_processing.ts";
export * from "./p2p.ts";
export * from "./netaddr.ts";
export * from "./addrman.ts";
export * from "./addrman_db.ts";
export * from "./anchors.ts";
export * from "./eviction.ts";
