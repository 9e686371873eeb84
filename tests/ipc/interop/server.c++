// tsbtc interop test: a C++ Cap'n Proto server (the capnp C++ library) serving Init, Echo, Rpc and ThreadMap on
// a unix socket, for tsbtc's TypeScript client to call.
//
// Usage: interop_server unix:<path> [--quiet]
// (--quiet prints only "listening": for use as a benchmark baseline)
//
// Prints "listening" once bound, then one line per event on stdout:
//   construct: callback <name>       Init.construct called back into the client's ThreadMap and Thread
//   context-thread: local <name>     a call's context.thread is one of this server's own Threads (passed back)
//   alive: echo=N rpc=N thread=N threadmap=N    after every object destruction (a Release from the client)
// Echo.echo("throw") fails with "echo asked to throw"; makeMining and makeMiningOld2 always fail.
// Runs until killed.

#include <capnp/capability.h>
#include <capnp/ez-rpc.h>
#include <kj/async.h>
#include <kj/debug.h>

#include <iostream>
#include <string>

#include "echo.capnp.h"
#include "init.capnp.h"
#include "rpc.capnp.h"
#include <mp/proxy.capnp.h>

namespace {

int g_echo = 0, g_rpc = 0, g_thread = 0, g_threadmap = 0;
bool g_quiet = false;

void out(const std::string& line)
{
    if (!g_quiet) std::cout << line << std::endl;
}

void alive()
{
    out("alive: echo=" + std::to_string(g_echo) + " rpc=" + std::to_string(g_rpc) +
        " thread=" + std::to_string(g_thread) + " threadmap=" + std::to_string(g_threadmap));
}

class ThreadImpl final : public Thread::Server
{
public:
    explicit ThreadImpl(kj::String name) : m_name(kj::mv(name)) { ++g_thread; }
    ~ThreadImpl()
    {
        --g_thread;
        alive();
    }
    kj::Promise<void> getName(GetNameContext context) override
    {
        context.getResults().setResult(m_name);
        return kj::READY_NOW;
    }
    kj::String m_name;
};

// Recognises this server's own Thread capabilities when a client passes them back in a Context.
capnp::CapabilityServerSet<Thread> g_threads;

kj::Promise<void> checkContext(Context::Reader context)
{
    if (!context.hasThread()) return kj::READY_NOW;
    Thread::Client thread = context.getThread();
    auto local = g_threads.getLocalServer(thread);
    return local.attach(kj::mv(thread)).then([](kj::Maybe<Thread::Server&> server) {
        KJ_IF_MAYBE (s, server) {
            out(std::string("context-thread: local ") + static_cast<ThreadImpl&>(*s).m_name.cStr());
        } else {
            out("context-thread: not local");
        }
    });
}

class ThreadMapImpl final : public ThreadMap::Server
{
public:
    ThreadMapImpl() { ++g_threadmap; }
    ~ThreadMapImpl()
    {
        --g_threadmap;
        alive();
    }
    kj::Promise<void> makeThread(MakeThreadContext context) override
    {
        context.getResults().setResult(
            g_threads.add(kj::heap<ThreadImpl>(kj::str("cpp-server/", context.getParams().getName()))));
        return kj::READY_NOW;
    }
    kj::Promise<void> makePool(MakePoolContext) override { return kj::READY_NOW; }
};

class EchoImpl final : public Echo::Server
{
public:
    EchoImpl() { ++g_echo; }
    ~EchoImpl()
    {
        --g_echo;
        alive();
    }
    kj::Promise<void> destroy(DestroyContext context) override { return checkContext(context.getParams().getContext()); }
    kj::Promise<void> echo(EchoContext context) override
    {
        auto params = context.getParams();
        KJ_REQUIRE(params.getEcho() != "throw", "echo asked to throw");
        auto text = kj::heapString(params.getEcho());
        return checkContext(params.getContext()).then([context, text = kj::mv(text)]() mutable {
            context.getResults().setResult(text);
        });
    }
};

class RpcImpl final : public Rpc::Server
{
public:
    RpcImpl() { ++g_rpc; }
    ~RpcImpl()
    {
        --g_rpc;
        alive();
    }
    kj::Promise<void> executeRpc(ExecuteRpcContext context) override
    {
        auto p = context.getParams();
        context.getResults().setResult(kj::str("cpp:", p.getRequest(), "|", p.getUri(), "|", p.getUser()));
        return kj::READY_NOW;
    }
};

class InitImpl final : public Init::Server
{
public:
    kj::Promise<void> construct(ConstructContext context) override
    {
        context.getResults().setThreadMap(kj::heap<ThreadMapImpl>());
        auto params = context.getParams();
        if (!params.hasThreadMap()) {
            out("construct: no client threadmap");
            return kj::READY_NOW;
        }
        // Call back into the client: its ThreadMap makes a Thread, whose name we ask.
        auto req = params.getThreadMap().makeThreadRequest();
        req.setName("from-cpp-server");
        return req.send().getResult().getNameRequest().send().then([](auto result) {
            out(std::string("construct: callback ") + result.getResult().cStr());
        });
    }
    kj::Promise<void> makeEcho(MakeEchoContext context) override
    {
        context.getResults().setResult(kj::heap<EchoImpl>());
        return checkContext(context.getParams().getContext());
    }
    kj::Promise<void> makeMiningOld2(MakeMiningOld2Context) override
    {
        KJ_FAIL_REQUIRE("makeMiningOld2 is not available");
    }
    kj::Promise<void> makeMining(MakeMiningContext) override { KJ_FAIL_REQUIRE("makeMining is not available"); }
    kj::Promise<void> makeRpc(MakeRpcContext context) override
    {
        context.getResults().setResult(kj::heap<RpcImpl>());
        return checkContext(context.getParams().getContext());
    }
};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--quiet")) {
        std::cerr << "usage: interop_server unix:<path> [--quiet]" << std::endl;
        return 2;
    }
    g_quiet = argc == 3;
    capnp::EzRpcServer server(kj::heap<InitImpl>(), argv[1]);
    auto& ws = server.getWaitScope();
    server.getPort().wait(ws);
    std::cout << "listening" << std::endl;
    kj::NEVER_DONE.wait(ws);
}
