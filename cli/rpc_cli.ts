/**
 * `tsbtc rpc`: the bitcoin-cli-compatible command (see `rpc/client.ts`). Connects over HTTP; `-ipcconnect` is
 * wired by the caller through `runCli`'s transport.
 *
 * @module
 */
import { type CliTransport, runCli } from "../rpc/client.ts";
import type { ArgsLike } from "../rpc/server.ts";

/**
 * Runs `tsbtc rpc [options] <command> [params]` with parsed arguments (`args.positional` = command and
 * params) and returns the exit status: 0, |RPC error code| (as bitcoin-cli), or 1.
 */
export async function rpcCliMain(args: ArgsLike, transport?: CliTransport): Promise<number> {
  return await runCli(args, { transport });
}
