# tsbtc: the Chain interface a chain client (the wallet process) uses to reach the node, and the notifications
# it receives, modelled on Bitcoin Core's `interfaces::Chain` / `Chain::Notifications` / `interfaces::Handler`
# (and on the `FoundBlockParam`/`FoundBlockResult` structs of Core's multiprocess branch). tsbtc's own schema:
# hashes and txids are 32-byte Data in internal byte order (a locator: its hashes concatenated), transactions and blocks their serialization,
# amounts satoshis and feerates sat/kvB.

@0xbb1fc60f048dd37d;

using Proxy = import "/mp/proxy.capnp";
using Rpc = import "rpc.capnp";

# What to report about a found block (hash and height always are).
struct FoundBlockParam {
  wantTime @0 :Bool;
  wantMaxTime @1 :Bool;
  wantMtpTime @2 :Bool;
  wantInActiveChain @3 :Bool;
  wantLocator @4 :Bool;
  wantData @5 :Bool;
  wantNextBlock @6 :Bool;
  nextBlock @7 :FoundBlockParam;
}

# A found block: `found` false when there is none; requested fields set.
struct FoundBlockResult {
  found @0 :Bool;
  hash @1 :Data;
  height @2 :Int32;
  time @3 :Int64;
  maxTime @4 :Int64;
  mtpTime @5 :Int64;
  inActiveChain @6 :Bool;
  locator @7 :Data;        # 32-byte hashes, this block first
  hasData @8 :Bool;
  data @9 :Data;
  nextBlock @10 :FoundBlockResult;
}

# A connected or disconnected block (Core's `interfaces::BlockInfo`).
struct BlockInfo {
  hash @0 :Data;
  prevHash @1 :Data;        # empty for genesis
  height @2 :Int32;
  time @3 :Int64;
  chainTimeMax @4 :Int64;
  data @5 :Data;            # the serialized block
}

struct OutPoint {
  txid @0 :Data;
  vout @1 :UInt32;
}

# An unspent output (`found` false: spent or unknown).
struct Coin {
  found @0 :Bool;
  value @1 :Int64;
  scriptPubKey @2 :Data;
  height @3 :Int32;         # 0x7fffffff for a mempool output
  coinbase @4 :Bool;
}

# A block read for a rescan.
struct ChainBlock {
  height @0 :Int32;
  hash @1 :Data;
  data @2 :Data;
}

# A wallet RPC method the node forwards: name, help category and its documentation (RpcHelpSpec as JSON).
struct RpcCommand {
  name @0 :Text;
  category @1 :Text;
  spec @2 :Text;
}

# A registration; `disconnect` ends it (Core's `interfaces::Handler`).
interface Handler {
  destroy @0 (context :Proxy.Context) -> ();
  disconnect @1 (context :Proxy.Context) -> ();
}

# Served by the chain client; the node calls one method at a time, in order.
interface ChainNotifications {
  destroy @0 (context :Proxy.Context) -> ();
  transactionAddedToMempool @1 (context :Proxy.Context, tx :Data, mempoolSequence :UInt64) -> ();
  transactionRemovedFromMempool @2 (context :Proxy.Context, tx :Data, reason :Text, mempoolSequence :UInt64) -> ();
  blockConnected @3 (context :Proxy.Context, block :BlockInfo) -> ();
  blockDisconnected @4 (context :Proxy.Context, block :BlockInfo) -> ();
  updatedBlockTip @5 (context :Proxy.Context) -> ();
  chainStateFlushed @6 (context :Proxy.Context, locator :Data) -> ();
}

interface Chain {
  destroy @0 (context :Proxy.Context) -> ();
  getHeight @1 (context :Proxy.Context) -> (result :Int32, hasResult :Bool);
  getBlockHash @2 (context :Proxy.Context, height :Int32) -> (result :Data);
  haveBlockOnDisk @3 (context :Proxy.Context, height :Int32) -> (result :Bool);
  findLocatorFork @4 (context :Proxy.Context, locator :Data) -> (result :Int32, hasResult :Bool);
  findBlock @5 (context :Proxy.Context, hash :Data, block :FoundBlockParam) -> (block :FoundBlockResult);
  findFirstBlockWithTimeAndHeight @6 (context :Proxy.Context, minTime :Int64, minHeight :Int32,
      block :FoundBlockParam) -> (block :FoundBlockResult);
  findAncestorByHeight @7 (context :Proxy.Context, blockHash :Data, ancestorHeight :Int32,
      ancestor :FoundBlockParam) -> (ancestor :FoundBlockResult);
  findAncestorByHash @8 (context :Proxy.Context, blockHash :Data, ancestorHash :Data,
      ancestor :FoundBlockParam) -> (ancestor :FoundBlockResult);
  findCommonAncestor @9 (context :Proxy.Context, blockHash1 :Data, blockHash2 :Data, ancestor :FoundBlockParam,
      block1 :FoundBlockParam, block2 :FoundBlockParam)
      -> (ancestor :FoundBlockResult, block1 :FoundBlockResult, block2 :FoundBlockResult);
  findCoins @10 (context :Proxy.Context, outpoints :List(OutPoint)) -> (coins :List(Coin));
  guessVerificationProgress @11 (context :Proxy.Context, blockHash :Data) -> (result :Float64);
  hasBlocks @12 (context :Proxy.Context, blockHash :Data, minHeight :Int32, maxHeight :Int32, hasMaxHeight :Bool)
      -> (result :Bool);
  isRBFOptIn @13 (context :Proxy.Context, tx :Data) -> (result :Text);
  isInMempool @14 (context :Proxy.Context, txid :Data) -> (result :Bool);
  hasDescendantsInMempool @15 (context :Proxy.Context, txid :Data) -> (result :Bool);
  broadcastTransaction @16 (context :Proxy.Context, tx :Data, maxTxFee :Int64, relay :Bool)
      -> (result :Bool, error :Text, message :Text);
  getTransactionAncestry @17 (context :Proxy.Context, txid :Data)
      -> (ancestors :UInt64, clusterCount :UInt64, ancestorSize :UInt64, ancestorFees :Int64);
  getPackageLimits @18 (context :Proxy.Context) -> (ancestorCount :UInt32, descendantCount :UInt32);
  checkChainLimits @19 (context :Proxy.Context, tx :Data) -> (result :Bool, error :Text);
  estimateSmartFee @20 (context :Proxy.Context, numBlocks :Int32, conservative :Bool)
      -> (feeRate :Int64, returnedTarget :Int32, reason :Text);
  estimateMaxBlocks @21 (context :Proxy.Context) -> (result :UInt32);
  mempoolMinFee @22 (context :Proxy.Context) -> (result :Int64);
  relayMinFee @23 (context :Proxy.Context) -> (result :Int64);
  relayIncrementalFee @24 (context :Proxy.Context) -> (result :Int64);
  relayDustFee @25 (context :Proxy.Context) -> (result :Int64);
  havePruned @26 (context :Proxy.Context) -> (result :Bool);
  isReadyToBroadcast @27 (context :Proxy.Context) -> (result :Bool);
  isInitialBlockDownload @28 (context :Proxy.Context) -> (result :Bool);
  shutdownRequested @29 (context :Proxy.Context) -> (result :Bool);
  initMessage @30 (context :Proxy.Context, message :Text) -> ();
  initWarning @31 (context :Proxy.Context, message :Text) -> ();
  initError @32 (context :Proxy.Context, message :Text) -> ();
  handleNotifications @33 (context :Proxy.Context, notifications :ChainNotifications) -> (result :Handler);
  waitForNotifications @34 (context :Proxy.Context) -> ();
  requestMempoolTransactions @35 (context :Proxy.Context, notifications :ChainNotifications) -> ();
  readBlocks @36 (context :Proxy.Context, fromHeight :Int32, count :UInt32, maxBytes :UInt64)
      -> (blocks :List(ChainBlock));
  getSetting @37 (context :Proxy.Context, name :Text) -> (result :Text);          # JSON
  getSettingsList @38 (context :Proxy.Context, name :Text) -> (result :Text);     # JSON array
  getRwSetting @39 (context :Proxy.Context, name :Text) -> (result :Text);
  updateRwSetting @40 (context :Proxy.Context, name :Text, value :Text) -> (result :Bool);
  handleRpc @41 (context :Proxy.Context, commands :List(RpcCommand), rpc :Rpc.Rpc) -> (result :Handler);
}
