/**
 * What the in-memory fake wallets of the tests share ({@linkcode FakeWallet} of fake_wallet.ts and of
 * spend_fake_wallet.ts): coin locks, the address book, no encryption, a lock that just runs its function, and
 * bech32 addresses.
 *
 * @module
 */
import { outPointKey } from "../../core/wire/mod.ts";
import type { OutPoint } from "../../core/wire/types.ts";
import type { OutputType } from "../../core/descriptors/mod.ts";
import type { AddressBookEntry, WalletCore } from "../../wallet/types.ts";

/** The shared part of the fake wallets; subclasses say which scripts are theirs. */
export abstract class FakeWalletBase implements
  Pick<
    WalletCore,
    | "name"
    | "network"
    | "withLock"
    | "isLockedCoin"
    | "lockCoin"
    | "unlockCoin"
    | "unlockAllCoins"
    | "lockedCoins"
    | "getAddressBook"
    | "setAddressBook"
    | "addressBook"
    | "defaultAddressType"
    | "defaultChangeType"
    | "canSign"
    | "isCrypted"
    | "isLocked"
  > {
  readonly name = "fake";
  readonly network = "regtest" as const;
  /** Locked coins by "txid:vout" (display hex). */
  protected readonly locked = new Map<string, OutPoint>();
  /** The address book by address. */
  protected readonly book = new Map<string, AddressBookEntry>();

  /** Whether `script` is the wallet's. */
  abstract isMine(script: Uint8Array): boolean;

  async withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    return await fn();
  }
  isLockedCoin(outpoint: OutPoint): boolean {
    return this.locked.has(outPointKey(outpoint));
  }
  lockCoin(outpoint: OutPoint, _persistent?: boolean): Promise<void> {
    this.locked.set(outPointKey(outpoint), outpoint);
    return Promise.resolve();
  }
  unlockCoin(outpoint: OutPoint): Promise<boolean> {
    return Promise.resolve(this.locked.delete(outPointKey(outpoint)));
  }
  unlockAllCoins(): Promise<void> {
    this.locked.clear();
    return Promise.resolve();
  }
  lockedCoins(): OutPoint[] {
    return [...this.locked.values()];
  }
  getAddressBook(address: string): AddressBookEntry | undefined {
    return this.book.get(address);
  }
  setAddressBook(address: string, entry: AddressBookEntry): Promise<void> {
    this.book.set(address, entry);
    return Promise.resolve();
  }
  addressBook(): ReadonlyMap<string, AddressBookEntry> {
    return this.book;
  }
  defaultAddressType(): OutputType {
    return "bech32";
  }
  defaultChangeType(): OutputType | undefined {
    return undefined;
  }
  canSign(script: Uint8Array): boolean {
    return this.isMine(script);
  }
  isCrypted(): boolean {
    return false;
  }
  isLocked(): boolean {
    return false;
  }
}
