/**
 * tsbtc's process boundaries, one interface per boundary as in Bitcoin Core's `src/interfaces/`. Each is
 * implemented in-process and by an IPC proxy (`ipc/`); callers cannot tell which.
 *
 * @module
 */
export * from "./echo.ts";
export * from "./init.ts";
export * from "./process_init.ts";
export * from "./rpc.ts";
export * from "./chain.ts";
export * from "./wallet_loader.ts";
