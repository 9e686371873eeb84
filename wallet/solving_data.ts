/**
 * Solving data for inputs the wallet does not own (Core's `CCoinControl::m_external_provider` filled from the
 * `solving_data` option: public keys, scripts, descriptors), and the signed-input weight Core's `MaxInputWeight`
 * derives from an inferred descriptor.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import { type Descriptor, parseDescriptor } from "../core/descriptors/mod.ts";
import { hash160, toHex } from "../core/hash/hashes.ts";
import { compactSizeLength } from "../core/wire/mod.ts";
import { inferDescriptor } from "../rpc/tx_json.ts";

/** The signed size facts of one input (see `InputSizeInfo` in spend.ts). */
export interface ExternalInputSize {
  /** Core's `MaxInputWeight(desc, …, tx_is_segwit = true)`. */
  weight: number;
  /** Whether the spend carries witness data. */
  segwit: boolean;
}

/**
 * Core's `MaxInputWeight` for a descriptor in a segwit transaction: outpoint, sequence, scriptSig length,
 * witness stack count and the descriptor's largest satisfaction; undefined when it cannot be satisfied.
 */
export function descriptorInputWeight(desc: Descriptor, useMaxSig: boolean): ExternalInputSize | undefined {
  const sat = desc.maxSatisfactionWeight(useMaxSig);
  const elems = desc.maxSatisfactionElems();
  if (sat === undefined || elems === undefined) return undefined;
  const type = desc.outputType();
  const segwit = type !== undefined && type !== "legacy";
  const scriptSigLen = segwit ? 1 : compactSizeLength(Math.floor(sat / 4));
  const witnessStackLen = segwit ? compactSizeLength(elems) : 1;
  return { weight: (40 + scriptSigLen) * 4 + witnessStackLen + sat, segwit };
}

/** Public keys, scripts and descriptors given to size external inputs. */
export class ExternalSolvingData {
  readonly #network: Network;
  readonly #pubkeys = new Map<string, Uint8Array>();
  readonly #scripts = new Map<string, Uint8Array>();
  readonly #byScript = new Map<string, Descriptor>();

  /** Empty solving data for `network`. */
  constructor(network: Network) {
    this.#network = network;
  }

  /** Adds a public key (and, as Core does, its P2WPKH script). */
  addPubkey(pubkey: Uint8Array): void {
    const id = hash160(pubkey);
    this.#pubkeys.set(toHex(id), pubkey);
    this.addScript(Uint8Array.of(0x00, 0x14, ...id));
  }

  /** Adds a script (found by its HASH160, and by its SHA256 for P2WSH through the inference). */
  addScript(script: Uint8Array): void {
    this.#scripts.set(toHex(hash160(script)), script);
  }

  /** Adds a descriptor: its scripts at position 0 are solved by it, its keys and scripts join the data. */
  addDescriptor(desc: Descriptor): void {
    const expanded = desc.expand(0);
    for (const spk of expanded.scriptPubKeys) this.#byScript.set(toHex(spk), desc);
    for (const key of expanded.pubkeys) this.#pubkeys.set(toHex(hash160(key.pubkey)), key.pubkey);
    for (const s of expanded.scripts) this.addScript(s);
  }

  /** Parses `text` (Core: "Unable to parse descriptor '…': error") and adds every expansion. */
  addDescriptorText(text: string): void {
    this.addDescriptor(parseDescriptor(text, { network: this.#network }));
  }

  /** The signed size of an input spending `script`, inferred from the data; undefined when unsolvable. */
  inputSize(script: Uint8Array, useMaxSig = true): ExternalInputSize | undefined {
    let desc = this.#byScript.get(toHex(script));
    if (desc === undefined) {
      const inferred = inferDescriptor(script, this.#network, {
        scripts: this.#scripts,
        pubkeys: this.#pubkeys,
      });
      try {
        desc = parseDescriptor(inferred.descriptor, { network: this.#network });
      } catch {
        return undefined;
      }
    }
    return descriptorInputWeight(desc, useMaxSig);
  }
}

/** What {@link walletInputSatisfactionWeight} needs of a wallet. */
export interface SolvingWallet {
  /** Network of the wallet's scripts. */
  readonly network: Network;
  /** Wallet flags: with `disable_private_keys` the wallet cannot grind R (Core's `CanGrindR`). */
  hasFlag(flag: "disable_private_keys"): boolean;
  /** The solving data of one of its scripts (scripts and public keys by HASH160), if it has the script. */
  scriptInfo(script: Uint8Array):
    | { readonly scripts: ReadonlyMap<string, Uint8Array>; readonly pubkeys: ReadonlyMap<string, Uint8Array> }
    | undefined;
}

/**
 * The weight of P2WPKH, P2SH-P2WPKH and P2PKH scripts whose public key is in `info` (what inferring
 * `wpkh(K)`, `sh(wpkh(K))` or `pkh(K)` and taking its `MaxInputWeight` gives), else undefined.
 */
function knownSingleKeyWeight(
  script: Uint8Array,
  info: {
    readonly scripts: ReadonlyMap<string, Uint8Array>;
    readonly pubkeys: ReadonlyMap<string, Uint8Array>;
  },
  maxSig: boolean,
): number | undefined {
  const sig = maxSig ? 1 : 0;
  const keyOf = (hash: Uint8Array) => info.pubkeys.get(toHex(hash));
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) {
    return keyOf(script.subarray(2))?.length === 33 ? 107 + sig : undefined;
  }
  if (script.length === 25 && script[0] === 0x76 && script[1] === 0xa9 && script[2] === 0x14) {
    const key = keyOf(script.subarray(3, 23));
    return key === undefined ? undefined : 425 + 4 * sig + (key.length === 65 ? 4 * 32 : 0);
  }
  if (script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87) {
    const redeem = info.scripts.get(toHex(script.subarray(2, 22)));
    if (redeem?.length === 22 && redeem[0] === 0x00 && redeem[1] === 0x14) {
      return keyOf(redeem.subarray(2))?.length === 33 ? 199 + sig : undefined;
    }
  }
  return undefined;
}

const walletWeights = new WeakMap<object, Map<string, number>>();

/**
 * Core's `MaxInputWeight` beyond 164 WU for the single-key script forms with a compressed key and R-grinding:
 * P2WPKH 107, P2SH-P2WPKH 199 (assumed for P2SH), P2PKH 425, P2TR key path 67; undefined for other scripts.
 */
function singleKeyInputWeight(script: Uint8Array, maxSig: boolean): number | undefined {
  const sig = maxSig ? 1 : 0;
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) return 107 + sig;
  if (script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87) {
    return 199 + sig;
  }
  if (script.length === 25 && script[0] === 0x76 && script[1] === 0xa9) return 425 + 4 * sig;
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) return 67;
  return undefined;
}

/**
 * The weight a signed input spending the wallet's `script` adds beyond `(32 + 4 + 4 + 1) * 4` (see
 * `WalletCore.maxInputSatisfactionWeight`): Core's `CalculateMaximumSignedInputSize` infers a descriptor from the
 * script and the wallet's solving data (so `combo()` and multisig scripts are sized by what they are) and takes
 * `MaxInputWeight(desc, tx_is_segwit = true, can_grind_r)`, where only a wallet with private keys grinds R
 * (Core's `CanGrindR`: 71-byte signatures, else 72). Undefined when the wallet cannot solve it;
 * known answers are cached per wallet (a script's solving data never changes once known).
 */
export function walletInputSatisfactionWeight(wallet: SolvingWallet, script: Uint8Array): number | undefined {
  let cache = walletWeights.get(wallet);
  if (cache === undefined) walletWeights.set(wallet, cache = new Map());
  const key = toHex(script);
  const canGrindR = !wallet.hasFlag("disable_private_keys");
  const known = cache.get(key);
  if (known !== undefined) return known;
  let info: ReturnType<SolvingWallet["scriptInfo"]>;
  try {
    info = wallet.scriptInfo(script);
  } catch {
    // Solving data the wallet cannot produce now (a locked wallet re-deriving hardened keys): the wallet's
    // single-key scripts still have their standard sizes.
    return singleKeyInputWeight(script, !canGrindR);
  }
  if (info === undefined) return undefined;
  // The single-key forms whose key the wallet knows have fixed sizes (no descriptor inference needed).
  const fast = knownSingleKeyWeight(script, info, !canGrindR);
  if (fast !== undefined) {
    cache.set(key, fast);
    return fast;
  }
  const inferred = inferDescriptor(script, wallet.network, { scripts: info.scripts, pubkeys: info.pubkeys });
  let size: ExternalInputSize | undefined;
  try {
    size = descriptorInputWeight(
      parseDescriptor(inferred.descriptor, { network: wallet.network }),
      !canGrindR,
    );
  } catch {
    return undefined;
  }
  if (size === undefined) return undefined;
  const weight = size.weight - (32 + 4 + 4 + 1) * 4;
  cache.set(key, weight);
  return weight;
}
