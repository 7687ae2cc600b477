import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Ok } from "./client";
import { runsKey } from "./runs";

export type WorkflowItem = Ok<"/api/v1/workflows", "get">["items"][number];
export type WorkflowDetail = Ok<"/api/v1/workflows/{name}", "get">;
export type WorkflowSaved = Ok<"/api/v1/workflows", "post">;
export type WorkflowVersion = Ok<"/api/v1/workflows/{name}/versions/{version}", "get">;
export type Validation = Ok<"/api/v1/workflows/validate", "post">;
export type DefinitionError = Validation["errors"][number];
export type Preflight = Ok<"/api/v1/workflows/{name}/preflight", "post">;
export type Schedule = WorkflowItem["schedules"][number];

export const workflowsKey = ["workflows"] as const;
export const workflowKey = (name: string) => ["workflows", "one", name] as const;

export const workflowsQuery = queryOptions({
  queryKey: workflowsKey,
  queryFn: async () => (await unwrap(api.GET("/api/v1/workflows"))).items,
});

export function workflowQuery(name: string) {
  return queryOptions({
    queryKey: workflowKey(name),
    queryFn: () => unwrap(api.GET("/api/v1/workflows/{name}", { params: { path: { name } } })),
  });
}

export function workflowVersionQuery(name: string, version: number) {
  return queryOptions({
    queryKey: ["workflows", "version", name, version] as const,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workflows/{name}/versions/{version}", {
          params: { path: { name, version } },
        }),
      ),
    staleTime: Infinity,
  });
}

// The definition travels as written (YAML, or JSON, which is YAML too): its lines and columns
// are the ones the server's errors point at.
const asYaml = {
  bodySerializer: (body: unknown) => body as string,
  headers: { "content-type": "application/yaml" },
} as const;

/**
 * The same checks as a save, nothing stored: what the editor shows as you type. An invalid
 * definition is the API's 400 DEFINITION_INVALID, whose details are the errors.
 */
export async function validateWorkflow(source: string, signal?: AbortSignal): Promise<Validation> {
  const { data, error, response } = await api.POST("/api/v1/workflows/validate", {
    body: source as never,
    ...asYaml,
    ...(signal === undefined ? {} : { signal }),
  });
  const refused = error as { error?: { code?: string; details?: DefinitionError[] } } | undefined;
  if (response.status === 400 && refused?.error?.code === "DEFINITION_INVALID") {
    return { valid: false, errors: refused.error.details ?? [] };
  }
  if (!response.ok || data === undefined) return unwrap(Promise.resolve({ data, error, response }));
  return data;
}

export function useSaveWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (source: string) =>
      unwrap(api.POST("/api/v1/workflows", { body: source as never, ...asYaml })),
    onSuccess: (saved) => {
      queryClient.setQueryData(workflowKey(saved.name), saved);
      return queryClient.invalidateQueries({ queryKey: workflowsKey });
    },
  });
}

export function useRestoreVersion(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (version: number) =>
      unwrap(
        api.POST("/api/v1/workflows/{name}/versions/{version}/restore", {
          params: { path: { name, version } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: workflowsKey }),
  });
}

export function useDeleteWorkflow(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/workflows/{name}", { params: { path: { name } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: workflowKey(name) });
      return queryClient.invalidateQueries({ queryKey: workflowsKey });
    },
  });
}

export function useRotateWebhook(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/workflows/{name}/webhook/rotate", { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: workflowKey(name) }),
  });
}

export function usePreflight(name: string) {
  return useMutation({
    mutationFn: (inputs: Record<string, unknown>) =>
      unwrap(
        api.POST("/api/v1/workflows/{name}/preflight", {
          params: { path: { name } },
          body: { inputs },
        }),
      ),
  });
}

export function useStartRun(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (inputs: Record<string, unknown>) =>
      unwrap(
        api.POST("/api/v1/workflows/{name}/runs", {
          params: { path: { name } },
          body: { inputs },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: runsKey }),
        queryClient.invalidateQueries({ queryKey: workflowsKey }),
      ]),
  });
}
