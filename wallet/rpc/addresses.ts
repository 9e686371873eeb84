/**
 * Address and descriptor RPCs (Core's `wallet/rpc/addresses.cpp` and `backup.cpp` parts): getnewaddress,
 * getrawchangeaddress.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { ALL_OUTPUT_TYPES_TEXT } from "../context.ts";
import { labelFromValue, outputTypeFromValue, type WalletRpcContext } from "./wallet_util.ts";

/** getnewaddress and getrawchangeaddress. */
export function addressMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "getnewaddress",
    category: "wallet",
    description: "Returns a new Bitcoin address for receiving payments.\n" +
      "If 'label' is specified, it is added to the address book \n" +
      "so payments received with the address will be associated with 'label'.\n",
    args: [
      {
        names: "label",
        type: "str",
        fallback: { default: "" },
        description:
          'The label name for the address to be linked to. It can also be set to the empty string "" to represent the default label. The label does not need to exist, it will be created if there is no label by the given name.',
      },
      {
        names: "address_type",
        type: "str",
        fallback: { hint: "set by -addresstype" },
        description: `The address type to use. Options are ${ALL_OUTPUT_TYPES_TEXT}.`,
      },
    ],
    results: [{ type: "str", key: "address", description: "The new bitcoin address" }],
    examples: helpExampleCli("getnewaddress", "") + helpExampleRpc("getnewaddress", ""),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(() => {
        if (!w.canGetAddresses()) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: This wallet has no available keys");
        }
        const label = labelFromValue(params[0]);
        const type = params[1] === undefined || params[1] === null
          ? w.defaultAddressType()
          : outputTypeFromValue(params[1]);
        return w.getNewAddress(type, label);
      });
    },
  }, {
    name: "getrawchangeaddress",
    category: "wallet",
    description: "Returns a new Bitcoin address, for receiving change.\n" +
      "This is for use with raw transactions, NOT normal use.\n",
    args: [{
      names: "address_type",
      type: "str",
      fallback: { hint: "set by -changetype" },
      description: `The address type to use. Options are ${ALL_OUTPUT_TYPES_TEXT}.`,
    }],
    results: [{ type: "str", key: "address", description: "The address" }],
    examples: helpExampleCli("getrawchangeaddress", "") + helpExampleRpc("getrawchangeaddress", ""),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(() => {
        if (!w.canGetAddresses(true)) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: This wallet has no available keys");
        }
        const type = params[0] === undefined || params[0] === null
          ? w.defaultChangeType() ?? w.defaultAddressType()
          : outputTypeFromValue(params[0]);
        return w.getNewChangeAddress(type);
      });
    },
  }];
}
