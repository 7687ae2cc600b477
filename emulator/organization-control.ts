import type { AccountState } from "./world/organization-schema.js";
import type { WorldInput } from "./world/world-schema.js";

/** Where a member goes: a root or OU id, or a path of OU names ("Workloads/Prod"). */
export type ParentRef = { parentId: string } | { parent: string };

export type OrganizationAccountView = {
  Id: string;
  Arn: string;
  Name: string;
  Email: string;
  State: AccountState;
  Status: string;
  ParentId: string;
  Path: string;
};

export type OrganizationView = {
  Id: string;
  ManagementAccountId: string;
  RootId: string;
  OrganizationalUnits: { Id: string; Name: string; ParentId: string }[];
  Accounts: OrganizationAccountView[];
  TrustedServices: string[];
  DelegatedAdministrators: { AccountId: string; ServicePrincipals: string[] }[];
};

async function call<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}/_emulator/organization${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
      : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text}`);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/**
 * Changes an emulator's organization during a test, through its control routes (so it works on
 * an emulator in another process too). Automatic deployments of StackSets follow at once.
 */
export const organizationControl = {
  tree: (url: string) => call<OrganizationView>(url, "GET", ""),

  /** A new account with its own IAM (a world file's account fields) joins, or a standalone one. */
  join: (
    url: string,
    account: WorldInput["accounts"][number] & {
      email?: string;
      state?: AccountState;
      joinedMethod?: "INVITED" | "CREATED";
    } & (ParentRef | object),
  ) => call<OrganizationAccountView>(url, "POST", "/accounts", account),

  move: (url: string, accountId: string, to: ParentRef) =>
    call<OrganizationAccountView>(url, "POST", `/accounts/${accountId}/move`, to),

  /** SUSPENDED, PENDING_CLOSURE, CLOSED or ACTIVE again. */
  setState: (url: string, accountId: string, state: AccountState) =>
    call<OrganizationAccountView>(url, "POST", `/accounts/${accountId}/state`, { state }),

  /** The account leaves the organization and stays in the world as a standalone account. */
  leave: (url: string, accountId: string) =>
    call<undefined>(url, "DELETE", `/accounts/${accountId}`),

  createUnit: (url: string, name: string, under: ParentRef | object = {}) =>
    call<{ Id: string; Name: string; ParentId: string; Arn: string }>(url, "POST", "/units", {
      name,
      ...under,
    }),
};
