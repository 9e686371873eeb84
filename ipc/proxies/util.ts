/**
 * Helpers shared by the typed proxies.
 *
 * @module
 */
import type * as $ from "capnp-es";
import type { Capability, Response } from "../capability.ts";
import { IpcError } from "../rpc/error.ts";
import type { ClientThread } from "./thread.ts";

/**
 * Closes a proxy the way Core's clients do: calls `destroy` (via `destroy(thread)`), then drops the
 * capability and the thread reference. A peer that has gone away is not an error; another failure of
 * `destroy` is thrown after everything was released.
 */
export async function closeRemote(
  cap: Capability,
  thread: ClientThread | null,
  destroy: (thread: ClientThread | null) => Promise<Response<$.Struct>>,
): Promise<void> {
  try {
    const resp = await destroy(thread);
    resp.release();
  } catch (e) {
    if (
      !(e instanceof IpcError && (e.type === "disconnected" || e.message === "Capability used after close()"))
    ) {
      throw e;
    }
  } finally {
    cap.close();
    thread?.close();
  }
}
