// tsbtc benchmark: a C++ Cap'n Proto client (the capnp C++ library, as Bitcoin Core's libmultiprocess uses it)
// measuring Echo.echo and Rpc.executeRpc round trips against an IPC server on a unix socket. Every call carries a
// Proxy.Context (thread = a server Thread from the server's ThreadMap, callbackThread = a client Thread), as
// Core's clients send it, so the figures compare like for like with Core's.
//
// Usage: echo_bench unix:<path> [sequential=20000] [inflight=100] [inflight_calls=100000] [rpc_calls=5000]
// Prints one JSON object:
//   {"echo_seq":{"calls":N,"median_us":…,"p99_us":…,"mean_us":…},
//    "echo_inflight":{"inflight":100,"calls":N,"seconds":…,"calls_per_s":…},
//    "rpc_seq":{"calls":N,"median_us":…,"p99_us":…,"mean_us":…}}

#include <capnp/ez-rpc.h>
#include <kj/async.h>
#include <kj/debug.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "echo.capnp.h"
#include "init.capnp.h"
#include "rpc.capnp.h"
#include <mp/proxy.capnp.h>

namespace {

using Clock = std::chrono::steady_clock;

class ThreadImpl final : public Thread::Server
{
public:
    kj::Promise<void> getName(GetNameContext context) override
    {
        context.getResults().setResult("bench-client");
        return kj::READY_NOW;
    }
};

class ThreadMapImpl final : public ThreadMap::Server
{
public:
    kj::Promise<void> makeThread(MakeThreadContext context) override
    {
        context.getResults().setResult(kj::heap<ThreadImpl>());
        return kj::READY_NOW;
    }
    kj::Promise<void> makePool(MakePoolContext) override { return kj::READY_NOW; }
};

struct Stats {
    double median, p99, mean;
};

Stats summarize(std::vector<double>& us)
{
    if (us.empty()) return {0, 0, 0};
    std::sort(us.begin(), us.end());
    double sum = 0;
    for (double x : us) sum += x;
    return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)], sum / us.size()};
}

struct Env {
    Echo::Client echo;
    Rpc::Client rpc;
    Thread::Client thread;
    Thread::Client callback;
};

capnp::RemotePromise<Echo::EchoResults> sendEcho(Env& env, const char* text)
{
    auto req = env.echo.echoRequest();
    auto ctx = req.initContext();
    ctx.setThread(env.thread);
    ctx.setCallbackThread(env.callback);
    req.setEcho(text);
    return req.send();
}

// Keeps `depth` echo calls in flight until `remaining` reaches 0.
kj::Promise<void> inflightWorker(Env& env, long& remaining, long& done)
{
    if (remaining <= 0) return kj::READY_NOW;
    --remaining;
    return sendEcho(env, "bench").then([&env, &remaining, &done](auto result) {
        KJ_REQUIRE(result.getResult() == "bench", "echo returned the wrong text");
        ++done;
        return inflightWorker(env, remaining, done);
    });
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: echo_bench unix:<path> [sequential] [inflight] [inflight_calls] [rpc_calls]\n");
        return 2;
    }
    long seq = argc > 2 ? std::atol(argv[2]) : 20000;
    long depth = argc > 3 ? std::atol(argv[3]) : 100;
    long inflight_calls = argc > 4 ? std::atol(argv[4]) : 100000;
    long rpc_calls = argc > 5 ? std::atol(argv[5]) : 5000;

    capnp::EzRpcClient client(argv[1]);
    auto& ws = client.getWaitScope();
    Init::Client init = client.getMain<Init>();
    Thread::Client callback = kj::heap<ThreadImpl>();

    auto construct_req = init.constructRequest();
    construct_req.setThreadMap(kj::heap<ThreadMapImpl>());
    auto construct = construct_req.send();
    auto thread_req = construct.getThreadMap().makeThreadRequest();
    thread_req.setName("bench");
    Thread::Client thread = thread_req.send().wait(ws).getResult();

    auto echo_req = init.makeEchoRequest();
    echo_req.initContext().setThread(thread);
    echo_req.getContext().setCallbackThread(callback);
    Echo::Client echo = echo_req.send().wait(ws).getResult();
    auto rpc_req = init.makeRpcRequest();
    rpc_req.initContext().setThread(thread);
    rpc_req.getContext().setCallbackThread(callback);
    Rpc::Client rpc = rpc_req.send().wait(ws).getResult();
    Env env{echo, rpc, thread, callback};

    // Warm up (JIT on the server side).
    for (int i = 0; i < 2000; ++i) sendEcho(env, "warmup").wait(ws);

    std::vector<double> us;
    us.reserve(seq);
    for (long i = 0; i < seq; ++i) {
        auto t0 = Clock::now();
        auto r = sendEcho(env, "hello").wait(ws);
        auto t1 = Clock::now();
        KJ_REQUIRE(r.getResult() == "hello");
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    Stats echo_seq = summarize(us);

    long remaining = inflight_calls, done = 0;
    auto t0 = Clock::now();
    {
        kj::Vector<kj::Promise<void>> workers;
        for (long i = 0; i < depth; ++i) workers.add(inflightWorker(env, remaining, done));
        kj::joinPromises(workers.releaseAsArray()).wait(ws);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

    std::vector<double> rpc_us;
    rpc_us.reserve(rpc_calls);
    const char* request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getblockcount\",\"params\":[]}";
    for (long i = 0; i < rpc_calls; ++i) {
        auto req = env.rpc.executeRpcRequest();
        auto ctx = req.initContext();
        ctx.setThread(env.thread);
        ctx.setCallbackThread(env.callback);
        req.setRequest(request);
        req.setUri("/");
        req.setUser("");
        auto t0 = Clock::now();
        auto r = req.send().wait(ws);
        rpc_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        KJ_REQUIRE(r.getResult().size() > 0);
    }
    Stats rpc_seq = summarize(rpc_us);

    std::printf("{\"echo_seq\":{\"calls\":%ld,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f},"
                "\"echo_inflight\":{\"inflight\":%ld,\"calls\":%ld,\"seconds\":%.3f,\"calls_per_s\":%.0f},"
                "\"rpc_seq\":{\"calls\":%ld,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f}}\n",
                seq, echo_seq.median, echo_seq.p99, echo_seq.mean, depth, done, seconds, done / seconds, rpc_calls,
                rpc_seq.median, rpc_seq.p99, rpc_seq.mean);
    return 0;
}
