// tsbtc interop test: a C++ Cap'n Proto client (the capnp C++ library, as Bitcoin Core's libmultiprocess
// uses it) calling a tsbtc IPC server over a unix socket, the way Core's clients do.
//
// Usage: interop_client unix:<path>
//
// Prints one "key: value" line per check on stdout and exits 0 when all checks passed; prints "FAIL: …" and
// exits 1 otherwise. After dropping every capability except the bootstrap Init it prints "released" and waits
// for a line on stdin (so the test can look at the server's tables), then disconnects and prints "done".

#include <capnp/ez-rpc.h>
#include <kj/async-io.h>
#include <kj/async.h>
#include <kj/debug.h>
#include <kj/exception.h>

#include <iostream>
#include <string>
#include <vector>

#include "echo.capnp.h"
#include "init.capnp.h"
#include "rpc.capnp.h"
#include "tsbtc.capnp.h"
#include <mp/proxy.capnp.h>

namespace {

int g_threads_alive = 0;
int g_thread_maps_alive = 0;

void out(const std::string& line) { std::cout << line << std::endl; }

[[noreturn]] void fail(const std::string& what)
{
    std::cout << "FAIL: " << what << std::endl;
    std::exit(1);
}

// A client-side thread, passed to the server as context.callbackThread and from the client's ThreadMap.
class ThreadImpl final : public Thread::Server
{
public:
    explicit ThreadImpl(kj::String name) : m_name(kj::mv(name)) { ++g_threads_alive; }
    ~ThreadImpl() { --g_threads_alive; }
    kj::Promise<void> getName(GetNameContext context) override
    {
        context.getResults().setResult(m_name);
        return kj::READY_NOW;
    }

private:
    kj::String m_name;
};

// The ThreadMap the client hands to Init.construct, as Core's clients do.
class ThreadMapImpl final : public ThreadMap::Server
{
public:
    ThreadMapImpl() { ++g_thread_maps_alive; }
    ~ThreadMapImpl() { --g_thread_maps_alive; }
    kj::Promise<void> makeThread(MakeThreadContext context) override
    {
        context.getResults().setResult(kj::heap<ThreadImpl>(kj::str("cpp-client/", context.getParams().getName())));
        return kj::READY_NOW;
    }
    kj::Promise<void> makePool(MakePoolContext) override { return kj::READY_NOW; }
};

template <typename F>
std::string expectError(kj::WaitScope& ws, F&& send)
{
    try {
        send().wait(ws);
    } catch (const kj::Exception& e) {
        return std::string(e.getDescription().cStr());
    }
    fail("expected an exception, the call succeeded");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: interop_client unix:<path>" << std::endl;
        return 2;
    }
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&] {
        capnp::EzRpcClient client(argv[1]);
        auto& ws = client.getWaitScope();
        {
            Init::Client init = client.getMain<Init>();
            Thread::Client callback_thread = kj::heap<ThreadImpl>(kj::str("cpp-client/callback"));

            // construct: pass our own ThreadMap; pipeline makeThread on the returned ThreadMap.
            auto construct_req = init.constructRequest();
            construct_req.setThreadMap(kj::heap<ThreadMapImpl>());
            auto construct = construct_req.send();
            auto make_thread_req = construct.getThreadMap().makeThreadRequest();
            make_thread_req.setName("interop");
            auto make_thread = make_thread_req.send();
            Thread::Client thread = make_thread.getResult(); // a promise: not returned yet

            // makeEcho with context.thread = the pipelined thread, then echo on the pipelined result, all sent
            // before any Return came back.
            auto make_echo_req = init.makeEchoRequest();
            make_echo_req.initContext().setThread(thread);
            make_echo_req.getContext().setCallbackThread(callback_thread);
            auto make_echo = make_echo_req.send();
            Echo::Client echo = make_echo.getResult();
            std::vector<capnp::RemotePromise<Echo::EchoResults>> echoes;
            for (int i = 0; i < 10; ++i) {
                auto req = echo.echoRequest();
                req.initContext().setThread(thread);
                req.getContext().setCallbackThread(callback_thread);
                req.setEcho(i == 0 ? std::string("hello") : "pipelined " + std::to_string(i));
                echoes.push_back(req.send());
            }
            out("pipelined: 10 echo calls sent before makeEcho returned");
            for (int i = 0; i < 10; ++i) {
                auto result = echoes[i].wait(ws);
                std::string got = result.getResult().cStr();
                std::string want = i == 0 ? "hello" : "pipelined " + std::to_string(i);
                if (got != want) fail("echo " + std::to_string(i) + " returned '" + got + "', want '" + want + "'");
                if (i == 0) out("echo: " + got);
            }
            out("pipelined-echoes: ok");
            construct.wait(ws);
            out("construct: ok");
            out(std::string("server-thread: ") + thread.getNameRequest().send().wait(ws).getResult().cStr());

            // Non-ASCII and empty strings round trip unchanged.
            for (std::string s : {std::string(""), std::string("h\xc3\xa9llo \xe2\x82\xbf"), std::string(70000, 'x')}) {
                auto req = echo.echoRequest();
                req.initContext().setThread(thread);
                req.setEcho(s);
                std::string got = req.send().wait(ws).getResult().cStr();
                if (got != s) fail("echo of a " + std::to_string(s.size()) + "-byte string changed it");
            }
            out("echo-strings: ok");

            // makeRpc -> executeRpc, pipelined too.
            auto make_rpc_req = init.makeRpcRequest();
            make_rpc_req.initContext().setThread(thread);
            auto rpc_req = make_rpc_req.send().getResult().executeRpcRequest();
            rpc_req.initContext().setThread(thread);
            rpc_req.setRequest("{\"method\":\"echo\",\"params\":[\"from c++\"],\"id\":1}");
            rpc_req.setUri("/");
            rpc_req.setUser("");
            out(std::string("rpc: ") + rpc_req.send().wait(ws).getResult().cStr());

            // Exceptions come back as errors; the connection stays usable.
            out("makeMining: error: " + expectError(ws, [&] {
                auto req = init.makeMiningRequest();
                req.initContext().setThread(thread);
                return req.send();
            }));
            out("makeMiningOld2: error: " + expectError(ws, [&] { return init.makeMiningOld2Request().send(); }));

            // A call for another interface with the same method ordinal (Echo.echo is @1, like Init.makeEcho)
            // must fail as unimplemented, not run the wrong method.
            out("wrong-interface: error: " + expectError(ws, [&] {
                auto req = init.castAs<Echo>().echoRequest();
                req.setEcho("x");
                return req.send();
            }));
            // tsbtc's ProcessInit extends Init: its own methods answer on the same capability.
            {
                auto req = init.castAs<ProcessInit>().getInfoRequest();
                req.initContext().setThread(thread);
                auto info = req.send().wait(ws).getResult();
                out(std::string("getInfo: mode=") + info.getMode().cStr() + " name=" + info.getName().cStr() +
                    " sandbox=" + info.getSandbox().cStr());
            }

            // Echo.destroy, then drop every capability but Init.
            auto destroy_req = echo.destroyRequest();
            destroy_req.initContext().setThread(thread);
            destroy_req.send().wait(ws);
            out("destroy: ok");
            {
                auto req = echo.echoRequest();
                req.initContext().setThread(thread);
                req.setEcho("after destroy");
                // Core's server keeps serving calls on an object until it is released; either answer is fine,
                // the call must not hang.
                try {
                    req.send().wait(ws);
                    out("echo-after-destroy: answered");
                } catch (const kj::Exception& e) {
                    out(std::string("echo-after-destroy: error: ") + e.getDescription().cStr());
                }
            }
            // Drop everything; Release messages go out as the last references die.
            echoes.clear();
            echo = nullptr;
            thread = nullptr;
            callback_thread = nullptr;
            {
                auto drop = kj::mv(construct);
                auto drop2 = kj::mv(make_thread);
                auto drop3 = kj::mv(make_echo);
            }
            // One more round trip on Init so everything sent before it has been processed by the server.
            {
                auto probe = init.makeMiningOld2Request().send();
                try {
                    probe.wait(ws);
                } catch (const kj::Exception&) {
                }
            } // the probe's Finish goes out here; let the event loop write it before blocking on stdin
            client.getIoProvider().getTimer().afterDelay(50 * kj::MILLISECONDS).wait(ws);
            out("client-exports: threads=" + std::to_string(g_threads_alive) +
                " threadmaps=" + std::to_string(g_thread_maps_alive));
            out("released");
            std::string line;
            std::getline(std::cin, line);
        }
    });
    KJ_IF_MAYBE (e, error) {
        std::cout << "FAIL: " << e->getDescription().cStr() << std::endl;
        return 1;
    }
    out("done");
    return 0;
}
