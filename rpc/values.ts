/**
 * Typed access to JSON-RPC parameters with UniValue's error texts (`get_str`, `getInt`, `get_bool`, …): a wrong
 * type becomes `RPC_TYPE_ERROR` "JSON value of type string is not of expected type number", as in Core.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "./errors.ts";
import { type JsonObject, type JsonTypeName, type JsonValue, numberValue, typeName } from "./json.ts";

function typeError(value: unknown, expected: JsonTypeName): RpcError {
  return new RpcError(
    RpcErrorCode.RPC_TYPE_ERROR,
    `JSON value of type ${typeName(value)} is not of expected type ${expected}`,
  );
}

/** The string value (`UniValue::get_str`). */
export function getStr(value: unknown): string {
  if (typeof value !== "string") throw typeError(value, "string");
  return value;
}

/** The boolean value (`UniValue::get_bool`). */
export function getBool(value: unknown): boolean {
  if (typeof value !== "boolean") throw typeError(value, "bool");
  return value;
}

/** An optional boolean argument: `fallback` when it is absent or null, else {@link getBool}. */
export function optBool(value: unknown, fallback: boolean): boolean {
  return value === undefined || value === null ? fallback : getBool(value);
}

/** Any number (`UniValue::get_real`). */
export function getReal(value: unknown): number {
  if (typeName(value) !== "number") throw typeError(value, "number");
  return numberValue(value);
}

/**
 * An integer within [min, max] (`UniValue::getInt<T>`; default range is that of a 32-bit `int`). A fraction
 * or out-of-range value is "JSON integer out of range" (`RPC_MISC_ERROR`, as Core's `std::runtime_error`).
 */
export function getInt(value: unknown, min = -2147483648, max = 2147483647): number {
  if (typeName(value) !== "number") throw typeError(value, "number");
  const n = numberValue(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  }
  return n;
}

/** The array value (`UniValue::get_array`). */
export function getArray(value: unknown): JsonValue[] {
  if (!Array.isArray(value)) throw typeError(value, "array");
  return value as JsonValue[];
}

/** The object value (`UniValue::get_obj`). */
export function getObject(value: unknown): JsonObject {
  if (typeName(value) !== "object") throw typeError(value, "object");
  return value as JsonObject;
}
