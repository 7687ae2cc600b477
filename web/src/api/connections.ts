import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { pendingRequestsKey } from "../app/Shell";
import { allPages, api, pageQuery, unwrap, type Body, type Ok } from "./client";
import { isWebhookSecretPath } from "./keystore";

export type Connection = Ok<"/api/v1/connections", "get">["items"][number];
export type ConnectionTest = NonNullable<Connection["lastTest"]>;
export type TestError = NonNullable<ConnectionTest["error"]>;
export type Method = Connection["method"];
export type Access = Connection["access"];
export type Grant = Ok<"/api/v1/connections/{name}/grants", "get">["items"][number];
export type GrantRole = Grant["role"];
export type AccessRequest = Ok<"/api/v1/access-requests", "get">["items"][number];
export type SetupDocuments = Ok<"/api/v1/connections/setup-documents", "post">;
export type TrustPolicy = Ok<"/api/v1/connections/{name}/trust-policy", "get">;
export type CreateBody = Body<"/api/v1/connections", "post">;
export type UpdateBody = Body<"/api/v1/connections/{name}", "patch">;

export const connectionsKey = ["connections"] as const;
export const connectionKey = (name: string) => ["connections", "one", name] as const;
export const grantsKey = (name: string) => ["connections", "grants", name] as const;
// Not under "access-requests": the shell keeps its badge count there, in another shape.
export const accessRequestsKey = ["connections", "access-requests"] as const;

export const connectionsQuery = queryOptions({
  queryKey: connectionsKey,
  queryFn: async () => (await unwrap(api.GET("/api/v1/connections"))).items,
});

export function connectionQuery(name: string) {
  return queryOptions({
    queryKey: connectionKey(name),
    queryFn: () => unwrap(api.GET("/api/v1/connections/{name}", { params: { path: { name } } })),
  });
}

export function grantsQuery(name: string) {
  return queryOptions({
    queryKey: grantsKey(name),
    queryFn: async () =>
      (await unwrap(api.GET("/api/v1/connections/{name}/grants", { params: { path: { name } } })))
        .items,
  });
}

/** A saved connection's trust policy and CloudFormation template. */
export function savedDocumentsQuery(c: Connection) {
  const name = c.name;
  return queryOptions({
    queryKey: ["connections", "documents", name, c.updatedAt, c.externalId ?? null] as const,
    queryFn: async () => {
      const path = { params: { path: { name } } };
      const [trustPolicy, cloudFormation] = await Promise.all([
        unwrap(api.GET("/api/v1/connections/{name}/trust-policy", path)),
        unwrap(api.GET("/api/v1/connections/{name}/setup", path)),
      ]);
      return { trustPolicy, cloudFormation };
    },
  });
}

/** The trust policy and template of a connection not yet saved (or of an edit, with replacing). */
export function draftDocumentsQuery(body: CreateBody, replacing: string | undefined) {
  return queryOptions({
    queryKey: ["connections", "draft-documents", replacing ?? null, body] as const,
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/connections/setup-documents", {
          body,
          params: { query: replacing === undefined ? {} : { replacing } },
        }),
      ),
  });
}

export function accessRequestsQuery(status: "pending" | undefined) {
  return queryOptions({
    queryKey: [...accessRequestsKey, status ?? "all"] as const,
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

/**
 * Key-store paths (metadata only: values never leave the server) to pick an access key's secret
 * from: every secret but the workflows' webhook secrets.
 */
export const secretPathsQuery = queryOptions({
  queryKey: ["secrets", "paths"],
  queryFn: async () =>
    (
      await allPages((cursor) =>
        unwrap(api.GET("/api/v1/secrets", { params: { query: pageQuery(cursor) } })),
      )
    )
      .map((s) => s.path)
      .filter((path) => !isWebhookSecretPath(path)),
});

/** The list, a connection's page and its grants after a change to it. */
function useRefreshConnection() {
  const queryClient = useQueryClient();
  return (name: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: connectionKey(name) }),
      queryClient.invalidateQueries({ queryKey: grantsKey(name) }),
      queryClient.invalidateQueries({ queryKey: connectionsKey, exact: true }),
    ]);
}

/** Tests what a form holds, before it is saved (replacing: the saved connection it edits). */
export function useTestDraft(replacing: string | undefined) {
  return useMutation({
    mutationFn: (body: CreateBody) =>
      unwrap(
        api.POST("/api/v1/connections/test", {
          body,
          params: { query: replacing === undefined ? {} : { replacing } },
        }),
      ),
  });
}

/**
 * Saves a new connection (body) or changes a saved one (original), then records its health with
 * a test, as the list and fan-outs read it. Resolves to the saved name.
 */
export function useSaveConnection(original: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (
      change: { create: CreateBody } | { update: UpdateBody },
    ): Promise<string> => {
      const saved =
        "create" in change
          ? await unwrap(api.POST("/api/v1/connections", { body: change.create }))
          : await unwrap(
              api.PATCH("/api/v1/connections/{name}", {
                params: { path: { name: original ?? "" } },
                body: change.update,
              }),
            );
      await unwrap(
        api.POST("/api/v1/connections/{name}/test", { params: { path: { name: saved.name } } }),
      ).catch(() => undefined);
      return saved.name;
    },
    onSuccess: async (name) => {
      // Removed, not refreshed: the form on screen is keyed by the saved connection's version.
      queryClient.removeQueries({ queryKey: connectionKey(original ?? name) });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: grantsKey(name) }),
        queryClient.invalidateQueries({ queryKey: connectionsKey, exact: true }),
      ]);
    },
  });
}

/** Tests a saved connection and records the outcome as its health. */
export function useTestConnection(name: string) {
  const refresh = useRefreshConnection();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/connections/{name}/test", { params: { path: { name } } })),
    onSuccess: () => refresh(name),
  });
}

export function useSetGrants(name: string) {
  const refresh = useRefreshConnection();
  return useMutation({
    mutationFn: (grants: Grant[]) =>
      unwrap(
        api.PUT("/api/v1/connections/{name}/grants", {
          params: { path: { name } },
          body: grants,
        }),
      ),
    onSuccess: () => refresh(name),
  });
}

export function useRemoveConnection(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/connections/{name}", { params: { path: { name } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: connectionKey(name) });
      // The list is not on screen then, so a plain invalidation would not refetch it: the list
      // page would first show the removed connection from the cache.
      return queryClient.invalidateQueries({
        queryKey: connectionsKey,
        exact: true,
        refetchType: "all",
      });
    },
  });
}

export function useRotateExternalId(name: string) {
  const refresh = useRefreshConnection();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/connections/{name}/external-id/rotate", { params: { path: { name } } }),
      ),
    onSuccess: () => refresh(name),
  });
}

export function useRequestEditAccess(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST("/api/v1/connections/{name}/access-requests", {
          params: { path: { name } },
          body: { reason },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: accessRequestsKey }),
        queryClient.invalidateQueries({ queryKey: pendingRequestsKey }),
      ]),
  });
}

export function useDecideAccessRequest() {
  const queryClient = useQueryClient();
  const refresh = useRefreshConnection();
  return useMutation({
    mutationFn: ({ request, verb }: { request: AccessRequest; verb: "grant" | "decline" }) => {
      const path = { params: { path: { id: request.id } } };
      return unwrap(
        verb === "grant"
          ? api.POST("/api/v1/access-requests/{id}/grant", path)
          : api.POST("/api/v1/access-requests/{id}/decline", path),
      );
    },
    onSuccess: (_, { request }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: accessRequestsKey }),
        queryClient.invalidateQueries({ queryKey: pendingRequestsKey }),
        refresh(request.connection),
      ]),
  });
}
