/**
 * The registry of command-line and `bitcoin.conf` options of every tsbtc mode: Bitcoin Core's options (names,
 * help texts, categories and flags from Core's `SetupServerArgs`, `AddLoggingArgs`, `SetupChainParamsBaseOptions`,
 * `AddWalletOptions`, `SetupCliArgs` and `SetupUIArgs`) plus tsbtc's own (`-ipcfd`, `-ipccookiefile`,
 * `-ipcbind=tcp:…`).
 *
 * Every option Core's bitcoind accepts is accepted by the server modes (`node`, `wallet`, `gui`, `echo`) so that
 * configuration files and command lines written for Core (including those of Core's functional test framework)
 * work unchanged; the ones tsbtc does not act on yet are marked `inert`. The `rpc` mode accepts bitcoin-cli's.
 *
 * @module
 */
import { DEFAULT_LOG_LEVEL, logCategoriesString, logLevelsString } from "../util/logging.ts";

/** The program's modes: `tsbtc <mode> [options]`. */
export type Mode = "node" | "wallet" | "gui" | "rpc" | "echo";

/** Every mode. */
export const MODES: readonly Mode[] = ["node", "wallet", "gui", "rpc", "echo"];

/** Returns true when `name` is a mode. */
export function isMode(name: string): name is Mode {
  return (MODES as readonly string[]).includes(name);
}

/**
 * Help categories: Core's `OptionsCategory` headings, in the order Core prints them. "Hidden" options are
 * accepted but never listed (Core's `OptionsCategory::HIDDEN`).
 */
export const CATEGORIES = [
  "Options",
  "Connection options",
  "Wallet options",
  "Wallet debugging/testing options",
  "ZeroMQ notification options",
  "Debugging/Testing options",
  "Chain selection options",
  "Node relay options",
  "Block creation options",
  "RPC server options",
  "UI Options",
  "CLI Commands",
  "IPC interprocess connection options",
  "Hidden",
] as const;

/** A help category (see {@linkcode CATEGORIES}). */
export type OptionCategory = typeof CATEGORIES[number];

/** One option of one or more modes. */
export interface OptionSpec {
  /** Name without the dash, e.g. "datadir". */
  readonly name: string;
  /** What follows the name in help, e.g. "=<dir>" (Core's help param); "" or absent for switches. */
  readonly param?: string;
  /** Help text (one paragraph, wrapped by the help printer). */
  readonly help: string;
  /** Help heading. */
  readonly category: OptionCategory;
  /** Modes accepting the option. */
  readonly modes: readonly Mode[];
  /** Core's NETWORK_ONLY: in `bitcoin.conf` it applies to non-main networks only from their `[section]`. */
  readonly networkOnly?: boolean;
  /** Core's DEBUG_ONLY: listed only by `-help-debug`. */
  readonly debugOnly?: boolean;
  /** Core's SENSITIVE: its value is logged as `****`. */
  readonly sensitive?: boolean;
  /** Core's DISALLOW_NEGATION: `-nofoo` is an error. */
  readonly disallowNegation?: boolean;
  /** Core's DISALLOW_ELISION: `-foo` without `=value` is an error. */
  readonly disallowElision?: boolean;
  /** Accepted (Core's programs and test framework pass it) but tsbtc does not act on it yet. */
  readonly inert?: boolean;
}

/** bitcoind's modes: the node, its component processes and the GUI all accept Core's server options. */
const SERVER: readonly Mode[] = ["node", "wallet", "gui", "echo"];
/** bitcoin-cli. */
const RPC: readonly Mode[] = ["rpc"];
/** Modes that are not the GUI (where Core hides the GUI options). */
const NON_GUI_SERVER: readonly Mode[] = ["node", "wallet", "echo"];
/** bitcoin-qt only. */
const GUI: readonly Mode[] = ["gui"];
/** Every mode. */
const ALL: readonly Mode[] = MODES;

const DEBUG_HELP =
  "Output debug and trace logging (default: -nodebug, supplying <category> is optional). If " +
  '<category> is not supplied or if <category> is 1 or "all", output all debug logging. If <category> is 0 ' +
  'or "none", any other categories are ignored. Other valid values for <category> are: ' +
  logCategoriesString() + ". This option can be specified multiple times to output multiple categories.";

const LOGLEVEL_HELP =
  "Set the global or per-category severity level for logging categories enabled with the " +
  "-debug configuration option or the logging RPC. Possible values are " + logLevelsString() +
  ` (default=${DEFAULT_LOG_LEVEL}). The following levels are always logged: error, warning, info. If ` +
  "<category>:<level> is supplied, the setting will override the global one and may be specified multiple " +
  "times to set multiple category-specific levels. <category> can be: " + logCategoriesString() + ".";

const HIDDEN_CORE = ["dbcrashratio", "forcecompactdb"];

/** Every option of every mode. */
export const OPTIONS: readonly OptionSpec[] = [
  // ---- every mode (Core's SetupHelpOptions) ----
  {
    name: "help",
    help: "Print this help message and exit (also -h or -?)",
    category: "Options",
    modes: ALL,
  },
  { name: "h", help: "", category: "Hidden", modes: ALL },
  { name: "?", help: "", category: "Hidden", modes: ALL },
  // ---- bitcoind (src/init.cpp, init/common.cpp, chainparamsbase.cpp, wallet/init.cpp) ----
  {
    name: "debuglogfile",
    param: "=<file>",
    help: "Specify location of debug log file (default: debug.log). Relative paths will be prefixed by a " +
      "net-specific datadir location. Pass -nodebuglogfile to disable writing the log to a file.",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "debug",
    param: "=<category>",
    help: DEBUG_HELP,
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "debugexclude",
    param: "=<category>",
    help: "Exclude debug and trace logging for a category. Can be used in conjunction with -debug=1 to " +
      "output debug and trace logging for all categories except the specified category. This option " +
      "can be specified multiple times to exclude multiple categories. This takes priority over " +
      '"-debug"',
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "logips",
    help: "Include IP addresses in log output (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "loglevel",
    param: "=<level>|<category>:<level>",
    help: LOGLEVEL_HELP,
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    disallowNegation: true,
    disallowElision: true,
  },
  {
    name: "logtimestamps",
    help: "Prepend debug output with timestamp (default: 1)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "logthreadnames",
    help: "Prepend debug output with name of the originating thread (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "logsourcelocations",
    help: "Prepend debug output with name of the originating source location (source file, line number and " +
      "function name) (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "logtimemicros",
    help: "Add microsecond precision to debug timestamps (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "loglevelalways",
    help: "Always prepend a category and level (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "logratelimit",
    help: "Apply rate limiting to unconditional logging to mitigate disk-filling attacks (default: 1)",
    category: "Debugging/Testing options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "printtoconsole",
    help: "Send trace/debug info to console (default: 1 when no -daemon. To disable logging to file, set " +
      "-nodebuglogfile)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "shrinkdebugfile",
    help: "Shrink debug log file on client startup (default: 1 when no -debug)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "help-debug",
    help: "Print help message with debugging options and exit",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "version",
    help: "Print version and exit",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "alertnotify",
    param: "=<cmd>",
    help: "Execute command when an alert is raised (%s in cmd is replaced by message)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "assumevalid",
    param: "=<hex>",
    help: "If this block is in the chain assume that it and its ancestors are valid and potentially skip " +
      "their script verification (0 to verify all, default: " +
      "00000000000000000000ccebd6d74d9194d8dcdc1d177c478e094bfad51ba5ac, testnet3: " +
      "000000007a61e4230b28ac5cb6b5e5a0130de37ac1faf2f8987d2fa6505b67f4, testnet4: " +
      "0000000002368b1e4ee27e2e85676ae6f9f9e69579b29093e9a82c170bf7cf8a, signet: " +
      "00000008414aab61092ef93f1aacc54cf9e9f16af29ddad493b908a01ff5c329)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "blocksdir",
    param: "=<dir>",
    help: "Specify directory to hold blocks subdirectory for *.dat files (default: <datadir>)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "blocksxor",
    help: "Whether an XOR-key applies to blocksdir *.dat files. The created XOR-key will be zeros for an " +
      "existing blocksdir or when `-blocksxor=0` is set, and random for a freshly initialized " +
      "blocksdir. (default: 1)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "fastprune",
    help: "Use smaller block files and lower minimum prune height for testing purposes",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "blocknotify",
    param: "=<cmd>",
    help: "Execute command when the best block changes (%s in cmd is replaced by block hash)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "blockreconstructionextratxn",
    param: "=<n>",
    help: "Extra transactions to keep in memory for compact block reconstructions (default: 100)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "blocksonly",
    help: "Whether to reject transactions from network peers. Disables automatic broadcast and rebroadcast " +
      "of transactions, unless the source peer has the 'forcerelay' permission. RPC transactions are " +
      "not affected. (default: 0)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "coinstatsindex",
    help: "Maintain coinstats index used by the gettxoutsetinfo RPC (default: 0)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "conf",
    param: "=<file>",
    help: "Specify path to read-only configuration file. Relative paths will be prefixed by datadir " +
      "location (only useable from command line, not configuration file) (default: bitcoin.conf)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "datadir",
    param: "=<dir>",
    help: "Specify data directory",
    category: "Options",
    modes: SERVER,
    disallowNegation: true,
  },
  {
    name: "dbbatchsize",
    help: "Maximum database write batch size in bytes (default: 33554432)",
    category: "Options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "dbcache",
    param: "=<n>",
    help: "Maximum database cache size <n> MiB (minimum 4, default: 450). Make sure you have enough RAM. " +
      "In addition, unused memory allocated to the mempool is shared with this cache (see -maxmempool).",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "includeconf",
    param: "=<file>",
    help: "Specify additional configuration file, relative to the -datadir path (only useable from " +
      "configuration file, not command line)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "allowignoredconf",
    help: "For backwards compatibility, treat an unused bitcoin.conf file in the datadir as a warning, not " +
      "an error.",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "loadblock",
    param: "=<file>",
    help: "Imports blocks from an external file on startup. Obfuscated blocks are not supported.",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "maxmempool",
    param: "=<n>",
    help: "Keep the transaction memory pool below <n> megabytes (default: 300)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "mempoolexpiry",
    param: "=<n>",
    help: "Do not keep transactions in the mempool longer than <n> hours (default: 336)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "minimumchainwork",
    param: "=<hex>",
    help: "Minimum work assumed to exist on a valid chain in hex (default: " +
      "0000000000000000000000000000000000000001128750f82f4c366153a3a030, testnet3: " +
      "0000000000000000000000000000000000000000000017dde1c649f3708d14b6, testnet4: " +
      "0000000000000000000000000000000000000000000009a0fe15d0177d086304, signet: " +
      "00000000000000000000000000000000000000000000000000000b463ea0a4b8)",
    category: "Options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "par",
    param: "=<n>",
    help: "Set the number of script verification threads (0 = auto, up to 15, <0 = leave that many cores " +
      "free, default: 0)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "prevoutfetchthreads",
    param: "=<n>",
    help: "Set the number of threads used to prefetch block input prevouts from the chainstate database (0 " +
      "disables, up to 16, default: 8). Negative values are rejected.",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "persistmempool",
    help: "Whether to save the mempool on shutdown and load on restart (default: 1)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "persistmempoolv1",
    help: "Whether a mempool.dat file created by -persistmempool or the savemempool RPC will be written in " +
      "the legacy format (version 1) or the current format (version 2). This temporary option will be " +
      "removed in the future. (default: 0)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "pid",
    param: "=<file>",
    help: "Specify pid file. Relative paths will be prefixed by a net-specific datadir location. (default: " +
      "bitcoind.pid)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "prune",
    param: "=<n>",
    help: "Reduce storage requirements by enabling pruning (deleting) of old blocks. This allows the " +
      "pruneblockchain RPC to be called to delete specific blocks and enables automatic pruning of old " +
      "blocks if a target size in MiB is provided. This mode is incompatible with -txindex. Warning: " +
      "Reverting this setting requires re-downloading the entire blockchain. (default: 0 = disable " +
      "pruning blocks, 1 = allow manual pruning via RPC, >=550 = automatically prune block files to " +
      "stay under the specified target size in MiB)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "reindex",
    help: "If enabled, wipe chain state and block index, and rebuild them from blk*.dat files on disk. " +
      "Also wipe and rebuild other optional indexes that are active. If an assumeutxo snapshot was " +
      "loaded, its chainstate will be wiped as well. The snapshot can then be reloaded via RPC.",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "reindex-chainstate",
    help: "If enabled, wipe chain state, and rebuild it from blk*.dat files on disk. If an assumeutxo " +
      "snapshot was loaded, its chainstate will be wiped as well. The snapshot can then be reloaded " +
      "via RPC.",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "settings",
    param: "=<file>",
    help: "Specify path to dynamic settings data file. Can be disabled with -nosettings. File is written " +
      "at runtime and not meant to be edited by users (use bitcoin.conf instead for custom settings). " +
      "Relative paths will be prefixed by datadir location. (default: settings.json)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "startupnotify",
    param: "=<cmd>",
    help: "Execute command on startup.",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "shutdownnotify",
    param: "=<cmd>",
    help: "Execute command immediately before beginning shutdown. The need for shutdown may be urgent, so " +
      "be careful not to delay it long (if the command doesn't require interaction with the server, " +
      "consider having it fork into the background).",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "txindex",
    help: "Maintain a full transaction index, used by the getrawtransaction rpc call (default: 0)",
    category: "Options",
    modes: SERVER,
  },
  {
    name: "txospenderindex",
    help: "Maintain a transaction output spender index, used by the gettxspendingprevout rpc call " +
      "(default: 0)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "blockfilterindex",
    param: "=<type>",
    help: "Maintain an index of compact filters by block (default: 0, values: basic).",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "addnode",
    param: "=<ip>",
    help: "Add a node to connect to and attempt to keep the connection open (see the addnode RPC help for " +
      "more info). This option can be specified multiple times to add multiple nodes; connections are " +
      "limited to 8 at a time and are counted separately from the -maxconnections limit.",
    category: "Connection options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "asmap",
    param: "=<file>",
    help: "Specify asn mapping used for bucketing of the peers. Relative paths will be prefixed by the " +
      "net-specific datadir location.",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "bantime",
    param: "=<n>",
    help: "Default duration (in seconds) of manually configured bans (default: 86400)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "bind",
    param: "=<addr>[:<port>][=onion]",
    help: "Bind to given address and always listen on it (default: 0.0.0.0). Use [host]:port notation for " +
      "IPv6. Append =onion to tag any incoming connections to that address and port as incoming Tor " +
      "connections (default: 127.0.0.1:8334=onion, testnet3: 127.0.0.1:18334=onion, testnet4: " +
      "127.0.0.1:48334=onion, signet: 127.0.0.1:38334=onion, regtest: 127.0.0.1:18445=onion)",
    category: "Connection options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "cjdnsreachable",
    help: "If set, then this host is configured for CJDNS (connecting to fc00::/8 addresses would lead us " +
      "to the CJDNS network, see doc/cjdns.md) (default: 0)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "connect",
    param: "=<ip>",
    help: "Connect only to the specified node; -noconnect disables automatic connections (the rules for " +
      "this peer are the same as for -addnode). This option can be specified multiple times to connect " +
      "to multiple nodes.",
    category: "Connection options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "discover",
    help: "Discover own IP addresses (default: 1 when listening and no -externalip or -proxy)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "dns",
    help: "Allow DNS lookups for -addnode, -seednode and -connect (default: 1)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "dnsseed",
    help: "Query for peer addresses via DNS lookup, if low on addresses (default: 1 unless -connect used " +
      "or -maxconnections=0)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "externalip",
    param: "=<ip>",
    help: "Specify your own public address",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "fixedseeds",
    help: "Allow fixed seeds if DNS seeds don't provide peers (default: 1)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "forcednsseed",
    help: "Always query for peer addresses via DNS lookup (default: 0)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "listen",
    help: "Accept connections from outside (default: 1 if no -proxy, -connect or -maxconnections=0)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "listenonion",
    help: "Automatically create Tor onion service (default: 1)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "maxconnections",
    param: "=<n>",
    help: "Maintain at most <n> automatic connections to peers (default: 125). This limit does not apply " +
      "to connections manually added via -addnode or the addnode RPC, which have a separate limit of " +
      "8. It does not apply to short-lived private broadcast connections either, which have a separate " +
      "limit of 64.",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "maxreceivebuffer",
    param: "=<n>",
    help: "Maximum per-connection receive buffer, <n>*1000 bytes (default: 5000)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "maxsendbuffer",
    param: "=<n>",
    help: "Maximum per-connection memory usage for the send buffer, <n>*1000 bytes (default: 1000)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "maxuploadtarget",
    param: "=<n>",
    help: "Tries to keep outbound traffic under the given target per 24h. Limit does not apply to peers " +
      "with 'download' permission or blocks created within past week. 0 = no limit (default: 0M). " +
      "Optional suffix units [k|K|m|M|g|G|t|T] (default: M). Lowercase is 1000 base while uppercase is " +
      "1024 base",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "onion",
    param: "=<ip:port|path>",
    help: "Use separate SOCKS5 proxy to reach peers via Tor onion services, set -noonion to disable " +
      "(default: -proxy). May be a local file path prefixed with 'unix:'.",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "i2psam",
    param: "=<ip:port>",
    help: "I2P SAM proxy to reach I2P peers and accept I2P connections",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "i2pacceptincoming",
    help: "Whether to accept inbound I2P connections (default: 1). Ignored if -i2psam is not set. " +
      "Listening for inbound I2P connections is done through the SAM proxy, not by binding to a local " +
      "address and port.",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "onlynet",
    param: "=<net>",
    help: "Make automatic outbound connections only to network <net> (ipv4, ipv6, onion, i2p, cjdns). " +
      "Inbound and manual connections are not affected by this option. It can be specified multiple " +
      "times to allow multiple networks.",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "v2transport",
    help: "Support v2 transport (default: 1)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "peerbloomfilters",
    help: "Support filtering of blocks and transaction with bloom filters (default: 0)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "peerblockfilters",
    help: "Serve compact block filters to peers per BIP 157 (default: 0)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "txreconciliation",
    help: "Enable transaction reconciliations per BIP 330 (default: 0)",
    category: "Connection options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "port",
    param: "=<port>",
    help: "Listen for connections on <port> (default: 8333, testnet3: 18333, testnet4: 48333, signet: " +
      "38333, regtest: 18444). Not relevant for I2P (see doc/i2p.md). If set to a value x, the default " +
      "onion listening port will be set to x+1.",
    category: "Connection options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "proxy",
    param: "=<ip>[:<port>]|unix:<path>[=<network>]",
    help: "Connect through SOCKS5 proxy, set -noproxy to disable. May be a local file path prefixed with " +
      "'unix:' if the proxy supports it. Could end in =network to set the proxy only for that network. " +
      "The network can be any of ipv4, ipv6, tor or cjdns. (default: disabled)",
    category: "Connection options",
    modes: SERVER,
    disallowElision: true,
    inert: true,
  },
  {
    name: "proxyrandomize",
    help: "Randomize credentials for every proxy connection. This enables Tor stream isolation (default: 1)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "seednode",
    param: "=<ip>",
    help: "Connect to a node to retrieve peer addresses, and disconnect. This option can be specified " +
      "multiple times to connect to multiple nodes. During startup, seednodes will be tried before " +
      "dnsseeds.",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "networkactive",
    help: "Enable all P2P network activity (default: 1). Can be changed by the setnetworkactive RPC command",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "timeout",
    param: "=<n>",
    help: "Specify socket connection timeout in milliseconds. If an initial attempt to connect is " +
      "unsuccessful after this amount of time, drop it (minimum: 1, default: 5000)",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "peertimeout",
    param: "=<n>",
    help: "Specify a p2p connection timeout delay in seconds. After connecting to a peer, wait this amount " +
      "of time before considering disconnection based on inactivity (minimum: 1, default: 60)",
    category: "Connection options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "torcontrol",
    param: "=<ip>:<port>",
    help: "Tor control host and port to use if onion listening enabled (default: 127.0.0.1:9051). If no " +
      "port is specified, the default port of 9051 will be used.",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "torpassword",
    param: "=<pass>",
    help: "Tor control port password (default: empty)",
    category: "Connection options",
    modes: SERVER,
    sensitive: true,
    inert: true,
  },
  {
    name: "natpmp",
    help: "Use PCP or NAT-PMP to map the listening port (default: 1)",
    category: "Connection options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "whitebind",
    param: "=<[permissions@]addr>",
    help: "Bind to the given address and add permission flags to the peers connecting to it. Use " +
      "[host]:port notation for IPv6. Allowed permissions: bloomfilter (allow requesting BIP37 " +
      "filtered blocks and transactions), noban (do not ban for misbehavior; implies download), " +
      "forcerelay (relay transactions that are already in the mempool; implies relay), relay (relay " +
      "even in -blocksonly mode, and unlimited transaction announcements), mempool (allow requesting " +
      "BIP35 mempool contents), download (allow getheaders during IBD, no disconnect after " +
      "maxuploadtarget limit), addr (responses to GETADDR avoid hitting the cache and contain random " +
      "records with the most up-to-date info). Specify multiple permissions separated by commas " +
      "(default: download,noban,mempool,relay). Can be specified multiple times.",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "whitelist",
    param: "=<[permissions@]IP address or network>",
    help: "Add permission flags to the peers using the given IP address (e.g. 1.2.3.4) or CIDR-notated " +
      'network (e.g. 1.2.3.0/24). Uses the same permissions as -whitebind. Additional flags "in" and ' +
      '"out" control whether permissions apply to incoming connections and/or manual (default: ' +
      "incoming only). Can be specified multiple times.",
    category: "Connection options",
    modes: SERVER,
  },
  {
    name: "zmqpubhashblock",
    param: "=<address>",
    help: "Enable publish hash block in <address>",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubhashtx",
    param: "=<address>",
    help: "Enable publish hash transaction in <address>",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubrawblock",
    param: "=<address>",
    help: "Enable publish raw block in <address>",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubrawtx",
    param: "=<address>",
    help: "Enable publish raw transaction in <address>",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubsequence",
    param: "=<address>",
    help: "Enable publish hash block and tx sequence in <address>",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubhashblockhwm",
    param: "=<n>",
    help: "Set publish hash block outbound message high water mark (default: 1000)",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubhashtxhwm",
    param: "=<n>",
    help: "Set publish hash transaction outbound message high water mark (default: 1000)",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubrawblockhwm",
    param: "=<n>",
    help: "Set publish raw block outbound message high water mark (default: 1000)",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubrawtxhwm",
    param: "=<n>",
    help: "Set publish raw transaction outbound message high water mark (default: 1000)",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "zmqpubsequencehwm",
    param: "=<n>",
    help: "Set publish hash sequence message high water mark (default: 1000)",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "checkblocks",
    param: "=<n>",
    help: "How many blocks to check at startup (default: 6, 0 = all)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "checklevel",
    param: "=<n>",
    help: "How thorough the block verification of -checkblocks is: level 0 reads the blocks from disk, " +
      "level 1 verifies block validity, level 2 verifies undo data, level 3 checks disconnection of " +
      "tip blocks, level 4 tries to reconnect the blocks, each level includes the checks of the " +
      "previous levels (0-4, default: 3)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "checkblockindex",
    help: "Do a consistency check for the block tree, chainstate, and other validation data structures " +
      "every <n> operations. Use 0 to disable. (default: 0, regtest: 1)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "checkaddrman",
    param: "=<n>",
    help: "Run addrman consistency checks every <n> operations. Use 0 to disable. (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "checkmempool",
    param: "=<n>",
    help: "Run mempool consistency checks every <n> transactions. Use 0 to disable. (default: 0, regtest: " +
      "1)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "checkpoints",
    help: "",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "deprecatedrpc",
    param: "=<method>",
    help: "Allows deprecated RPC method(s) to be used",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "stopafterblockimport",
    help: "Stop running after importing blocks from disk (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "stopatheight",
    help: "Stop running after reaching the given height in the main chain (default: 0). Blocks after " +
      "target height may be processed during shutdown.",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "limitancestorcount",
    param: "=<n>",
    help: "Deprecated setting to not accept transactions if number of in-mempool ancestors is <n> or more " +
      "(default: 25); replaced by cluster limits (see -limitclustercount) and only used by wallet for " +
      "coin selection",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "limitancestorsize",
    help: "",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "limitdescendantsize",
    help: "",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  },
  {
    name: "limitdescendantcount",
    param: "=<n>",
    help: "Deprecated setting to not accept transactions if any ancestor would have <n> or more in-mempool " +
      "descendants (default: 25); replaced by cluster limits (see -limitclustercount) and only used by " +
      "wallet for coin selection",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "test",
    param: "=<option>",
    help: "Pass a test-only option. Options include : addrman (use deterministic addrman), " +
      "reindex_after_failure_noninteractive_yes (When asked for a reindex after failure interactively, " +
      "simulate as-if answered with 'yes'), bip94 (enforce BIP94 consensus rules), addrmanlocal (tsbtc, " +
      "regtest: loopback addresses count as routable, so tests on one host can gossip addresses).",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "limitclustercount",
    param: "=<n>",
    help: "Do not accept transactions into mempool which are directly or indirectly connected to <n> or " +
      "more other unconfirmed transactions (default: 64, maximum: 64)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "limitclustersize",
    param: "=<n>",
    help: "Do not accept transactions whose virtual size with all in-mempool connected transactions " +
      "exceeds <n> kilobytes (default: 101)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "capturemessages",
    help: "Capture all P2P messages to disk",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "mocktime",
    param: "=<n>",
    help: "Replace actual time with UNIX epoch time (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "maxsigcachesize",
    param: "=<n>",
    help: "Limit sum of signature cache and script execution cache sizes to <n> MiB (default: 32)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "maxtipage",
    param: "=<n>",
    help: "Maximum tip age in seconds to consider node in initial block download (default: 86400)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "printpriority",
    help: "Log transaction fee rate in BTC/kvB when mining blocks (default: 0)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "uacomment",
    param: "=<cmt>",
    help: "Append comment to the user agent string",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "acceptnonstdtxn",
    help: 'Relay and mine "non-standard" transactions (test networks only; default: 0)',
    category: "Node relay options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "incrementalrelayfee",
    param: "=<amt>",
    help: "Fee rate (in BTC/kvB) used to define cost of relay, used for mempool limiting and replacement " +
      "policy. (default: 0.000001)",
    category: "Node relay options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "dustrelayfee",
    param: "=<amt>",
    help: "Fee rate (in BTC/kvB) used to define dust, the value of an output such that it will cost more " +
      "than its value in fees at this fee rate to spend it. (default: 0.00003)",
    category: "Node relay options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "acceptstalefeeestimates",
    help: "Read fee estimates even if they are stale (regtest only; default: 0) fee estimates are " +
      "considered stale if they are 60 hours old",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "bytespersigop",
    help: "Equivalent bytes per sigop in transactions for relay and mining (default: 20)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "datacarrier",
    help: "Relay and mine data carrier transactions (default: 1)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "datacarriersize",
    help: "Relay and mine transactions whose data-carrying raw scriptPubKeys in aggregate are of this size " +
      "or less, allowing multiple outputs (default: 100000)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "permitbaremultisig",
    help: "Relay transactions creating non-P2SH multisig outputs (default: 1)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "minrelaytxfee",
    param: "=<amt>",
    help: "Fees (in BTC/kvB) smaller than this are considered zero fee for relaying, mining and " +
      "transaction creation (default: 0.000001)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "privatebroadcast",
    help: "Broadcast transactions submitted via sendrawtransaction RPC using short-lived connections " +
      "through the Tor or I2P networks, without putting them in the mempool first. Transactions " +
      "submitted through the wallet are not affected by this option (default: 0)",
    category: "Node relay options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "whitelistforcerelay",
    help: "Add 'forcerelay' permission to whitelisted peers with default permissions. This will relay " +
      "transactions even if the transactions were already in the mempool. (default: 0)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "whitelistrelay",
    help: "Add 'relay' permission to whitelisted peers with default permissions. This will accept relayed " +
      "transactions even when not relaying transactions (default: 1)",
    category: "Node relay options",
    modes: SERVER,
  },
  {
    name: "blockmaxweight",
    param: "=<n>",
    help: "Set maximum BIP141 block weight (default: 4000000)",
    category: "Block creation options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "blockreservedweight",
    param: "=<n>",
    help: "Reserve space for the fixed-size block header plus the largest coinbase transaction the mining " +
      "software may add to the block. Only affects mining RPC clients, not IPC clients. (default: " +
      "8000).",
    category: "Block creation options",
    modes: SERVER,
  },
  {
    name: "blockmintxfee",
    param: "=<amt>",
    help: "Set lowest fee rate (in BTC/kvB) for transactions to be included in block creation. (default: " +
      "0.00000001)",
    category: "Block creation options",
    modes: SERVER,
  },
  {
    name: "blockversion",
    param: "=<n>",
    help: "Override block version to test forking scenarios",
    category: "Block creation options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "rest",
    help: "Accept public REST requests (default: 0)",
    category: "RPC server options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "rpcallowip",
    param: "=<ip>",
    help: "Allow JSON-RPC connections from specified source. Valid values for <ip> are a single IP (e.g. " +
      "1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. 1.2.3.4/24), all " +
      "ipv4 (0.0.0.0/0), or all ipv6 (::/0). RFC4193 is allowed only if -cjdnsreachable=0. This option " +
      "can be specified multiple times",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpcauth",
    param: "=<userpw>",
    help: "Username and HMAC-SHA-256 hashed password for JSON-RPC connections. The field <userpw> comes in " +
      "the format: <USERNAME>:<SALT>$<HASH>. A canonical python script is included in share/rpcauth. " +
      "The client then connects normally using the rpcuser=<USERNAME>/rpcpassword=<PASSWORD> pair of " +
      "arguments. This option can be specified multiple times",
    category: "RPC server options",
    modes: SERVER,
    sensitive: true,
  },
  {
    name: "rpcbind",
    param: "=<addr>[:port]",
    help: "Bind to given address to listen for JSON-RPC connections. Do not expose the RPC server to " +
      "untrusted networks such as the public internet! This option is ignored unless -rpcallowip is " +
      "also passed. Port is optional and overrides -rpcport. Use [host]:port notation for IPv6. This " +
      "option can be specified multiple times (default: 127.0.0.1 and ::1 i.e., localhost)",
    category: "RPC server options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "rpcdoccheck",
    help: "Throw a non-fatal error at runtime if the documentation for an RPC is incorrect (default: 0)",
    category: "RPC server options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "rpccookiefile",
    param: "=<loc>",
    help: "Location of the auth cookie. Relative paths will be prefixed by a net-specific datadir " +
      "location. (default: data dir)",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpccookieperms",
    param: "=<readable-by>",
    help: "Set permissions on the RPC auth cookie file so that it is readable by [owner|group|all] " +
      "(default: owner [via umask 0077])",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpcpassword",
    param: "=<pw>",
    help: "Password for JSON-RPC connections",
    category: "RPC server options",
    modes: SERVER,
    sensitive: true,
  },
  {
    name: "rpcport",
    param: "=<port>",
    help: "Listen for JSON-RPC connections on <port> (default: 8332, testnet3: 18332, testnet4: 48332, " +
      "signet: 38332, regtest: 18443)",
    category: "RPC server options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "rpcservertimeout",
    param: "=<n>",
    help: "Timeout during HTTP requests (default: 30)",
    category: "RPC server options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "rpcthreads",
    param: "=<n>",
    help: "Set the number of threads to service RPC calls (default: 16)",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpcuser",
    param: "=<user>",
    help: "Username for JSON-RPC connections",
    category: "RPC server options",
    modes: SERVER,
    sensitive: true,
  },
  {
    name: "rpcwhitelist",
    param: "=<whitelist>",
    help: "Set a whitelist to filter incoming RPC calls for a specific user. The field <whitelist> comes " +
      "in the format: <USERNAME>:<rpc 1>,<rpc 2>,...,<rpc n>. If multiple whitelists are set for a " +
      "given user, they are set-intersected. See -rpcwhitelistdefault documentation for information on " +
      "default whitelist behavior.",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpcwhitelistdefault",
    help: "Sets default behavior for rpc whitelisting. Unless rpcwhitelistdefault is set to 0, if any " +
      "-rpcwhitelist is set, the rpc server acts as if all rpc users are subject to " +
      "empty-unless-otherwise-specified whitelists. If rpcwhitelistdefault is set to 1 and no " +
      "-rpcwhitelist is set, rpc server acts as if all rpc users are subject to empty whitelists.",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "rpcworkqueue",
    param: "=<n>",
    help: "Set the maximum depth of the work queue to service RPC calls (default: 64)",
    category: "RPC server options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "server",
    help: "Accept command line and JSON-RPC commands",
    category: "RPC server options",
    modes: SERVER,
  },
  {
    name: "ipcbind",
    param: "=<address>",
    help: "Bind to an address and listen for incoming IPC (Cap'n Proto) connections. Valid address values " +
      'are "unix" to listen on the default path, <datadir>/node.sock in the network data directory, ' +
      '"unix:<path>" to specify a custom path (relative paths are interpreted relative to the network ' +
      'data directory; a stale socket file is removed), or "tcp:<host>:<port>" to listen on TCP, where ' +
      "every connection must first authenticate with the secret in -ipccookiefile (binding a " +
      "non-loopback host must be asked for explicitly). Can be specified multiple times. Default " +
      "behavior is not to listen. Sockets and cookie files are created with mode 0600; a unix socket " +
      "gives local processes that can access it unauthenticated RPC access, so choose a path with " +
      "secure permissions.",
    category: "IPC interprocess connection options",
    modes: SERVER,
  },
  {
    name: "daemon",
    help: "Run in the background as a daemon and accept commands (default: 0)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "daemonwait",
    help: "Wait for initialization to be finished before exiting. This implies -daemon (default: 0)",
    category: "Options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "chain",
    param: "=<chain>",
    help: "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, signet, regtest",
    category: "Chain selection options",
    modes: SERVER,
  },
  {
    name: "regtest",
    help: "Enter regression test mode, which uses a special chain in which blocks can be solved instantly. " +
      "This is intended for regression testing tools and app development. Equivalent to -chain=regtest.",
    category: "Chain selection options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "testactivationheight",
    param: "=name@height.",
    help: "Set the activation height of 'name' (segwit, bip34, dersig, cltv, csv). (test-only)",
    category: "Debugging/Testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "testnet",
    help: "Use the testnet3 chain. Equivalent to -chain=test. Support for testnet3 is deprecated and will " +
      "be removed in an upcoming release. Consider moving to testnet4 now by using -testnet4.",
    category: "Chain selection options",
    modes: SERVER,
  },
  {
    name: "testnet4",
    help: "Use the testnet4 chain. Equivalent to -chain=testnet4.",
    category: "Chain selection options",
    modes: SERVER,
  },
  {
    name: "vbparams",
    param: "=deployment:start:end[:min_activation_height]",
    help: "Use given start/end times and min_activation_height for specified version bits deployment " +
      "(test-only)",
    category: "Chain selection options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "signet",
    help: "Use the signet chain. Equivalent to -chain=signet. Note that the network is defined by the " +
      "-signetchallenge parameter",
    category: "Chain selection options",
    modes: SERVER,
  },
  {
    name: "signetchallenge",
    help: "Blocks must satisfy the given script to be considered valid (only for signet networks; defaults " +
      "to the global default signet test network challenge)",
    category: "Chain selection options",
    modes: SERVER,
    disallowNegation: true,
    inert: true,
  },
  {
    name: "signetseednode",
    help: "Specify a seed node for the signet network, in the hostname[:port] format, e.g. sig.net:1234 " +
      "(may be used multiple times to specify multiple seed nodes; defaults to the global default " +
      "signet test network seed node(s))",
    category: "Chain selection options",
    modes: SERVER,
    disallowNegation: true,
    inert: true,
  },
  {
    name: "addresstype",
    help: 'What type of addresses to use ("legacy", "p2sh-segwit", "bech32", "bech32m", default: "bech32")',
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "avoidpartialspends",
    help: "Group outputs by address, selecting many (possibly all) or none, instead of selecting on a " +
      "per-output basis. Privacy is improved as addresses are mostly swept with fewer transactions and " +
      "outputs are aggregated in clean change addresses. It may result in higher fees due to less " +
      "optimal coin selection caused by this added limitation and possibly a larger-than-necessary " +
      'number of inputs being used. Always enabled for wallets with "avoid_reuse" enabled, otherwise ' +
      "default: 0.",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "changetype",
    help: 'What type of change to use ("legacy", "p2sh-segwit", "bech32", "bech32m"). Default is "legacy" ' +
      "when -addresstype=legacy, else it is an implementation detail.",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "consolidatefeerate",
    param: "=<amt>",
    help: "The maximum feerate (in BTC/kvB) at which transaction building may use more inputs than " +
      "strictly necessary so that the wallet's UTXO pool can be reduced (default: 0.0001).",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "disablewallet",
    help: "Do not load the wallet and disable wallet RPC calls",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "discardfee",
    param: "=<amt>",
    help: "The fee rate (in BTC/kvB) that indicates your tolerance for discarding change by adding it to " +
      "the fee (default: 0.0001). Note: An output is discarded if it is dust at this rate, but we will " +
      "always discard up to the dust relay fee and a discard fee above that is limited by the fee " +
      "estimate for the longest target",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "fallbackfee",
    param: "=<amt>",
    help: "A fee rate (in BTC/kvB) that will be used when fee estimation has insufficient data. 0 to " +
      "entirely disable the fallbackfee feature. (default: 0.00)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "keypool",
    param: "=<n>",
    help: "Set key pool size to <n> (default: 1000). Warning: Smaller sizes may increase the risk of " +
      "losing funds when restoring from an old backup, if none of the addresses in the original " +
      "keypool have been used.",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "maxapsfee",
    param: "=<n>",
    help: "Spend up to this amount in additional (absolute) fees (in BTC) if it allows the use of partial " +
      "spend avoidance (default: 0.00)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "maxtxfee",
    param: "=<amt>",
    help: "Maximum total fees (in BTC) to use in a single wallet transaction; setting this too low may " +
      "abort large transactions (default: 0.10)",
    category: "Debugging/Testing options",
    modes: SERVER,
  },
  {
    name: "mintxfee",
    param: "=<amt>",
    help: "Fee rates (in BTC/kvB) smaller than this are considered zero fee for transaction creation " +
      "(default: 0.00001)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "signer",
    param: "=<cmd>",
    help: "External signing tool, see doc/external-signer.md",
    category: "Wallet options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "spendzeroconfchange",
    help: "Spend unconfirmed change when sending transactions (default: 1)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "txconfirmtarget",
    param: "=<n>",
    help: "Include enough fee so transactions begin confirmation on average within n blocks (default: 6)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "wallet",
    param: "=<path>",
    help: "Specify wallet path to load at startup. Can be used multiple times to load multiple wallets. " +
      "Path is to a directory containing wallet data and log files. If the path is not absolute, it is " +
      "interpreted relative to <walletdir>. This only loads existing wallets and does not create new " +
      "ones. For backwards compatibility this also accepts names of existing top-level data files in " +
      "<walletdir>.",
    category: "Wallet options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "walletbroadcast",
    help: "Make the wallet broadcast transactions (default: 1)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "walletdir",
    param: "=<dir>",
    help: "Specify directory to hold wallets (default: <datadir>/wallets if it exists, otherwise <datadir>)",
    category: "Wallet options",
    modes: SERVER,
    networkOnly: true,
  },
  {
    name: "walletnotify",
    param: "=<cmd>",
    help: "Execute command when a wallet transaction changes. %s in cmd is replaced by TxID, %w is " +
      "replaced by wallet name, %b is replaced by the hash of the block including the transaction (set " +
      "to 'unconfirmed' if the transaction is not included) and %h is replaced by the block height (-1 " +
      "if not included). %w is not currently implemented on windows. On systems where %w is supported, " +
      "it should NOT be quoted because this would break shell escaping used to invoke the command.",
    category: "Wallet options",
    modes: SERVER,
    inert: true,
  },
  {
    name: "walletrbf",
    help: "(DEPRECATED) Send transactions with full-RBF opt-in enabled (default: 1)",
    category: "Wallet options",
    modes: SERVER,
  },
  {
    name: "unsafesqlitesync",
    help: "Set SQLite synchronous=OFF to disable waiting for the database to sync to disk. This is unsafe " +
      "and can cause data loss and corruption. This option is only used by tests to improve their " +
      "performance (default: false)",
    category: "Wallet debugging/testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  {
    name: "walletrejectlongchains",
    help: "Wallet will not create transactions that violate mempool chain limits (default: 1)",
    category: "Wallet debugging/testing options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "walletcrosschain",
    help: "Allow reusing wallet files across chains (default: 0)",
    category: "Wallet debugging/testing options",
    modes: SERVER,
    debugOnly: true,
    inert: true,
  },
  // ---- bitcoin-cli (src/bitcoin-cli.cpp) ----
  {
    name: "version",
    help: "Print version and exit",
    category: "Options",
    modes: RPC,
  },
  {
    name: "conf",
    param: "=<file>",
    help: "Specify configuration file. Relative paths will be prefixed by datadir location. (default: " +
      "bitcoin.conf)",
    category: "Options",
    modes: RPC,
  },
  {
    name: "datadir",
    param: "=<dir>",
    help: "Specify data directory",
    category: "Options",
    modes: RPC,
    disallowNegation: true,
  },
  {
    name: "generate",
    help: "Generate blocks, equivalent to RPC getnewaddress followed by RPC generatetoaddress. Optional " +
      "positional integer arguments are number of blocks to generate (default: 1) and maximum " +
      "iterations to try (default: 1000000), equivalent to RPC generatetoaddress nblocks and maxtries " +
      "arguments. Example: bitcoin-cli -generate 4 1000",
    category: "CLI Commands",
    modes: RPC,
    inert: true,
  },
  {
    name: "addrinfo",
    help: "Get the number of addresses known to the node, per network and total.",
    category: "CLI Commands",
    modes: RPC,
    inert: true,
  },
  {
    name: "getinfo",
    help: "Get general information from the remote server. Note that unlike server-side RPC calls, the " +
      "output of -getinfo is the result of multiple non-atomic requests. Some entries in the output " +
      "may represent results from different states (e.g. wallet balance may be as of a different block " +
      "from the chain state reported)",
    category: "CLI Commands",
    modes: RPC,
    inert: true,
  },
  {
    name: "netinfo",
    help: "Get network peer connection information from the remote server. An optional argument from 0 to " +
      "4 can be passed for different peers listings (default: 0). If a non-zero value is passed, an " +
      'additional "outonly" (or "o") argument can be passed to see outbound peers only. Pass "help" ' +
      '(or "h") for detailed help documentation.',
    category: "CLI Commands",
    modes: RPC,
    inert: true,
  },
  {
    name: "color",
    param: "=<when>",
    help: "Color setting for CLI output (default: auto). Valid values: always, auto (add color codes when " +
      "standard output is connected to a terminal and OS is not WIN32), never. Only applies to the " +
      "output of -getinfo.",
    category: "Options",
    modes: RPC,
    disallowNegation: true,
    inert: true,
  },
  {
    name: "named",
    help: "Pass named instead of positional arguments (default: 0)",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcid",
    param: "=<id>",
    help: "Set a custom JSON-RPC request ID string (default: 1)",
    category: "Options",
    modes: RPC,
    disallowNegation: true,
    disallowElision: true,
  },
  {
    name: "rpcclienttimeout",
    param: "=<n>",
    help: "Timeout in seconds during HTTP requests, or 0 for no timeout. Not implemented for IPC " +
      "connections (see -ipcconnect). (default: 900)",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcconnect",
    param: "=<ip>",
    help: "Send commands to node running on <ip> (default: 127.0.0.1)",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpccookiefile",
    param: "=<loc>",
    help: "Location of the auth cookie. Relative paths will be prefixed by a net-specific datadir " +
      "location. (default: data dir)",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcpassword",
    param: "=<pw>",
    help: "Password for JSON-RPC connections",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcport",
    param: "=<port>",
    help: "Connect to JSON-RPC on <port> (default: 8332, testnet: 18332, testnet4: 48332, signet: 38332, " +
      "regtest: 18443)",
    category: "Options",
    modes: RPC,
    networkOnly: true,
  },
  {
    name: "rpcuser",
    param: "=<user>",
    help: "Username for JSON-RPC connections",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcwait",
    help: "Wait for RPC server to start",
    category: "Options",
    modes: RPC,
  },
  {
    name: "rpcwaittimeout",
    param: "=<n>",
    help: "Timeout in seconds to wait for the RPC server to start, or 0 for no timeout. (default: 0)",
    category: "Options",
    modes: RPC,
    disallowNegation: true,
  },
  {
    name: "rpcwallet",
    param: "=<walletname>",
    help: "Send RPC for non-default wallet on RPC server (needs to exactly match corresponding -wallet " +
      "option passed to bitcoind). This changes the RPC endpoint used, e.g. " +
      "http://127.0.0.1:8332/wallet/<walletname>",
    category: "Options",
    modes: RPC,
  },
  {
    name: "stdin",
    help: "Read extra arguments from standard input, one per line until EOF/Ctrl-D (recommended for " +
      "sensitive information such as passphrases). When combined with -stdinrpcpass, the first line " +
      "from standard input is used for the RPC password.",
    category: "Options",
    modes: RPC,
  },
  {
    name: "stdinrpcpass",
    help: "Read RPC password from standard input as a single line. When combined with -stdin, the first " +
      "line from standard input is used for the RPC password. When combined with " +
      "-stdinwalletpassphrase, -stdinrpcpass consumes the first line, and -stdinwalletpassphrase " +
      "consumes the second.",
    category: "Options",
    modes: RPC,
  },
  {
    name: "stdinwalletpassphrase",
    help: "Read wallet passphrase from standard input as a single line. When combined with -stdin, the " +
      "first line from standard input is used for the wallet passphrase.",
    category: "Options",
    modes: RPC,
  },
  {
    name: "ipcconnect",
    param: "=<address>",
    help: "Connect to tsbtc node through IPC socket instead of TCP socket to execute requests. Valid " +
      "<address> values are 'auto' to try to connect to default socket path at <datadir>/node.sock but " +
      "fall back to TCP if it is not available, 'unix' to connect to the default socket and fail if it " +
      "isn't available, 'unix:<socket path>' to connect to a socket at a nonstandard path, or " +
      "'tcp:<host>:<port>' to connect over TCP, authenticating with -ipccookiefile. -noipcconnect can " +
      "be specified to avoid attempting to use IPC at all. Default value: auto",
    category: "IPC interprocess connection options",
    modes: RPC,
  },
  {
    name: "chain",
    param: "=<chain>",
    help: "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, signet, regtest",
    category: "Chain selection options",
    modes: RPC,
  },
  {
    name: "regtest",
    help: "Enter regression test mode, which uses a special chain in which blocks can be solved instantly. " +
      "This is intended for regression testing tools and app development. Equivalent to -chain=regtest.",
    category: "Chain selection options",
    modes: RPC,
    debugOnly: true,
  },
  {
    name: "testactivationheight",
    param: "=name@height.",
    help: "Set the activation height of 'name' (segwit, bip34, dersig, cltv, csv). (test-only)",
    category: "Debugging/Testing options",
    modes: RPC,
    debugOnly: true,
  },
  {
    name: "testnet",
    help: "Use the testnet3 chain. Equivalent to -chain=test. Support for testnet3 is deprecated and will " +
      "be removed in an upcoming release. Consider moving to testnet4 now by using -testnet4.",
    category: "Chain selection options",
    modes: RPC,
  },
  {
    name: "testnet4",
    help: "Use the testnet4 chain. Equivalent to -chain=testnet4.",
    category: "Chain selection options",
    modes: RPC,
  },
  {
    name: "vbparams",
    param: "=deployment:start:end[:min_activation_height]",
    help: "Use given start/end times and min_activation_height for specified version bits deployment " +
      "(test-only)",
    category: "Chain selection options",
    modes: RPC,
    debugOnly: true,
    inert: true,
  },
  {
    name: "signet",
    help: "Use the signet chain. Equivalent to -chain=signet. Note that the network is defined by the " +
      "-signetchallenge parameter",
    category: "Chain selection options",
    modes: RPC,
  },
  {
    name: "signetchallenge",
    help: "Blocks must satisfy the given script to be considered valid (only for signet networks; defaults " +
      "to the global default signet test network challenge)",
    category: "Chain selection options",
    modes: RPC,
    disallowNegation: true,
    inert: true,
  },
  {
    name: "signetseednode",
    help: "Specify a seed node for the signet network, in the hostname[:port] format, e.g. sig.net:1234 " +
      "(may be used multiple times to specify multiple seed nodes; defaults to the global default " +
      "signet test network seed node(s))",
    category: "Chain selection options",
    modes: RPC,
    disallowNegation: true,
    inert: true,
  },
  // ---- Core's hidden server options (accepted for shared config files) ----
  ...HIDDEN_CORE.map((name): OptionSpec => ({
    name,
    help: "",
    category: "Hidden",
    modes: SERVER,
    inert: true,
  })),
  // ---- bitcoin-qt's options (src/qt/bitcoin.cpp SetupUIArgs); hidden in the other server modes, as in Core ----
  {
    name: "choosedatadir",
    help: "Choose data directory on startup (default: 0)",
    category: "UI Options",
    modes: GUI,
    inert: true,
  },
  {
    name: "lang",
    param: "=<lang>",
    help: 'Set language, for example "de_DE" (default: system locale)',
    category: "UI Options",
    modes: GUI,
    inert: true,
  },
  { name: "min", help: "Start minimized", category: "UI Options", modes: GUI, inert: true },
  {
    name: "resetguisettings",
    help: "Reset all settings changed in the GUI",
    category: "UI Options",
    modes: GUI,
    inert: true,
  },
  {
    name: "splash",
    help: "Show splash screen on startup (default: 1)",
    category: "UI Options",
    modes: GUI,
    inert: true,
  },
  {
    name: "uiplatform",
    help: "Select platform to customize UI for (one of windows, macosx, other; default: other)",
    category: "UI Options",
    modes: GUI,
    debugOnly: true,
    inert: true,
  },
  ...["choosedatadir", "lang", "min", "resetguisettings", "splash", "uiplatform"].map((name): OptionSpec => ({
    name,
    help: "",
    category: "Hidden",
    modes: NON_GUI_SERVER,
    inert: true,
  })),
  // ---- tsbtc's own options ----
  {
    name: "ipcfd",
    param: "=<fd>",
    help: "Internal: set by a parent process that spawned this one; the IPC channel is on the given file " +
      "descriptor (tsbtc: 0, i.e. stdin/stdout). Component modes refuse to start without it unless " +
      "-ipcconnect is given, so they cannot be started by hand by mistake.",
    category: "IPC interprocess connection options",
    modes: SERVER,
    debugOnly: true,
  },
  {
    name: "sandbox",
    param: "=<how>",
    help: 'Internal: set by a parent process; "worker" makes the child narrow its own permissions inside a ' +
      "Worker.",
    category: "Hidden",
    modes: SERVER,
  },
  {
    name: "ipcallowremote",
    help:
      "Allow -ipcbind=tcp:<host>:<port> on a host that is not a loopback address. Connections are still " +
      "authenticated with the IPC cookie, but not encrypted: use only on a network you trust (default: 0)",
    category: "IPC interprocess connection options",
    modes: ["node"],
  },
  {
    name: "ipccookiefile",
    param: "=<loc>",
    help: "Location of the cookie holding the secret that authenticates IPC connections over TCP " +
      "(-ipcbind=tcp:<host>:<port>, -ipcconnect=tcp:<host>:<port>). Relative paths will be prefixed by a " +
      "net-specific datadir location. (default: ipc.cookie in the network data directory)",
    category: "IPC interprocess connection options",
    modes: ALL,
  },
  {
    name: "dumpfile",
    param: "=<file name>",
    help:
      "When used with 'dump', writes out the records to this file. When used with 'createfromdump', loads " +
      "the records into a new wallet. (tsbtc wallet's dump and createfromdump commands)",
    category: "Wallet options",
    modes: ["wallet"],
    disallowNegation: true,
  },
  {
    name: "ipcconnect",
    param: "=<address>",
    help: "Connect to a running tsbtc node over IPC instead of having one spawn this process: 'unix' for " +
      "the default socket <datadir>/node.sock in the network data directory, 'unix:<socket path>' for another " +
      "path (relative to the network data directory), or 'tcp:<host>:<port>', authenticating with " +
      "-ipccookiefile.",
    category: "IPC interprocess connection options",
    modes: ["wallet", "gui"],
  },
];

/** Per-mode lookup tables, built once. */
const BY_MODE: ReadonlyMap<Mode, ReadonlyMap<string, OptionSpec>> = (() => {
  const out = new Map<Mode, Map<string, OptionSpec>>();
  for (const m of MODES) out.set(m, new Map());
  for (const spec of OPTIONS) {
    for (const m of spec.modes) {
      const table = out.get(m)!;
      if (table.has(spec.name)) throw new Error(`Duplicate option -${spec.name} in mode ${m}`);
      table.set(spec.name, spec);
    }
  }
  return out;
})();

/** The options of `mode`, keyed by name (without dash). */
export function optionsFor(mode: Mode): ReadonlyMap<string, OptionSpec> {
  return BY_MODE.get(mode)!;
}

/** The option `name` (with or without a leading dash) of `mode`, or undefined when `mode` does not accept it. */
export function findOption(mode: Mode, name: string): OptionSpec | undefined {
  return BY_MODE.get(mode)!.get(name.startsWith("-") ? name.slice(1) : name);
}

/** The names (without dash) of the network-only options of `mode`, sorted as Core's `std::set`. */
export function networkOnlyOptions(mode: Mode): string[] {
  return [...optionsFor(mode).values()].filter((o) => o.networkOnly).map((o) => o.name).sort(byDashName);
}

/**
 * The options tsbtc accepts without acting on them yet (for README), optionally for one mode; hidden
 * placeholders are left out. Sorted by name.
 */
export function inertOptions(mode?: Mode): OptionSpec[] {
  const list = mode === undefined ? OPTIONS : [...optionsFor(mode).values()];
  const seen = new Set<string>();
  return list.filter((o) => {
    if (!o.inert || o.category === "Hidden" || seen.has(o.name)) return false;
    seen.add(o.name);
    return true;
  }).sort((a, b) => byDashName(a.name, b.name));
}

/** Core sorts options by their `-name` byte-wise (a `std::map<std::string, …>`). */
export function byDashName(a: string, b: string): number {
  const x = "-" + a;
  const y = "-" + b;
  return x < y ? -1 : x > y ? 1 : 0;
}
