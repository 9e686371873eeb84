# tsbtc's own interfaces, beside the ones shared with Bitcoin Core. Every tsbtc process bootstraps a
# `ProcessInit`, which extends Core's `Init`, so Core's clients see the Init they expect and tsbtc's parent
# processes can also ask a child who it is and tell it to stop.

@0xb2526f48213c7e10;

using Proxy = import "/mp/proxy.capnp";
using Init = import "init.capnp";
using Chain = import "chain.capnp";
using Wallet = import "wallet.capnp";

# A component process's view of itself.
struct ProcessInfo {
  mode @0 :Text;          # "node", "wallet", "echo", …
  pid @1 :UInt32;
  name @2 :Text;          # process name used in logs, e.g. "tsbtc-echo"
  permissions @3 :Text;   # JSON of the effective Deno permissions (see sandbox/)
  sandbox @4 :Text;       # how the permissions were applied: "flags", "worker" or "none"
}

interface ProcessInit extends(Init.Init) {
  # Who this process is and which permissions it runs with.
  getInfo @0 (context :Proxy.Context) -> (result :ProcessInfo);
  # Ask the process to shut down cleanly. Returns once shutdown has begun.
  shutdown @1 (context :Proxy.Context) -> ();
  # The node's Chain, for a chain client that attached by hand (`tsbtc wallet -ipcconnect`). Fails in
  # processes that have no chain.
  makeChain @2 (context :Proxy.Context) -> (result :Chain.Chain);
  # A wallet process's WalletLoader, driving the wallets over the given Chain (Core's
  # `Init.makeWalletLoader(chain)`). Fails in processes that are not wallets.
  makeWalletLoader @3 (context :Proxy.Context, chain :Chain.Chain) -> (result :Wallet.WalletLoader);
}
