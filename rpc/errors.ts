/**
 * Bitcoin Core's JSON-RPC error codes (`src/rpc/protocol.h`, `RPCErrorCode`) and the error type that RPC
 * handlers throw to send one of them.
 *
 * @module
 */

/** Core's `RPCErrorCode` values, by Core's names. */
export const RpcErrorCode = {
  // Standard JSON-RPC 2.0 errors
  RPC_INVALID_REQUEST: -32600,
  RPC_METHOD_NOT_FOUND: -32601,
  RPC_INVALID_PARAMS: -32602,
  RPC_INTERNAL_ERROR: -32603,
  RPC_PARSE_ERROR: -32700,
  // General application defined errors
  RPC_MISC_ERROR: -1,
  RPC_TYPE_ERROR: -3,
  RPC_INVALID_ADDRESS_OR_KEY: -5,
  RPC_OUT_OF_MEMORY: -7,
  RPC_INVALID_PARAMETER: -8,
  RPC_DATABASE_ERROR: -20,
  RPC_DESERIALIZATION_ERROR: -22,
  RPC_VERIFY_ERROR: -25,
  RPC_VERIFY_REJECTED: -26,
  RPC_VERIFY_ALREADY_IN_UTXO_SET: -27,
  RPC_IN_WARMUP: -28,
  RPC_METHOD_DEPRECATED: -32,
  RPC_LIMIT_EXCEEDED: -37,
  RPC_TRANSACTION_ERROR: -25,
  RPC_TRANSACTION_REJECTED: -26,
  // P2P client errors
  RPC_CLIENT_NOT_CONNECTED: -9,
  RPC_CLIENT_IN_INITIAL_DOWNLOAD: -10,
  RPC_CLIENT_NODE_ALREADY_ADDED: -23,
  RPC_CLIENT_NODE_NOT_ADDED: -24,
  RPC_CLIENT_NODE_NOT_CONNECTED: -29,
  RPC_CLIENT_INVALID_IP_OR_SUBNET: -30,
  RPC_CLIENT_P2P_DISABLED: -31,
  RPC_CLIENT_NODE_CAPACITY_REACHED: -34,
  // Chain errors
  RPC_CLIENT_MEMPOOL_DISABLED: -33,
  // Wallet errors
  RPC_WALLET_ERROR: -4,
  RPC_WALLET_INSUFFICIENT_FUNDS: -6,
  RPC_WALLET_INVALID_LABEL_NAME: -11,
  RPC_WALLET_KEYPOOL_RAN_OUT: -12,
  RPC_WALLET_UNLOCK_NEEDED: -13,
  RPC_WALLET_PASSPHRASE_INCORRECT: -14,
  RPC_WALLET_WRONG_ENC_STATE: -15,
  RPC_WALLET_ENCRYPTION_FAILED: -16,
  RPC_WALLET_ALREADY_UNLOCKED: -17,
  RPC_WALLET_NOT_FOUND: -18,
  RPC_WALLET_NOT_SPECIFIED: -19,
  RPC_WALLET_ALREADY_LOADED: -35,
  RPC_WALLET_ALREADY_EXISTS: -36,
  RPC_WALLET_INVALID_ACCOUNT_NAME: -11,
  RPC_FORBIDDEN_BY_SAFE_MODE: -2,
} as const;

/** One of Core's RPC error codes (any integer is accepted on the wire). */
export type RpcErrorCodeValue = typeof RpcErrorCode[keyof typeof RpcErrorCode];

/**
 * An error with a JSON-RPC code, sent to the client as `{"code": …, "message": …}` (Core's `JSONRPCError`).
 * Any other exception thrown by a handler is sent as `RPC_MISC_ERROR` (-1) with its message, as Core does
 * with `std::exception`.
 */
export class RpcError extends Error {
  /** The JSON-RPC error code. */
  readonly code: number;

  /** Creates an error with `code` (e.g. `RpcErrorCode.RPC_INVALID_PARAMETER`) and `message`. */
  constructor(code: number, message: string) {
    super(message);
    this.name = "RpcError";
    this.code = code;
  }

  /** The JSON-RPC error object. */
  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Converts anything thrown by a handler into an `RpcError` (non-`RpcError` → `RPC_MISC_ERROR`). */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof Error) return new RpcError(RpcErrorCode.RPC_MISC_ERROR, err.message);
  return new RpcError(RpcErrorCode.RPC_MISC_ERROR, String(err));
}
