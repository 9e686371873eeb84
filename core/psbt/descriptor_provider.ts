/**
 * A signing provider from output descriptors (Core's `FlatSigningProvider` filled by `Descriptor::Expand` and
 * `ExpandPrivate`): public keys with origins, redeem/witness scripts and taproot spend data (with the tree) of
 * every position in a range, and optionally the private keys the descriptors contain.
 *
 * @module
 */
import { SimpleSigningProvider } from "./sign.ts";

/**
 * What one position of a descriptor expands to, as far as signing needs it (the shape of core/descriptors'
 * `ExpandedDescriptor`).
 */
export interface ExpandedKeysAndScripts {
  /** Public keys (x-only keys with an 02 header) with their origins. */
  readonly pubkeys: ReadonlyArray<{
    readonly pubkey: Uint8Array;
    readonly origin: { readonly fingerprint: Uint8Array; readonly path: readonly number[] };
  }>;
  /** Redeem and witness scripts. */
  readonly scripts: readonly Uint8Array[];
  /** Taproot outputs with their trees. */
  readonly taproot: ReadonlyArray<{
    readonly internalKey: Uint8Array;
    readonly merkleRoot: Uint8Array | null;
    readonly outputKey: Uint8Array;
    readonly leaves: ReadonlyArray<{
      readonly depth: number;
      readonly script: Uint8Array;
      readonly leafVersion: number;
      readonly controlBlock: Uint8Array;
    }>;
  }>;
}

/** A descriptor as {@link descriptorSigningProvider} uses it (core/descriptors' `Descriptor` is one). */
export interface ExpandableDescriptor {
  /** Whether the scripts depend on the position. */
  isRange(): boolean;
  /** The keys and scripts at a position; throws when it cannot be expanded. */
  expand(index: number): ExpandedKeysAndScripts;
  /** The private keys at a position. */
  expandPrivate(
    index: number,
  ): ReadonlyArray<{ readonly secret: { readonly key: Uint8Array; readonly compressed: boolean } }>;
}

/** Options of {@link descriptorSigningProvider}. */
export interface DescriptorProviderOptions {
  /** First and last position to expand for ranged descriptors (default [0, 0]; ignored when not ranged). */
  range?: readonly [number, number];
  /** Also add the private keys (Core's `ExpandPrivate`); default false. */
  includePrivate?: boolean;
  /** Add to this provider instead of a new one. */
  into?: SimpleSigningProvider;
}

/**
 * Expands `descriptors` over the range into a {@link SimpleSigningProvider}. Throws the descriptor's
 * `DescriptorError` ("Cannot derive script without private keys") when a position cannot be expanded.
 */
export function descriptorSigningProvider(
  descriptors: readonly ExpandableDescriptor[],
  options: DescriptorProviderOptions = {},
): SimpleSigningProvider {
  const provider = options.into ?? new SimpleSigningProvider();
  for (const d of descriptors) {
    const [from, to] = d.isRange() ? options.range ?? [0, 0] : [0, 0];
    for (let i = from; i <= to; i++) {
      const e = d.expand(i);
      for (const k of e.pubkeys) {
        const origin = { fingerprint: k.origin.fingerprint.slice(), path: [...k.origin.path] };
        // X-only keys come with an 02 header; x-only lookups try both parities.
        provider.addPubkey(k.pubkey, origin);
      }
      for (const s of e.scripts) provider.addScript(s);
      for (const t of e.taproot) {
        provider.addTaproot(t.outputKey, {
          internalKey: t.internalKey,
          merkleRoot: t.merkleRoot,
          scripts: t.leaves.map((l) => ({
            script: l.script,
            leafVersion: l.leafVersion,
            controlBlocks: [l.controlBlock],
          })),
          tree: t.leaves.map((l) => ({ depth: l.depth, leafVersion: l.leafVersion, script: l.script })),
        });
      }
      if (options.includePrivate) {
        for (const s of d.expandPrivate(i)) {
          provider.addKey({ secret: s.secret.key, compressed: s.secret.compressed });
        }
      }
    }
  }
  return provider;
}
