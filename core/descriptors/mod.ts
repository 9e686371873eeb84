/**
 * Output descriptors (Bitcoin Core's `script/descriptor`; BIP 380–386, 389): parsing with Core's error
 * messages, checksums, canonical text forms, expansion into output scripts and addresses, and the BIP32 and
 * taproot building blocks they need (shared by the RPCs and the wallet).
 *
 * @module
 */
export { DescriptorError } from "./errors.ts";
export {
  addChecksum,
  checkChecksum,
  type ChecksumCheck,
  descriptorChecksum,
  getDescriptorChecksum,
} from "./checksum.ts";
export {
  Descriptor,
  type DescriptorStringOptions,
  type ExpandedDescriptor,
  MAX_DESCRIPTOR_POSITION,
  parseDescriptor,
  type ParseDescriptorOptions,
  parseDescriptors,
} from "./descriptor.ts";
export type { OutputType, ScriptExpression } from "./script_expression.ts";
export {
  Bip32Key,
  ConstKey,
  type DerivedKey,
  type DerivedSecret,
  type DeriveType,
  type KeyExpression,
  type KeyOrigin,
  KeyStore,
  OriginKey,
} from "./key_expression.ts";
export {
  BIP32_EXTKEY_SIZE,
  decodeExtKey,
  decodeExtPubKey,
  deriveExtKey,
  deriveExtKeyPath,
  deriveExtPubKey,
  deriveExtPubKeyPath,
  encodeExtKey,
  encodeExtPubKey,
  type ExtKey,
  extKeyFromSeed,
  type ExtPubKey,
  formatHDKeypath,
  HARDENED,
  keyFingerprint,
  neuterExtKey,
} from "./hd_key.ts";
export {
  buildTaprootTree,
  type TaprootLeaf,
  type TaprootLeafInput,
  type TaprootOutput,
  taprootOutput,
  taprootTweak,
  validTaprootDepths,
} from "./taproot_tree.ts";
export { isValidSecret, pubkeyTweakAdd, publicKeyOf, secretTweakAdd, xonlyTweakAdd } from "./ec.ts";
