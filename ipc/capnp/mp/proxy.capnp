# tsbtc: libmultiprocess's proxy schema, written for wire compatibility with Bitcoin Core's `mp/proxy.capnp`
# (same file id, type names and ordinals). Annotations carry no wire meaning; they are declared so that schemas
# written for Core can be compiled against this file unchanged.

@0xcc316e3f71a040fb;

annotation include(file): Text;
annotation includeTypes(file): Text;
annotation wrap(interface, struct): Text;
annotation count(param, struct, interface): Int32;
annotation exception(param): Text;
annotation name(field, method): Text;
annotation skip(field): Void;

# Lets a client create named server threads to run its calls on.
interface ThreadMap $count(0) {
  makeThread @0 (name :Text) -> (result :Thread);
  makePool @1 (count :UInt32) -> ();
}

# A handle on one server thread (an executor, in tsbtc).
interface Thread {
  getName @0 () -> (result :Text);
}

# Execution context passed with every call: where to run it, and where callbacks go.
struct Context $count(0) {
  thread @0 :Thread;
  callbackThread @1 :Thread;
}
