import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { allPages, api, pageQuery, unwrap, type Body, type Ok } from "./client";

export type Secret = Ok<"/api/v1/secrets", "get">["items"][number];
export type Project = Ok<"/api/v1/projects", "get">["items"][number];
export type SecretBody = Body<"/api/v1/secrets", "post">;
export type ProjectChange = Body<"/api/v1/projects/{name}", "patch">;

/**
 * Where the server keeps each workflow's webhook signing secret (src/workflows/workflows.ts,
 * named by the workflow's id): made and rotated by the workflow, never an AWS secret key.
 */
export const isWebhookSecretPath = (path: string) =>
  /^keys\/system\/workflows\/[^/]+\/webhook$/.test(path);

/**
 * Secrets the server keeps for itself (src/keystore/secrets.ts MANAGED_SECRETS): a workflow's
 * webhook secret and the OIDC issuer's signing keys, which the secrets API neither replaces nor
 * deletes (409 MANAGED_SECRET).
 */
export const isManagedSecretPath = (path: string) =>
  path.startsWith("keys/system/workflows/") || path.startsWith("keys/system/oidc/");

export const secretsKey = ["secrets"] as const;
export const projectsKey = ["projects"] as const;

/** Every secret's metadata (values never leave the server). */
export const secretsQuery = queryOptions({
  queryKey: secretsKey,
  queryFn: () =>
    allPages((cursor) =>
      unwrap(api.GET("/api/v1/secrets", { params: { query: pageQuery(cursor) } })),
    ),
});

/** The projects the user can see (all of them for admins). */
export const projectsQuery = queryOptions({
  queryKey: projectsKey,
  queryFn: async () => (await unwrap(api.GET("/api/v1/projects"))).items,
});

/** The path segments as the URL of DELETE /secrets/<path> (each segment escaped, "/" kept). */
function secretUrlPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Stores a secret (replace: true to replace one); the value is sent once and never read back. */
export function useStoreSecret() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SecretBody) => unwrap(api.POST("/api/v1/secrets", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: secretsKey }),
  });
}

export function useDeleteSecret() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (path: string) =>
      unwrap(
        api.DELETE("/api/v1/secrets/{*}", {
          params: { path: { "*": path } },
          // openapi-fetch reads "{*}" as an exploded parameter with no name; the path's
          // slashes must stay slashes for the server's wildcard route.
          pathSerializer: (pathname) => pathname.replace("{*}", secretUrlPath(path)),
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: secretsKey }),
  });
}

/** Creates a project (original null), or renames one and replaces its members. */
export function useSaveProject(original: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (project: { name: string; members: string[] }) =>
      original === null
        ? unwrap(api.POST("/api/v1/projects", { body: project }))
        : unwrap(
            api.PATCH("/api/v1/projects/{name}", {
              params: { path: { name: original } },
              body: {
                ...(project.name === original ? {} : { name: project.name }),
                members: project.members,
              },
            }),
          ),
    // Renaming moves the project's secrets to the new paths.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: projectsKey }),
        queryClient.invalidateQueries({ queryKey: secretsKey }),
      ]),
  });
}

export function useDeleteProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE("/api/v1/projects/{name}", { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: projectsKey }),
  });
}
