import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Body, type Ok } from "./client";

export type Organization = Ok<"/api/v1/organizations", "get">["items"][number];
export type OrganizationTree = Ok<"/api/v1/organizations/{name}", "get">;
export type OrganizationAccount = OrganizationTree["accounts"][number];
export type OrganizationOu = OrganizationTree["ous"][number];
export type MemberTemplate = Ok<"/api/v1/organizations/{name}/template", "get">;
export type CreateOrganizationBody = Body<"/api/v1/organizations", "post">;
export type OnboardingBody = Body<"/api/v1/organizations/{name}/onboarding", "post">;
export type OnboardingResult = Ok<"/api/v1/organizations/{name}/onboarding", "post">;

export const organizationsKey = ["organizations"] as const;
const organizationKey = (name: string) => ["organizations", "one", name] as const;

export const organizationsQuery = queryOptions({
  queryKey: organizationsKey,
  queryFn: async () => (await unwrap(api.GET("/api/v1/organizations"))).items,
});

/** The tree; refreshed every 2 s while a deployment or a reconcile runs. */
export function organizationQuery(name: string) {
  return queryOptions({
    queryKey: organizationKey(name),
    queryFn: () => unwrap(api.GET("/api/v1/organizations/{name}", { params: { path: { name } } })),
    refetchInterval: (query) => {
      const o = query.state.data?.organization;
      return o?.deployment?.status === "RUNNING" || o?.lastSync?.status === "running"
        ? 2000
        : false;
    },
  });
}

export function templateQuery(name: string) {
  return queryOptions({
    queryKey: ["organizations", "template", name] as const,
    queryFn: () =>
      unwrap(api.GET("/api/v1/organizations/{name}/template", { params: { path: { name } } })),
  });
}

export function useCreateOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateOrganizationBody) =>
      unwrap(api.POST("/api/v1/organizations", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: organizationsKey }),
  });
}

export function useOnboard(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OnboardingBody) =>
      unwrap(
        api.POST("/api/v1/organizations/{name}/onboarding", {
          params: { path: { name } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: organizationsKey }),
  });
}

export function useDeploy(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (region: string) =>
      unwrap(
        api.POST("/api/v1/organizations/{name}/deploy", {
          params: { path: { name } },
          body: { region },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: organizationsKey }),
  });
}

export function useSync(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/organizations/{name}/sync", { params: { path: { name } } })),
    onSuccess: async () => {
      // The reconcile marks itself running as soon as a worker takes it: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await client.invalidateQueries({ queryKey: organizationsKey });
    },
  });
}
