import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { allPages, api, pageQuery, unwrap, type Body, type Ok, type paths } from "./client";

export type User = Ok<"/api/v1/users", "get">["items"][number];
export type NewUser = Body<"/api/v1/users", "post">;
export type UserChange = Body<"/api/v1/users/{name}", "patch">;
export type Team = Ok<"/api/v1/teams", "get">["items"][number];
export type Token = Ok<"/api/v1/tokens", "get">["items"][number];
export type NewToken = Body<"/api/v1/tokens", "post">;
export type OutboundSettings = Ok<"/api/v1/settings/outbound", "get">;
export type OidcIssuer = Ok<"/api/v1/oidc", "get">;
export type AuditQuery = NonNullable<paths["/api/v1/audit"]["get"]["parameters"]["query"]>;
export type AuditEvent = Ok<"/api/v1/audit", "get">["items"][number];

export const usersKey = ["users"] as const;
export const teamsKey = ["teams"] as const;
export const tokensKey = ["tokens"] as const;
export const outboundKey = ["settings", "outbound"] as const;
export const oidcKey = ["oidc"] as const;

/** Every user of the org (teams, projects and grants pick from it). */
export const usersQuery = queryOptions({
  queryKey: usersKey,
  queryFn: () =>
    allPages((cursor) =>
      unwrap(api.GET("/api/v1/users", { params: { query: pageQuery(cursor) } })),
    ),
});

/** Every team of the org (projects and grants pick from it). */
export const teamsQuery = queryOptions({
  queryKey: teamsKey,
  queryFn: () =>
    allPages((cursor) =>
      unwrap(api.GET("/api/v1/teams", { params: { query: pageQuery(cursor) } })),
    ),
});

/** One team with its members. */
export function teamQuery(name: string) {
  return queryOptions({
    queryKey: [...teamsKey, name] as const,
    queryFn: () => unwrap(api.GET("/api/v1/teams/{name}", { params: { path: { name } } })),
  });
}

/** The caller's API tokens, or every user's (all: true, admins only). */
export function tokensQuery(all: boolean) {
  return queryOptions({
    queryKey: [...tokensKey, all] as const,
    queryFn: () =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/tokens", {
            params: { query: { ...pageQuery(cursor), all: all ? "true" : "false" } },
          }),
        ),
      ),
  });
}

/** The audit log, newest first, a page at a time (the filters are the API's query). */
export function auditQuery(query: AuditQuery) {
  return infiniteQueryOptions({
    queryKey: ["audit", query] as const,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/audit", {
          params: { query: { ...query, ...(pageParam === null ? {} : { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The org's outbound allow-list (org admins only). */
export const outboundQuery = queryOptions({
  queryKey: outboundKey,
  queryFn: () => unwrap(api.GET("/api/v1/settings/outbound")),
});

/** The org's OIDC issuer and audience. */
export const oidcQuery = queryOptions({
  queryKey: oidcKey,
  queryFn: () => unwrap(api.GET("/api/v1/oidc")),
  staleTime: 60_000,
});

/** Replaces the outbound allow-list. */
export function useSaveOutboundAllowList() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (allow: string[]) =>
      unwrap(api.PUT("/api/v1/settings/outbound", { body: { allow } })),
    onSuccess: (saved) => queryClient.setQueryData(outboundKey, saved),
  });
}

/**
 * Adds one entry to the allow-list as it is now (read fresh, so an entry another admin just
 * added is kept): what a form offers when the list refused a host.
 */
export function useAllowOutbound() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (entry: string) => {
      const current = await queryClient.fetchQuery({ ...outboundQuery, staleTime: 0 });
      const allow = current.allow.includes(entry) ? current.allow : [...current.allow, entry];
      return unwrap(api.PUT("/api/v1/settings/outbound", { body: { allow } }));
    },
    onSuccess: (saved) => queryClient.setQueryData(outboundKey, saved),
  });
}

export function useRotateOidcKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/oidc/rotate")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: oidcKey }),
  });
}

/** Adds a user; without a password the answer carries a one-time setup link. */
export function useAddUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewUser) => unwrap(api.POST("/api/v1/users", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useEditUser(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UserChange) =>
      unwrap(api.PATCH("/api/v1/users/{name}", { params: { path: { name } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useRemoveUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE("/api/v1/users/{name}", { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useCreateTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; members: string[] }) =>
      unwrap(api.POST("/api/v1/teams", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

/** Adds a user to a team (member: true) or removes one. */
export function useSetTeamMember(team: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ user, member }: { user: string; member: boolean }) => {
      const params = { params: { path: { name: team, user } } };
      return unwrap(
        member
          ? api.PUT("/api/v1/teams/{name}/members/{user}", params)
          : api.DELETE("/api/v1/teams/{name}/members/{user}", params),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useDeleteTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE("/api/v1/teams/{name}", { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

/** Creates an API token; the answer carries its secret, which the API never shows again. */
export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewToken) => unwrap(api.POST("/api/v1/tokens", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/tokens/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}
