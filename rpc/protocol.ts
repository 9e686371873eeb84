/**
 * JSON-RPC over HTTP as Bitcoin Core speaks it (`src/rpc/protocol.h`, `src/rpc/request.cpp`): HTTP status
 * codes, request parsing with Core's rules and error texts, and reply objects for JSON-RPC 1.0 (legacy) and
 * 2.0.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "./errors.ts";
import { isRawJson, type JsonObject, type JsonValue } from "./json.ts";

/** HTTP status codes Core uses (`HTTPStatusCode`). */
export const HttpStatus = {
  OK: 200,
  NO_CONTENT: 204,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_METHOD: 405,
  CONTENT_TOO_LARGE: 413,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

/** Core's reason phrases (`HTTPStatusReasonString`). */
export function httpStatusReason(status: number): string {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content too large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "";
}

/** JSON-RPC version of a request: Core's `JSONRPCVersion` (1.0/1.1 legacy, or 2.0). */
export type JsonRpcVersion = "1.0" | "2.0";

/** The parsed form of one JSON-RPC request object (Core's `JSONRPCRequest` after `parse`). */
export interface JsonRpcRequest {
  /** The id; `undefined` when the request had no `id` member. */
  id: JsonValue | undefined;
  /** `"2.0"` when `"jsonrpc": "2.0"` was given, else `"1.0"`. */
  version: JsonRpcVersion;
  /** Method name. */
  method: string;
  /** Positional (array) or named (object) parameters; `[]` when absent or null. */
  params: JsonValue[] | JsonObject;
}

/**
 * Mutable parse state, shared across the members of a batch exactly as Core reuses one `JSONRPCRequest`: a
 * member that fails before its id is read is answered with the previous member's id and version.
 */
export interface JsonRpcParseState {
  /** Last id read (`undefined`: no id member). */
  id: JsonValue | undefined;
  /** Last version read. */
  version: JsonRpcVersion;
}

/**
 * A new parse state: id null (Core's `JSONRPCRequest::id` starts as a JSON null, so a reply to a request that could
 * not be parsed carries `"id": null`), version 1.0.
 */
export function newParseState(): JsonRpcParseState {
  return { id: null, version: "1.0" };
}

/** True when the request is a JSON-RPC 2.0 notification (no id), which gets no reply. */
export function isNotification(state: JsonRpcParseState): boolean {
  return state.id === undefined && state.version === "2.0";
}

/**
 * Parses one request object with Core's rules and error messages (`JSONRPCRequest::parse`). Updates `state`
 * (id first, then version) as Core does, so errors thrown later carry the id. Throws `RpcError`.
 */
export function parseJsonRpcRequest(value: JsonValue, state: JsonRpcParseState): JsonRpcRequest {
  if (value === null || typeof value !== "object" || Array.isArray(value) || isRawJson(value)) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "Invalid Request object");
  }
  const req = value as JsonObject;
  state.id = Object.hasOwn(req, "id") ? req.id : undefined;
  state.version = "1.0";
  const jsonrpc = req.jsonrpc;
  if (jsonrpc !== undefined && jsonrpc !== null) {
    if (typeof jsonrpc !== "string") {
      throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "jsonrpc field must be a string");
    }
    if (jsonrpc === "2.0") state.version = "2.0";
    else if (jsonrpc !== "1.0") {
      throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "JSON-RPC version not supported");
    }
  }
  const method = req.method;
  if (method === undefined || method === null) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "Missing method");
  }
  if (typeof method !== "string") {
    throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "Method must be a string");
  }
  const params = req.params;
  let p: JsonValue[] | JsonObject;
  if (params === undefined || params === null) p = [];
  else if (typeof params === "object" && !isRawJson(params)) p = params as JsonValue[] | JsonObject;
  else throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "Params must be an array or object");
  return { id: state.id, version: state.version, method, params: p };
}

/** A JSON-RPC reply object (Core's `JSONRPCReplyObj`). */
export type JsonRpcReply = Record<string, unknown>;

/**
 * Builds a reply like Core's `JSONRPCReplyObj`: version 2.0 replies carry `"jsonrpc": "2.0"` and only one of
 * `result`/`error`; 1.0 replies carry both (one null). `id` is left out when the request had none.
 */
export function jsonRpcReply(
  result: unknown,
  error: { code: number; message: string } | null,
  id: JsonValue | undefined,
  version: JsonRpcVersion,
): JsonRpcReply {
  const reply: JsonRpcReply = {};
  if (version === "2.0") reply.jsonrpc = "2.0";
  if (error === null) {
    reply.result = result === undefined ? null : result;
    if (version === "1.0") reply.error = null;
  } else {
    if (version === "1.0") reply.result = null;
    reply.error = { code: error.code, message: error.message };
  }
  if (id !== undefined) reply.id = id;
  return reply;
}

/** Builds a request object as bitcoin-cli sends it (Core's `JSONRPCRequestObj`, always 2.0). */
export function jsonRpcRequestObject(
  method: string,
  params: unknown,
  id: JsonValue,
): Record<string, unknown> {
  return { method, params, id, jsonrpc: "2.0" };
}
