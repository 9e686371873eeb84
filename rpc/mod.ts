/**
 * tsbtc's JSON-RPC: the bitcoind-compatible HTTP server and dispatch table, Core's control methods, and the
 * bitcoin-cli-compatible client.
 *
 * Node side: build an `RpcTable`, register methods (`controlMethods(...)`, later chain and wallet ones), then
 * `RpcServer.start(serverOptionsFromArgs(args, { table, logger }))`; `server.stop()` at shutdown. IPC's
 * `Rpc.executeRpc(request, uri, user)` is `(await table.execute(request, { uri, user })).body`.
 *
 * Client side: `runCli(args, { transport })` (HTTP by default; `-ipcconnect` plugs its own transport).
 *
 * @module
 */
export * from "./args_like.ts";
export * from "./errors.ts";
export * from "./json.ts";
export * from "./protocol.ts";
export * from "./help.ts";
export * from "./values.ts";
export * from "./table.ts";
export * from "./auth.ts";
export * from "./subnet.ts";
export * from "./url.ts";
export * from "./work_queue.ts";
export * from "./server.ts";
export * from "./convert.ts";
export * from "./client.ts";
export * from "./methods/control.ts";
export * from "./methods/descriptors.ts";
export * from "./methods/rawtransaction.ts";
export * from "./methods/util.ts";
export * from "./methods/blockchain.ts";
export * from "./methods/blockchain_utxo.ts";
export * from "./methods/mining.ts";
export * from "./methods/mocktime.ts";
export * from "./tx_json.ts";
export * from "./sign_transaction.ts";
export * from "./methods/mempool.ts";
export * from "./methods/fees.ts";
export * from "./methods/net.ts";
export * from "./methods/psbt.ts";
export * from "./methods/deploymentinfo.ts";
