/**
 * bitcoin-cli's argument conversion (Core's `src/rpc/client.cpp`): which command-line arguments are parsed as
 * JSON (numbers, booleans, arrays, objects) and which stay strings, by position and by name, and the `-named`
 * syntax (`name=value`, positional leftovers sent as `args`). The table lists every (method, position, name,
 * format) of Core's `vRPCConvertParams`.
 *
 * @module
 */
import { type JsonValue, parseJsonLossless, writeJson } from "./json.ts";

/** How an argument is passed: parsed as JSON (error if invalid), kept as a string, or JSON with string fallback. */
export type ParamFormat = "json" | "string" | "json_or_string";

/** One conversion rule: method, 0-based position, parameter name and format. */
export interface ConvertParam {
  /** Method name. */
  readonly method: string;
  /** 0-based position. */
  readonly index: number;
  /** Parameter name. */
  readonly name: string;
  /** Format. */
  readonly format: ParamFormat;
}

type Row = readonly [string, number, string, ParamFormat?];

// Facts from Core's vRPCConvertParams (format omitted = json).
const ROWS: readonly Row[] = [
  ["setmocktime", 0, "timestamp"],
  ["mockscheduler", 0, "delta_time"],
  ["utxoupdatepsbt", 0, "psbt", "string"],
  ["utxoupdatepsbt", 1, "descriptors"],
  ["generatetoaddress", 0, "nblocks"],
  ["generatetoaddress", 2, "maxtries"],
  ["generatetodescriptor", 0, "num_blocks"],
  ["generatetodescriptor", 2, "maxtries"],
  ["generateblock", 1, "transactions"],
  ["generateblock", 2, "submit"],
  ["getnetworkhashps", 0, "nblocks"],
  ["getnetworkhashps", 1, "height"],
  ["sendtoaddress", 0, "address", "string"],
  ["sendtoaddress", 1, "amount"],
  ["sendtoaddress", 2, "comment", "string"],
  ["sendtoaddress", 3, "comment_to", "string"],
  ["sendtoaddress", 4, "subtractfeefromamount"],
  ["sendtoaddress", 5, "replaceable"],
  ["sendtoaddress", 6, "conf_target"],
  ["sendtoaddress", 7, "estimate_mode", "string"],
  ["sendtoaddress", 8, "avoid_reuse"],
  ["sendtoaddress", 9, "fee_rate"],
  ["sendtoaddress", 10, "verbose"],
  ["getreceivedbyaddress", 1, "minconf"],
  ["getreceivedbyaddress", 2, "include_immature_coinbase"],
  ["getreceivedbylabel", 0, "label", "string"],
  ["getreceivedbylabel", 1, "minconf"],
  ["getreceivedbylabel", 2, "include_immature_coinbase"],
  ["listreceivedbyaddress", 0, "minconf"],
  ["listreceivedbyaddress", 1, "include_empty"],
  ["listreceivedbyaddress", 2, "include_watchonly"],
  ["listreceivedbyaddress", 4, "include_immature_coinbase"],
  ["listreceivedbylabel", 0, "minconf"],
  ["listreceivedbylabel", 1, "include_empty"],
  ["listreceivedbylabel", 2, "include_watchonly"],
  ["listreceivedbylabel", 3, "include_immature_coinbase"],
  ["getbalance", 1, "minconf"],
  ["getbalance", 2, "include_watchonly"],
  ["getbalance", 3, "avoid_reuse"],
  ["getblockfrompeer", 1, "peer_id"],
  ["getblockhash", 0, "height"],
  ["waitforblockheight", 0, "height"],
  ["waitforblockheight", 1, "timeout"],
  ["waitforblock", 1, "timeout"],
  ["waitfornewblock", 0, "timeout"],
  ["listtransactions", 0, "label", "string"],
  ["listtransactions", 1, "count"],
  ["listtransactions", 2, "skip"],
  ["listtransactions", 3, "include_watchonly"],
  ["walletpassphrase", 0, "passphrase", "string"],
  ["walletpassphrase", 1, "timeout"],
  ["getblocktemplate", 0, "template_request"],
  ["listsinceblock", 0, "blockhash", "string"],
  ["listsinceblock", 1, "target_confirmations"],
  ["listsinceblock", 2, "include_watchonly"],
  ["listsinceblock", 3, "include_removed"],
  ["listsinceblock", 4, "include_change"],
  ["listsinceblock", 5, "label", "string"],
  ["sendmany", 0, "dummy", "string"],
  ["sendmany", 1, "amounts"],
  ["sendmany", 2, "minconf"],
  ["sendmany", 3, "comment", "string"],
  ["sendmany", 4, "subtractfeefrom"],
  ["sendmany", 5, "replaceable"],
  ["sendmany", 6, "conf_target"],
  ["sendmany", 7, "estimate_mode", "string"],
  ["sendmany", 8, "fee_rate"],
  ["sendmany", 9, "verbose"],
  ["deriveaddresses", 1, "range"],
  ["scanblocks", 1, "scanobjects"],
  ["scanblocks", 2, "start_height"],
  ["scanblocks", 3, "stop_height"],
  ["scanblocks", 5, "options"],
  ["scanblocks", 5, "filter_false_positives"],
  ["getdescriptoractivity", 0, "blockhashes"],
  ["getdescriptoractivity", 1, "scanobjects"],
  ["getdescriptoractivity", 2, "include_mempool"],
  ["scantxoutset", 1, "scanobjects"],
  ["createmultisig", 0, "nrequired"],
  ["createmultisig", 1, "keys"],
  ["listunspent", 0, "minconf"],
  ["listunspent", 1, "maxconf"],
  ["listunspent", 2, "addresses"],
  ["listunspent", 3, "include_unsafe"],
  ["listunspent", 4, "query_options"],
  ["listunspent", 4, "minimumAmount"],
  ["listunspent", 4, "maximumAmount"],
  ["listunspent", 4, "maximumCount"],
  ["listunspent", 4, "minimumSumAmount"],
  ["listunspent", 4, "include_immature_coinbase"],
  ["getblock", 1, "verbosity"],
  ["getblock", 1, "verbose"],
  ["getblockheader", 1, "verbose"],
  ["getchaintxstats", 0, "nblocks"],
  ["gettransaction", 1, "include_watchonly"],
  ["gettransaction", 2, "verbose"],
  ["getrawtransaction", 1, "verbosity"],
  ["getrawtransaction", 1, "verbose"],
  ["createrawtransaction", 0, "inputs"],
  ["createrawtransaction", 1, "outputs"],
  ["createrawtransaction", 2, "locktime"],
  ["createrawtransaction", 3, "replaceable"],
  ["createrawtransaction", 4, "version"],
  ["decoderawtransaction", 1, "iswitness"],
  ["signrawtransactionwithkey", 1, "privkeys"],
  ["signrawtransactionwithkey", 2, "prevtxs"],
  ["signrawtransactionwithwallet", 1, "prevtxs"],
  ["sendrawtransaction", 1, "maxfeerate"],
  ["sendrawtransaction", 2, "maxburnamount"],
  ["testmempoolaccept", 0, "rawtxs"],
  ["testmempoolaccept", 1, "maxfeerate"],
  ["submitpackage", 0, "package"],
  ["submitpackage", 1, "maxfeerate"],
  ["submitpackage", 2, "maxburnamount"],
  ["combinerawtransaction", 0, "txs"],
  ["fundrawtransaction", 1, "options"],
  ["fundrawtransaction", 1, "add_inputs"],
  ["fundrawtransaction", 1, "include_unsafe"],
  ["fundrawtransaction", 1, "minconf"],
  ["fundrawtransaction", 1, "maxconf"],
  ["fundrawtransaction", 1, "changePosition"],
  ["fundrawtransaction", 1, "includeWatching"],
  ["fundrawtransaction", 1, "lockUnspents"],
  ["fundrawtransaction", 1, "fee_rate"],
  ["fundrawtransaction", 1, "feeRate"],
  ["fundrawtransaction", 1, "subtractFeeFromOutputs"],
  ["fundrawtransaction", 1, "input_weights"],
  ["fundrawtransaction", 1, "conf_target"],
  ["fundrawtransaction", 1, "replaceable"],
  ["fundrawtransaction", 1, "solving_data"],
  ["fundrawtransaction", 1, "max_tx_weight"],
  ["fundrawtransaction", 2, "iswitness"],
  ["walletcreatefundedpsbt", 0, "inputs"],
  ["walletcreatefundedpsbt", 1, "outputs"],
  ["walletcreatefundedpsbt", 2, "locktime"],
  ["walletcreatefundedpsbt", 3, "options"],
  ["walletcreatefundedpsbt", 3, "add_inputs"],
  ["walletcreatefundedpsbt", 3, "include_unsafe"],
  ["walletcreatefundedpsbt", 3, "minconf"],
  ["walletcreatefundedpsbt", 3, "maxconf"],
  ["walletcreatefundedpsbt", 3, "changePosition"],
  ["walletcreatefundedpsbt", 3, "includeWatching"],
  ["walletcreatefundedpsbt", 3, "lockUnspents"],
  ["walletcreatefundedpsbt", 3, "fee_rate"],
  ["walletcreatefundedpsbt", 3, "feeRate"],
  ["walletcreatefundedpsbt", 3, "subtractFeeFromOutputs"],
  ["walletcreatefundedpsbt", 3, "conf_target"],
  ["walletcreatefundedpsbt", 3, "replaceable"],
  ["walletcreatefundedpsbt", 3, "solving_data"],
  ["walletcreatefundedpsbt", 3, "max_tx_weight"],
  ["walletcreatefundedpsbt", 4, "bip32derivs"],
  ["walletcreatefundedpsbt", 5, "version"],
  ["walletcreatefundedpsbt", 6, "psbt_version"],
  ["walletprocesspsbt", 0, "psbt", "string"],
  ["walletprocesspsbt", 1, "sign"],
  ["walletprocesspsbt", 2, "sighashtype", "string"],
  ["walletprocesspsbt", 3, "bip32derivs"],
  ["walletprocesspsbt", 4, "finalize"],
  ["descriptorprocesspsbt", 0, "psbt", "string"],
  ["descriptorprocesspsbt", 1, "descriptors"],
  ["descriptorprocesspsbt", 2, "sighashtype", "string"],
  ["descriptorprocesspsbt", 3, "bip32derivs"],
  ["descriptorprocesspsbt", 4, "finalize"],
  ["createpsbt", 0, "inputs"],
  ["createpsbt", 1, "outputs"],
  ["createpsbt", 2, "locktime"],
  ["createpsbt", 3, "replaceable"],
  ["createpsbt", 4, "version"],
  ["createpsbt", 5, "psbt_version"],
  ["combinepsbt", 0, "txs"],
  ["joinpsbts", 0, "txs"],
  ["finalizepsbt", 0, "psbt", "string"],
  ["finalizepsbt", 1, "extract"],
  ["converttopsbt", 1, "permitsigdata"],
  ["converttopsbt", 2, "iswitness"],
  ["converttopsbt", 3, "psbt_version"],
  ["gettxout", 1, "n"],
  ["gettxout", 2, "include_mempool"],
  ["gettxoutproof", 0, "txids"],
  ["gettxoutsetinfo", 1, "hash_or_height", "json_or_string"],
  ["gettxoutsetinfo", 2, "use_index"],
  ["dumptxoutset", 0, "path", "string"],
  ["dumptxoutset", 1, "type", "string"],
  ["dumptxoutset", 2, "options"],
  ["dumptxoutset", 2, "rollback", "json_or_string"],
  ["dumptxoutset", 2, "in_memory"],
  ["lockunspent", 0, "unlock"],
  ["lockunspent", 1, "transactions"],
  ["lockunspent", 2, "persistent"],
  ["send", 0, "outputs"],
  ["send", 1, "conf_target"],
  ["send", 3, "fee_rate"],
  ["send", 4, "options"],
  ["send", 4, "add_inputs"],
  ["send", 4, "include_unsafe"],
  ["send", 4, "minconf"],
  ["send", 4, "maxconf"],
  ["send", 4, "add_to_wallet"],
  ["send", 4, "change_position"],
  ["send", 4, "fee_rate"],
  ["send", 4, "include_watching"],
  ["send", 4, "inputs"],
  ["send", 4, "locktime"],
  ["send", 4, "lock_unspents"],
  ["send", 4, "psbt"],
  ["send", 4, "subtract_fee_from_outputs"],
  ["send", 4, "conf_target"],
  ["send", 4, "replaceable"],
  ["send", 4, "solving_data"],
  ["send", 4, "max_tx_weight"],
  ["send", 5, "version"],
  ["sendall", 0, "recipients"],
  ["sendall", 1, "conf_target"],
  ["sendall", 3, "fee_rate"],
  ["sendall", 4, "options"],
  ["sendall", 4, "add_to_wallet"],
  ["sendall", 4, "fee_rate"],
  ["sendall", 4, "include_watching"],
  ["sendall", 4, "inputs"],
  ["sendall", 4, "locktime"],
  ["sendall", 4, "lock_unspents"],
  ["sendall", 4, "psbt"],
  ["sendall", 4, "send_max"],
  ["sendall", 4, "minconf"],
  ["sendall", 4, "maxconf"],
  ["sendall", 4, "conf_target"],
  ["sendall", 4, "replaceable"],
  ["sendall", 4, "solving_data"],
  ["sendall", 4, "version"],
  ["simulaterawtransaction", 0, "rawtxs"],
  ["simulaterawtransaction", 1, "options"],
  ["simulaterawtransaction", 1, "include_watchonly"],
  ["importmempool", 0, "filepath", "string"],
  ["importmempool", 1, "options"],
  ["importmempool", 1, "apply_fee_delta_priority"],
  ["importmempool", 1, "use_current_time"],
  ["importmempool", 1, "apply_unbroadcast_set"],
  ["importdescriptors", 0, "requests"],
  ["listdescriptors", 0, "private"],
  ["verifychain", 0, "checklevel"],
  ["verifychain", 1, "nblocks"],
  ["getblockstats", 0, "hash_or_height", "json_or_string"],
  ["getblockstats", 1, "stats"],
  ["pruneblockchain", 0, "height"],
  ["keypoolrefill", 0, "newsize"],
  ["getrawmempool", 0, "verbose"],
  ["getrawmempool", 1, "mempool_sequence"],
  ["getorphantxs", 0, "verbosity"],
  ["estimatesmartfee", 0, "conf_target"],
  ["estimaterawfee", 0, "conf_target"],
  ["estimaterawfee", 1, "threshold"],
  ["prioritisetransaction", 1, "dummy"],
  ["prioritisetransaction", 2, "fee_delta"],
  ["setban", 2, "bantime"],
  ["setban", 3, "absolute"],
  ["setnetworkactive", 0, "state"],
  ["setwalletflag", 1, "value"],
  ["getmempoolancestors", 1, "verbose"],
  ["getmempooldescendants", 1, "verbose"],
  ["gettxspendingprevout", 0, "outputs"],
  ["gettxspendingprevout", 1, "options"],
  ["gettxspendingprevout", 1, "mempool_only"],
  ["gettxspendingprevout", 1, "return_spending_tx"],
  ["bumpfee", 1, "options"],
  ["bumpfee", 1, "conf_target"],
  ["bumpfee", 1, "fee_rate"],
  ["bumpfee", 1, "replaceable"],
  ["bumpfee", 1, "outputs"],
  ["bumpfee", 1, "original_change_index"],
  ["psbtbumpfee", 1, "options"],
  ["psbtbumpfee", 1, "conf_target"],
  ["psbtbumpfee", 1, "fee_rate"],
  ["psbtbumpfee", 1, "replaceable"],
  ["psbtbumpfee", 1, "outputs"],
  ["psbtbumpfee", 1, "original_change_index"],
  ["psbtbumpfee", 1, "psbt_version"],
  ["logging", 0, "include"],
  ["logging", 1, "exclude"],
  ["disconnectnode", 1, "nodeid"],
  ["gethdkeys", 0, "active_only"],
  ["gethdkeys", 0, "options"],
  ["gethdkeys", 0, "private"],
  ["createwalletdescriptor", 1, "options"],
  ["createwalletdescriptor", 1, "internal"],
  ["echojson", 0, "arg0"],
  ["echojson", 1, "arg1"],
  ["echojson", 2, "arg2"],
  ["echojson", 3, "arg3"],
  ["echojson", 4, "arg4"],
  ["echojson", 5, "arg5"],
  ["echojson", 6, "arg6"],
  ["echojson", 7, "arg7"],
  ["echojson", 8, "arg8"],
  ["echojson", 9, "arg9"],
  ["rescanblockchain", 0, "start_height"],
  ["rescanblockchain", 1, "stop_height"],
  ["createwallet", 0, "wallet_name", "string"],
  ["createwallet", 1, "disable_private_keys"],
  ["createwallet", 2, "blank"],
  ["createwallet", 3, "passphrase", "string"],
  ["createwallet", 4, "avoid_reuse"],
  ["createwallet", 5, "descriptors"],
  ["createwallet", 6, "load_on_startup"],
  ["createwallet", 7, "external_signer"],
  ["restorewallet", 0, "wallet_name", "string"],
  ["restorewallet", 1, "backup_file", "string"],
  ["restorewallet", 2, "load_on_startup"],
  ["loadwallet", 0, "filename", "string"],
  ["loadwallet", 1, "load_on_startup"],
  ["unloadwallet", 0, "wallet_name", "string"],
  ["unloadwallet", 1, "load_on_startup"],
  ["getnodeaddresses", 0, "count"],
  ["addpeeraddress", 1, "port"],
  ["addpeeraddress", 2, "tried"],
  ["sendmsgtopeer", 0, "peer_id"],
  ["stop", 0, "wait"],
  ["addnode", 2, "v2transport"],
  ["addconnection", 2, "v2transport"],
  ["decodepsbt", 0, "psbt", "string"],
  ["analyzepsbt", 0, "psbt", "string"],
  ["verifymessage", 1, "signature", "string"],
  ["verifymessage", 2, "message", "string"],
  ["getnewaddress", 0, "label", "string"],
  ["getnewaddress", 1, "address_type", "string"],
  ["backupwallet", 0, "destination", "string"],
  ["echoipc", 0, "arg", "string"],
  ["encryptwallet", 0, "passphrase", "string"],
  ["getaddressesbylabel", 0, "label", "string"],
  ["loadtxoutset", 0, "path", "string"],
  ["migratewallet", 0, "wallet_name", "string"],
  ["migratewallet", 1, "passphrase", "string"],
  ["migratewallet", 2, "load_wallet"],
  ["setlabel", 1, "label", "string"],
  ["signmessage", 1, "message", "string"],
  ["signmessagewithprivkey", 1, "message", "string"],
  ["walletpassphrasechange", 0, "oldpassphrase", "string"],
  ["walletpassphrasechange", 1, "newpassphrase", "string"],
];

/** Every conversion rule, in Core's order. */
export const CONVERT_PARAMS: readonly ConvertParam[] = ROWS.map(([method, index, name, format]) => ({
  method,
  index,
  name,
  format: format ?? "json",
}));

const byPosition = new Map<string, ConvertParam>();
const byName = new Map<string, ConvertParam>();
for (const p of CONVERT_PARAMS) {
  const pk = `${p.method}\u0000${p.index}`;
  if (!byPosition.has(pk)) byPosition.set(pk, p);
  const nk = `${p.method}\u0000${p.name}`;
  if (!byName.has(nk)) byName.set(nk, p);
}

/** The first rule for `method` at position `index` (Core's `rpc_convert::FromPosition`). */
export function convertRuleAt(method: string, index: number): ConvertParam | undefined {
  return byPosition.get(`${method}\u0000${index}`);
}

/** The first rule for `method` with parameter `name` (Core's `rpc_convert::FromName`). */
export function convertRuleNamed(method: string, name: string): ConvertParam | undefined {
  return byName.get(`${method}\u0000${name}`);
}

function parse(raw: string, format: ParamFormat): JsonValue {
  const v = parseJsonLossless(raw);
  if (v === undefined) {
    if (format !== "json_or_string") throw new Error(`Error parsing JSON: ${raw}`);
    return raw;
  }
  return v;
}

function parseParam(rule: ConvertParam | undefined, raw: string): JsonValue {
  return rule !== undefined && rule.format !== "string" ? parse(raw, rule.format) : raw;
}

/**
 * Converts command-line arguments to positional params (Core's `RPCConvertValues`). Throws "Error parsing
 * JSON: <arg>" for an argument that must be JSON and is not.
 */
export function convertValues(method: string, args: readonly string[]): JsonValue[] {
  const params: JsonValue[] = [];
  for (const s of args) params.push(parseParam(convertRuleAt(method, params.length), s));
  return params;
}

/**
 * Named params in order; a later `name=` replaces an earlier one in place, and positional leftovers are
 * appended as `args` (after an explicit `args=` if there is one, as Core's `pushKVEnd` does).
 */
export type NamedParams = Array<[string, JsonValue]>;

/** Converts `-named` command-line arguments (Core's `RPCConvertNamedValues`, with its `=` heuristics). */
export function convertNamedValues(method: string, args: readonly string[]): NamedParams {
  const params: NamedParams = [];
  const positional: JsonValue[] = [];
  for (const s of args) {
    const pos = s.indexOf("=");
    if (pos < 0) {
      positional.push(parseParam(convertRuleAt(method, positional.length), s));
      continue;
    }
    const name = s.slice(0, pos);
    const value = s.slice(pos + 1);
    const named = convertRuleNamed(method, name);
    if (named === undefined) {
      const rule = convertRuleAt(method, positional.length);
      if (rule !== undefined && rule.format === "json") {
        const parsed = parseJsonLossless(s);
        if (parsed !== undefined) {
          positional.push(parsed);
          continue;
        }
      } else if (rule !== undefined && rule.format === "string") {
        positional.push(s);
        continue;
      }
    }
    const v = parseParam(named, value);
    const i = params.findIndex(([k]) => k === name);
    if (i >= 0) params[i] = [name, v];
    else params.push([name, v]);
  }
  if (positional.length > 0) params.push(["args", positional]);
  return params;
}

/** JSON text of named params (keeps a duplicate `args` key, as Core sends it). */
export function namedParamsToJson(params: NamedParams): string {
  return "{" + params.map(([k, v]) => `${writeJson(k)}:${writeJson(v)}`).join(",") + "}";
}
