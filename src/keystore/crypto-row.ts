import { SwitchboardError } from "../errors.js";
import { dataKeyAad, newDataKey, open, seal, valueAad } from "./envelope.js";
import type { MasterKeyring } from "./master-keyring.js";
import type { SecretTable } from "./secret.table.js";

type Sealed = Pick<SecretTable, "ciphertext" | "wrapped_key" | "master_key_id">;

/** Encrypts a value for one row: a fresh data key, wrapped by the current master key. */
export function sealValue(
  keyring: MasterKeyring,
  row: { orgId: string; id: string; path: string },
  value: string,
): Sealed {
  const dataKey = newDataKey();
  try {
    return {
      ciphertext: seal(dataKey, Buffer.from(value, "utf8"), valueAad(row)),
      wrapped_key: seal(keyring.current.key, dataKey, dataKeyAad(row.id)),
      master_key_id: keyring.current.id,
    };
  } finally {
    dataKey.fill(0);
  }
}

function unreadable(path: string, why: string, cause?: unknown): SwitchboardError {
  return new SwitchboardError("SECRET_UNREADABLE", `secret ${path} cannot be decrypted: ${why}`, {
    cause,
  });
}

export function unwrapDataKey(
  keyring: MasterKeyring,
  row: Pick<SecretTable, "id" | "path" | "wrapped_key" | "master_key_id">,
): Buffer {
  const master = keyring.byId.get(row.master_key_id);
  if (master === undefined) {
    throw unreadable(
      row.path,
      `it is wrapped by master key ${row.master_key_id}, which this server does not have`,
    );
  }
  try {
    return open(master.key, row.wrapped_key, dataKeyAad(row.id));
  } catch (error) {
    throw unreadable(
      row.path,
      "its data key does not belong to this row or the master key is wrong",
      error,
    );
  }
}

/** Decrypts a row's value; a ciphertext copied from another row fails here. */
export function openValue(
  keyring: MasterKeyring,
  row: Pick<SecretTable, "id" | "org_id" | "path" | "ciphertext" | "wrapped_key" | "master_key_id">,
): string {
  const dataKey = unwrapDataKey(keyring, row);
  try {
    return open(
      dataKey,
      row.ciphertext,
      valueAad({ orgId: row.org_id, id: row.id, path: row.path }),
    ).toString("utf8");
  } catch (error) {
    throw unreadable(row.path, "its ciphertext does not belong to this row", error);
  } finally {
    dataKey.fill(0);
  }
}
