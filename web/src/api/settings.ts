import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { allPages, api, pageQuery, unwrap, type Ok } from "./client";

export type User = Ok<"/api/v1/users", "get">["items"][number];
export type Team = Ok<"/api/v1/teams", "get">["items"][number];
export type OutboundSettings = Ok<"/api/v1/settings/outbound", "get">;

export const usersKey = ["users"] as const;
export const teamsKey = ["teams"] as const;
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
