import { SwitchboardError } from "../errors.js";
import { open, seal } from "./envelope.js";
import type { MasterKeyring } from "./master-keyring.js";

const PREFIX = "sealed:v1:";

/**
 * What a sealed record belongs to: its ciphertext moved to another record does not open. Runs
 * seal their unredacted input so a worker can resume them after a crash without the database
 * holding the input in clear.
 */
export interface SealScope {
  orgId: string;
  /** The kind and id of the record, e.g. "run:<id>" or "run:<id>/step:2". */
  record: string;
}

function aad(scope: SealScope): string {
  return JSON.stringify(["switchboard sealed record v1", scope.orgId, scope.record]);
}

/** Encrypts a JSON value with the current master key. */
export function sealRecord(keyring: MasterKeyring, scope: SealScope, value: unknown): string {
  const box = seal(
    keyring.current.key,
    Buffer.from(JSON.stringify(value) ?? "null", "utf8"),
    aad(scope),
  );
  return `${PREFIX}${keyring.current.id}:${box}`;
}

/** Decrypts a sealed record; a record sealed for another scope or key fails with SECRET_UNREADABLE. */
export function openRecord(keyring: MasterKeyring, scope: SealScope, sealed: string): unknown {
  const rest = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length) : undefined;
  const colon = rest?.indexOf(":") ?? -1;
  const keyId = rest?.slice(0, colon);
  const master = keyId === undefined ? undefined : keyring.byId.get(keyId);
  if (rest === undefined || colon < 0 || master === undefined) {
    throw new SwitchboardError(
      "SECRET_UNREADABLE",
      `the sealed input of ${scope.record} cannot be decrypted: it was sealed with master key ${keyId ?? "(none)"}, which this server does not have`,
    );
  }
  try {
    return JSON.parse(open(master.key, rest.slice(colon + 1), aad(scope)).toString("utf8"));
  } catch (cause) {
    throw new SwitchboardError(
      "SECRET_UNREADABLE",
      `the sealed input of ${scope.record} cannot be decrypted: it does not belong to it`,
      { cause },
    );
  }
}
