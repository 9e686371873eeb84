# tsbtc: the Rpc interface, wire-compatible with Bitcoin Core's `src/ipc/capnp/rpc.capnp`.
# `executeRpc` carries one JSON-RPC request (or batch) as text and returns the JSON reply.

@0x9c3505dc45e146ac;

using Proxy = import "/mp/proxy.capnp";

interface Rpc {
  executeRpc @0 (context :Proxy.Context, request :Text, uri :Text, user :Text) -> (result :Text);
}
