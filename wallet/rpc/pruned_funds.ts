/**
 * importprunedfunds and removeprunedfunds (Core's `wallet/rpc/backup.cpp`): a transaction paying the wallet is
 * added as confirmed from a `gettxoutproof` merkle proof (no rescan), or a wallet transaction is forgotten.
 *
 * @module
 */
import { bytesEqual, reverseHex } from "../../core/hash/hashes.ts";
import { extractMatches, readMerkleBlock } from "../../core/hash/mod.ts";
import { blockHash } from "../../core/wire/block.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import { txid as txidOf } from "../../core/wire/transaction.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import { decodeHexTxParam, parseHashV, parseHexV } from "../../rpc/methods/rawtransaction.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import type { WalletRpcContext } from "./wallet_util.ts";

const EXAMPLE_TXID = "a8d0c0184dde994a09ec054286f1ce581bebf46446a512166eae7628734ea0a5";

/** The pruned-funds methods. */
export function prunedFundsMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "importprunedfunds",
    category: "wallet",
    description:
      "Imports funds without rescan. Corresponding address or script must previously be included in wallet. Aimed towards pruned wallets. The end-user is responsible to import additional transactions that subsequently spend the imported outputs or rescan after the point in the blockchain the transaction is included.\n",
    args: [
      {
        names: "rawtransaction",
        type: "str_hex",
        description: "A raw transaction in hex funding an already-existing address in wallet",
      },
      {
        names: "txoutproof",
        type: "str_hex",
        description: "The hex output from gettxoutproof that contains the transaction",
      },
    ],
    results: [{ type: "none", description: "" }],
    examples: "",
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const tx = decodeHexTxParam(params[0], { tryNoWitness: false });
      const mb = readMerkleBlock(new ByteReader(parseHexV(params[1], "proof"), "merkle block"));
      const found = extractMatches(mb.tree);
      if (!found.ok || !bytesEqual(found.root, mb.header.merkleRoot)) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Something wrong with merkleblock");
      }
      const hash = reverseHex(blockHash(mb.header));
      return await w.withLock(async () => {
        const block = await w.chain.findAncestorByHash(w.lastBlock().hash, hash, {
          time: true,
          maxTime: true,
        });
        if (block === null) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found in chain");
        }
        const id = txidOf(tx);
        const pos = found.matches.findIndex((m) => bytesEqual(m, id));
        if (pos < 0) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
            "Transaction given doesn't exist in proof",
          );
        }
        if (!tx.outputs.some((out) => w.isMine(out.scriptPubKey))) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
            "No addresses in wallet correspond to included transaction",
          );
        }
        await w.addConfirmedTransaction(tx, {
          blockHash: hash,
          blockHeight: block.height,
          index: found.indexes[pos],
        }, { blockTime: block.time ?? mb.header.time, blockMaxTime: block.maxTime ?? mb.header.time });
        return null;
      });
    },
  }, {
    name: "removeprunedfunds",
    category: "wallet",
    description:
      "Deletes the specified transaction from the wallet. Meant for use with pruned wallets and as a companion to importprunedfunds. This will affect wallet balances.\n",
    args: [{
      names: "txid",
      type: "str_hex",
      description: "The hex-encoded id of the transaction you are deleting",
    }],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli("removeprunedfunds", `"${EXAMPLE_TXID}"`) +
      "\nAs a JSON-RPC call\n" + helpExampleRpc("removeprunedfunds", `"${EXAMPLE_TXID}"`),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const txid = reverseHex(parseHashV(params[0], "txid"));
      const error = await w.removeTransactions([txid]);
      if (error !== null) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, error);
      return null;
    },
  }];
}
