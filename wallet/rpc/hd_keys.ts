/**
 * HD key RPCs (Core's `wallet/rpc/wallet.cpp`): gethdkeys (the BIP32 root keys of the wallet's descriptors and
 * which descriptors use them), addhdkey (stores an HD key in an `unused()` descriptor, for later use) and
 * createwalletdescriptor (new active default descriptors of an output type from an HD key the wallet holds).
 *
 * @module
 */
import {
  decodeExtKey,
  decodeExtPubKey,
  encodeExtKey,
  encodeExtPubKey,
  type ExtPubKey,
} from "../../core/descriptors/mod.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleCliNamed, helpExampleRpc, helpExampleRpcNamed } from "../../rpc/help.ts";
import type { JsonObject } from "../../rpc/json.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getBool, getObject, getStr } from "../../rpc/values.ts";
import { ALL_OUTPUT_TYPES_TEXT, parseOutputType } from "../context.ts";
import { defaultDescriptorText, DescriptorScriptPubKeyMan, randomMasterKeyText } from "../scriptpubkeyman.ts";
import type { Wallet } from "../wallet.ts";
import { ensureWalletIsUnlocked, HELP_REQUIRING_PASSPHRASE, type WalletRpcContext } from "./wallet_util.ts";

/** An option of an `options` object, or undefined when absent or null. */
function option(options: JsonObject, key: string): unknown {
  const v = Object.hasOwn(options, key) ? options[key] : undefined;
  return v === null ? undefined : v;
}

/** The options object argument (null/absent: empty). */
function optionsArg(value: unknown): JsonObject {
  return value === undefined || value === null ? {} : getObject(value);
}

/** Core's `CExtPubKey` order: public key bytes, then chain code. */
function compareExtPubKeys(a: ExtPubKey, b: ExtPubKey): number {
  const c = compareBytes(a.pubkey, b.pubkey);
  return c !== 0 ? c : compareBytes(a.chainCode, b.chainCode);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Core's `GetKey(keyid)` over every descriptor of the wallet: the extended private key of `xpub` (its chain
 * code and position with the secret of its public key), when an unlocked descriptor holds the secret.
 */
export function extKeyFor(wallet: Wallet, xpub: ExtPubKey): string | undefined {
  for (const spkm of wallet.descriptors()) {
    const secret = spkm.privateDescriptor()?.getKey(xpub.pubkey);
    if (secret !== undefined) return encodeExtKey({ ...xpub, key: secret.key }, wallet.network);
  }
  return undefined;
}

/** The HD key methods. */
export function hdKeyMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "gethdkeys",
    category: "wallet",
    description: "List all BIP 32 HD keys in the wallet and which descriptors use them.\n",
    args: [{
      names: "options",
      type: "obj_named_params",
      fallback: "omitted",
      description: "",
      inner: [
        {
          names: "active_only",
          type: "bool",
          fallback: { default: false },
          description: "Show the keys for only active descriptors",
        },
        { names: "private", type: "bool", fallback: { default: false }, description: "Show private keys" },
      ],
    }],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "str", key: "xpub", description: "The extended public key" },
          {
            type: "bool",
            key: "has_private",
            description: "Whether the wallet has the private key for this xpub",
          },
          {
            type: "str",
            key: "xprv",
            optional: true,
            description: 'The extended private key if "private" is true',
          },
          {
            type: "arr",
            key: "descriptors",
            description: "Array of descriptor objects that use this HD key",
            inner: [{
              type: "obj",
              inner: [
                { type: "str", key: "desc", description: "Descriptor string public representation" },
                {
                  type: "bool",
                  key: "active",
                  description: "Whether this descriptor is currently used to generate new addresses",
                },
              ],
            }],
          },
        ],
      }],
    }],
    examples: helpExampleCli("gethdkeys", "") + helpExampleRpc("gethdkeys", "") +
      helpExampleCliNamed("gethdkeys", [["active_only", "true"], ["private", "true"]]) +
      helpExampleRpcNamed("gethdkeys", [["active_only", "true"], ["private", "true"]]),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      const options = optionsArg(params[0]);
      const activeOnly = option(options, "active_only") === undefined
        ? false
        : getBool(option(options, "active_only"));
      const priv = option(options, "private") === undefined ? false : getBool(option(options, "private"));
      if (priv) ensureWalletIsUnlocked(w);
      return w.withLock(() => {
        const keys = new Map<
          string,
          { ext: ExtPubKey; descs: Map<string, { desc: string; active: boolean; hasPriv: boolean }> }
        >();
        const xprvs = new Map<string, string>();
        for (const spkm of w.descriptors()) {
          const active = w.activeRole(spkm).active;
          if (activeOnly && !active) continue;
          for (const hd of spkm.hdKeys()) {
            const ext = decodeExtPubKey(hd.xpub, w.network);
            if (ext === undefined) continue;
            let entry = keys.get(hd.xpub);
            if (entry === undefined) keys.set(hd.xpub, entry = { ext, descs: new Map() });
            const desc = spkm.toDescriptorString(false);
            entry.descs.set(`${desc}\0${active}\0${hd.hasPrivate}`, { desc, active, hasPriv: hd.hasPrivate });
            if (priv && !xprvs.has(hd.xpub)) {
              const secret = spkm.privateDescriptor()?.getKey(ext.pubkey);
              if (secret !== undefined) {
                xprvs.set(hd.xpub, encodeExtKey({ ...ext, key: secret.key }, w.network));
              }
            }
          }
        }
        const out: JsonObject[] = [];
        for (const [xpub, { descs }] of [...keys].sort((a, b) => compareExtPubKeys(a[1].ext, b[1].ext))) {
          // Core's set of (descriptor, active, has private key) tuples.
          const list = [...descs.values()].sort((a, b) =>
            a.desc < b.desc ? -1 : a.desc > b.desc ? 1 : Number(a.active) - Number(b.active) ||
              Number(a.hasPriv) - Number(b.hasPriv)
          );
          const hasXprv = list.some((d) => d.hasPriv);
          const obj: JsonObject = { xpub, has_private: hasXprv };
          const xprv = xprvs.get(xpub);
          if (priv && hasXprv && xprv !== undefined) obj.xprv = xprv;
          obj.descriptors = list.map((d) => ({ desc: d.desc, active: d.active }));
          out.push(obj);
        }
        return out;
      });
    },
  }, {
    name: "addhdkey",
    category: "wallet",
    description: "Add a BIP 32 HD key to the wallet that can be used with 'createwalletdescriptor'\n",
    args: [{
      names: "hdkey",
      type: "str",
      fallback: { hint: "Automatically generated new key" },
      description:
        "The BIP 32 extended private key to add. If none is provided, a randomly generated one will be added.",
    }],
    results: [{
      type: "obj",
      inner: [{
        type: "str",
        key: "xpub",
        description: "The xpub of the HD key that was added to the wallet",
      }],
    }],
    examples: helpExampleCli("addhdkey", "xprv") + helpExampleRpc("addhdkey", "xprv"),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      if (w.hasFlag("disable_private_keys")) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "addhdkey is not available for wallets without private keys",
        );
      }
      ensureWalletIsUnlocked(w);
      let xprv: string;
      if (params[0] === undefined || params[0] === null) {
        xprv = randomMasterKeyText(w.network);
      } else {
        const text = getStr(params[0]);
        const ext = decodeExtKey(text, w.network);
        if (ext === undefined) {
          if (decodeExtPubKey(text, w.network) !== undefined) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
              "Extended public key (xpub) provided, but extended private key (xprv) is required",
            );
          }
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Could not parse HD key");
        }
        xprv = encodeExtKey(ext, w.network);
      }
      const spkm = DescriptorScriptPubKeyMan.fromText(`unused(${xprv})`, {
        network: w.network,
        timestamp: ctx.wallets.now(),
      });
      return await w.withLock(async () => {
        if (w.descriptors().some((d) => d.id === spkm.id)) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "HD key already exists");
        }
        await w.addWalletDescriptor(spkm, { label: null, internal: false, active: false });
        return { xpub: spkm.hdKeys()[0].xpub };
      });
    },
  }, {
    name: "createwalletdescriptor",
    category: "wallet",
    description: "Creates the wallet's descriptor for the given address type. " +
      "The address type must be one that the wallet does not already have a descriptor for." +
      HELP_REQUIRING_PASSPHRASE,
    args: [
      {
        names: "type",
        type: "str",
        description: `The address type the descriptor will produce. Options are ${ALL_OUTPUT_TYPES_TEXT}.`,
      },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        inner: [
          {
            names: "internal",
            type: "bool",
            fallback: {
              hint: "Both external and internal will be generated unless this parameter is specified",
            },
            description:
              "Whether to only make one descriptor that is internal (if parameter is true) or external (if parameter is false)",
          },
          {
            names: "hdkey",
            type: "str",
            fallback: { hint: "The HD key used by all other active descriptors" },
            description:
              "The HD key that the wallet knows the private key of, listed using 'gethdkeys', to use for this descriptor's key",
          },
        ],
      },
    ],
    results: [{
      type: "obj",
      inner: [{
        type: "arr",
        key: "descs",
        description: "The public descriptors that were added to the wallet",
        inner: [{ type: "str", description: "" }],
      }],
    }],
    examples: helpExampleCli("createwalletdescriptor", "bech32m") +
      helpExampleRpc("createwalletdescriptor", "bech32m"),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const typeText = getStr(params[0]);
      const type = parseOutputType(typeText);
      if (type === undefined) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Unknown address type '${typeText}'`);
      }
      const options = optionsArg(params[1]);
      const internalOpt = option(options, "internal");
      const internals = internalOpt === undefined ? [false, true] : [getBool(internalOpt)];
      const hdkeyOpt = option(options, "hdkey");
      const hdkeyText = hdkeyOpt === undefined ? undefined : getStr(hdkeyOpt);
      return await w.withLock(async () => {
        ensureWalletIsUnlocked(w);
        let xpub: ExtPubKey | undefined;
        if (hdkeyText === undefined) {
          const active = new Map<string, ExtPubKey>();
          for (const spkm of w.descriptors()) {
            if (!w.activeRole(spkm).active) continue;
            for (const hd of spkm.hdKeys()) {
              const ext = decodeExtPubKey(hd.xpub, w.network);
              if (ext !== undefined) active.set(hd.xpub, ext);
            }
          }
          if (active.size !== 1) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
              "Unable to determine which HD key to use from active descriptors. Please specify with 'hdkey'",
            );
          }
          xpub = [...active.values()][0];
        } else {
          xpub = decodeExtPubKey(hdkeyText, w.network);
          if (xpub === undefined) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
              "Unable to parse HD key. Please provide a valid xpub",
            );
          }
        }
        const xprv = extKeyFor(w, xpub);
        if (xprv === undefined) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
            `Private key for ${encodeExtPubKey(xpub, w.network)} is not known`,
          );
        }
        const known = new Set(w.descriptors().map((d) => d.id));
        const added: Array<{ spkm: DescriptorScriptPubKeyMan; internal: boolean }> = [];
        for (const internal of internals) {
          const spkm = DescriptorScriptPubKeyMan.fromText(
            defaultDescriptorText(xprv, type, internal, w.network),
            {
              network: w.network,
              timestamp: ctx.wallets.now(),
            },
          );
          if (!known.has(spkm.id)) added.push({ spkm, internal });
        }
        if (added.length === 0) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Descriptor already exists");
        }
        for (const { spkm, internal } of added) {
          await w.addWalletDescriptor(spkm, { label: null, internal, active: true });
        }
        return { descs: added.map(({ spkm }) => spkm.toDescriptorString(false)) };
      });
    },
  }];
}
