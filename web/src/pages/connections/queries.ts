import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Ok } from "../../api/client";

export type Connection = Ok<"/api/v1/connections", "get">["items"][number];
export type ConnectionTest = NonNullable<Connection["lastTest"]>;
export type Method = Connection["method"];
export type Access = Connection["access"];
export type Grant = Ok<"/api/v1/connections/{name}/grants", "get">["items"][number];
export type GrantRole = Grant["role"];
export type AccessRequest = Ok<"/api/v1/access-requests", "get">["items"][number];
export type SetupDocuments = Ok<"/api/v1/connections/setup-documents", "post">;
export type TrustPolicy = Ok<"/api/v1/connections/{name}/trust-policy", "get">;

export const connectionsKey = ["connections"] as const;
export const connectionKey = (name: string) => ["connections", "one", name] as const;
export const grantsKey = (name: string) => ["connections", "grants", name] as const;
// Not under "access-requests": the shell keeps its badge count there, in another shape.
export const accessRequestsKey = ["connections", "access-requests"] as const;

export function useConnections() {
  return useQuery({
    queryKey: connectionsKey,
    queryFn: async () => (await unwrap(api.GET("/api/v1/connections"))).items,
  });
}

export function useConnection(name: string) {
  return useQuery({
    queryKey: connectionKey(name),
    queryFn: () => unwrap(api.GET("/api/v1/connections/{name}", { params: { path: { name } } })),
  });
}

export function useGrants(name: string, enabled = true) {
  return useQuery({
    queryKey: grantsKey(name),
    queryFn: async () =>
      (await unwrap(api.GET("/api/v1/connections/{name}/grants", { params: { path: { name } } })))
        .items,
    enabled,
  });
}

/** Every page of a cursor-paged list (users, teams, secrets): pickers need them all. */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const result = await page(cursor);
    items.push(...result.items);
    if (result.nextCursor === null) break;
    cursor = result.nextCursor;
  }
  return items;
}

const cursorQuery = (cursor: string | undefined) => ({
  limit: 500,
  ...(cursor === undefined ? {} : { cursor }),
});

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ["users", "all"],
    queryFn: () =>
      allPages((cursor) =>
        unwrap(api.GET("/api/v1/users", { params: { query: cursorQuery(cursor) } })),
      ),
    enabled,
  });
}

export function useTeams(enabled = true) {
  return useQuery({
    queryKey: ["teams", "all"],
    queryFn: () =>
      allPages((cursor) =>
        unwrap(api.GET("/api/v1/teams", { params: { query: cursorQuery(cursor) } })),
      ),
    enabled,
  });
}

/** Key-store paths (metadata only: values never leave the server) to pick a secret from. */
export function useSecretPaths(enabled = true) {
  return useQuery({
    queryKey: ["secrets", "paths"],
    queryFn: async () =>
      (
        await allPages((cursor) =>
          unwrap(api.GET("/api/v1/secrets", { params: { query: cursorQuery(cursor) } })),
        )
      ).map((s) => s.path),
    enabled,
  });
}

export function useProjects(enabled = true) {
  return useQuery({
    queryKey: ["projects", "all"],
    queryFn: async () => (await unwrap(api.GET("/api/v1/projects"))).items,
    enabled,
  });
}

export function useAccessRequests(status: "pending" | undefined) {
  return useQuery({
    queryKey: [...accessRequestsKey, status ?? "all"],
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/v1/access-requests", {
            params: { query: status === undefined ? {} : { status } },
          }),
        )
      ).items,
  });
}

/** The org's OIDC issuer and audience, for web_identity setup. */
export function useOidc(enabled = true) {
  return useQuery({
    queryKey: ["oidc"],
    queryFn: () => unwrap(api.GET("/api/v1/oidc")),
    enabled,
    staleTime: 60_000,
  });
}
