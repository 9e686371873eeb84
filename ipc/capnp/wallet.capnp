# tsbtc: the wallet process's side of the process boundary, modelled on Bitcoin Core's `interfaces::WalletLoader`
# (a `ChainClient`: registerRpcs, verify, load, start, stop, setMockTime, schedulerMockForward) as the node drives it after
# `Init.makeWalletLoader(chain)` in Core's multiprocess design. tsbtc's own schema.

@0xf0b06697a1f9b6f8;

using Proxy = import "/mp/proxy.capnp";

interface WalletLoader {
  destroy @0 (context :Proxy.Context) -> ();
  # Registers the wallet's RPC methods with the node (through Chain.handleRpc).
  registerRpcs @1 (context :Proxy.Context) -> ();
  # Checks the wallets to load (-wallet, settings.json); false with an init error sent to the node.
  verify @2 (context :Proxy.Context) -> (result :Bool);
  # Loads them.
  load @3 (context :Proxy.Context) -> (result :Bool);
  # Starts following the chain (notifications, catch-up from each wallet's best block).
  start @4 (context :Proxy.Context) -> ();
  # Flushes and unloads every wallet.
  stop @5 (context :Proxy.Context) -> ();
  setMockTime @6 (context :Proxy.Context, time :Int64) -> ();
  # Names of the loaded wallets.
  getWalletNames @7 (context :Proxy.Context) -> (result :List(Text));
  # Moves the wallet's scheduled tasks `deltaTime` seconds forward (mockscheduler); returns once the tasks
  # that came due have run.
  schedulerMockForward @8 (context :Proxy.Context, deltaTime :Int64) -> ();
}
