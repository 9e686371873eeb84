/**
 * What a process is actually allowed to do, asked of Deno itself rather than assumed.
 *
 * @module
 */
import type { Grant, PermissionProfile } from "./profile.ts";

const NAMES = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;

/**
 * The effective permissions of this process (or Worker): `true` where Deno grants the whole permission, else the
 * entries of `profile` that Deno confirms as granted, else `false`.
 */
export function effectivePermissions(profile?: PermissionProfile): PermissionProfile {
  const out = {} as Record<typeof NAMES[number], Grant>;
  for (const name of NAMES) {
    if (Deno.permissions.querySync({ name }).state === "granted") {
      out[name] = true;
      continue;
    }
    const listed = profile?.[name];
    if (!listed || listed === true) {
      out[name] = false;
      continue;
    }
    const granted = listed.filter((item) =>
      Deno.permissions.querySync(descriptor(name, item)).state === "granted"
    );
    out[name] = granted.length > 0 ? granted : false;
  }
  return out;
}

function descriptor(name: typeof NAMES[number], item: string): Deno.PermissionDescriptor {
  switch (name) {
    case "read":
    case "write":
      return { name, path: item };
    case "net":
      return { name, host: item };
    case "env":
      return { name, variable: item };
    case "run":
    case "ffi":
      return name === "run" ? { name, command: item } : { name, path: item };
    case "sys":
      return { name, kind: item as Deno.SysPermissionDescriptor["kind"] };
  }
}
