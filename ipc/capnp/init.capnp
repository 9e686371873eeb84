# tsbtc: the Init interface, wire-compatible with Bitcoin Core's `src/ipc/capnp/init.capnp`: the bootstrap
# capability every tsbtc process serves. `makeMining` (@3) is answered with an error until tsbtc has a miner
# interface; `makeMiningOld2` (@2) is deprecated in Core and answered with an error there too.

@0xf2c5cfa319406aa6;

using Proxy = import "/mp/proxy.capnp";
using Echo = import "echo.capnp";
using Rpc = import "rpc.capnp";

interface Init {
  construct @0 (threadMap :Proxy.ThreadMap) -> (threadMap :Proxy.ThreadMap);
  makeEcho @1 (context :Proxy.Context) -> (result :Echo.Echo);
  makeMiningOld2 @2 () -> ();
  makeMining @3 (context :Proxy.Context) -> (result :AnyPointer);
  makeRpc @4 (context :Proxy.Context) -> (result :Rpc.Rpc);
}
