import { Button, Grid, Group, Paper, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { connectionsQuery } from "../../api/connections";
import { projectsQuery, secretsQuery, type Project, type Secret } from "../../api/keystore";
import { useAuth } from "../../app/auth";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { DeleteProjectModal } from "./DeleteProjectModal";
import { DeleteSecretModal } from "./DeleteSecretModal";
import { FolderDetails } from "./FolderDetails";
import { KeystoreEmpty } from "./KeystoreEmpty";
import { NothingSelected } from "./NothingSelected";
import { ProjectModal } from "./ProjectModal";
import { SecretDetails } from "./SecretDetails";
import { AddSecretModal, ReplaceSecretModal } from "./SecretForms";
import { SecretTree } from "./SecretTree";
import { defaultTarget, kindOf, projectPrefix, type Target } from "./secret-tree";

/** ?path= selects a tree node, ?add / ?replace open the dialogs; each change is a history entry. */
function useKeystoreParams() {
  const [params, setParams] = useSearchParams();
  const setParam = (changes: Record<string, string | null>, replace = false) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace },
    );
  return {
    selected: params.get("path"),
    adding: params.get("add") !== null,
    replacing: params.get("replace"),
    setParam,
  };
}

/** /keystore — the tree of secret paths; ?path= selects one, ?add / ?replace open the dialogs. */
export function KeystorePage() {
  const { isAdmin } = useAuth();
  const { selected, adding, replacing, setParam } = useKeystoreParams();
  const secrets = useQuery(secretsQuery);
  const projects = useQuery(projectsQuery);
  const connections = useQuery(connectionsQuery);
  const [addTarget, setAddTarget] = useState<Target | null>(null);
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const [projectDialog, setProjectDialog] = useState<Project | "new" | null>(null);
  const [deletingProject, setDeletingProject] = useState<Project | null>(null);

  const projectNames = useMemo(() => (projects.data ?? []).map((p) => p.name), [projects.data]);
  const byPath = useMemo(
    () => new Map((secrets.data ?? []).map((s) => [s.path, s])),
    [secrets.data],
  );
  const usedBy = (path: string) => (connections.data ?? []).filter((c) => c.secretPath === path);

  const select = (value: string) => setParam({ path: value });
  const reload = () => {
    void secrets.refetch();
    void projects.refetch();
  };
  const openAdd = (target: Target) => {
    setAddTarget(target);
    setParam({ add: "1" });
  };
  const startTarget = () => defaultTarget(selected, isAdmin, projectNames);

  const error = secrets.error ?? projects.error;
  const selectedSecret = selected === null ? undefined : byPath.get(selected);
  const replacingSecret = replacing === null ? undefined : byPath.get(replacing);
  const selectedProject = (value: string) => {
    const kind = kindOf(value);
    return kind.kind === "project"
      ? projects.data?.find((p) => p.name === kind.project)
      : undefined;
  };

  return (
    <>
      <PageHeader
        title="Key store"
        description="Encrypted, write-only secrets: the secret keys of access-key connections and other credentials Switchboard uses. Values go in and are never shown again."
        actions={
          <Group gap="xs" wrap="nowrap">
            {isAdmin && (
              <Button variant="default" onClick={() => setProjectDialog("new")}>
                New project
              </Button>
            )}
            <Button leftSection={<IconPlus size={16} />} onClick={() => openAdd(startTarget())}>
              Add secret
            </Button>
          </Group>
        }
      />
      {error !== null ? (
        <ErrorAlert error={error} onRetry={reload} />
      ) : secrets.data === undefined || projects.data === undefined ? (
        <Loading label="Loading the key store" />
      ) : secrets.data.length === 0 && projectNames.length === 0 ? (
        <KeystoreEmpty
          isAdmin={isAdmin}
          hasProjects={projectNames.length > 0}
          onAdd={() => openAdd(startTarget())}
        />
      ) : (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
            <SecretTree
              secrets={secrets.data}
              projects={projectNames}
              isAdmin={isAdmin}
              selected={selected}
              onSelect={select}
              onReload={reload}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
            <Paper withBorder p="md">
              {selected === null ? (
                <NothingSelected noSecrets={secrets.data.length === 0} />
              ) : selectedSecret !== undefined ? (
                <SecretDetails
                  secret={selectedSecret}
                  usedBy={usedBy(selectedSecret.path)}
                  onReplace={() => setParam({ replace: selectedSecret.path })}
                  onDelete={() => setDeleting(selectedSecret)}
                />
              ) : selected.endsWith("/") ? (
                <FolderDetails
                  value={selected}
                  secrets={secrets.data}
                  project={selectedProject(selected)}
                  isAdmin={isAdmin}
                  onAdd={openAdd}
                  onNewProject={() => setProjectDialog("new")}
                  onEditProject={(p) => setProjectDialog(p)}
                  onDeleteProject={(p) => setDeletingProject(p)}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  There is no secret at {selected} (or you cannot see it).
                </Text>
              )}
            </Paper>
          </Grid.Col>
        </Grid>
      )}
      {adding && secrets.data !== undefined && projects.data !== undefined && (
        <AddSecretModal
          opened
          initial={addTarget ?? startTarget()}
          projects={projectNames}
          isAdmin={isAdmin}
          onClose={() => {
            setAddTarget(null);
            setParam({ add: null }, true);
          }}
          onSaved={(path) => {
            setAddTarget(null);
            setParam({ add: null, path }, true);
          }}
        />
      )}
      {replacingSecret !== undefined && (
        <ReplaceSecretModal
          key={replacingSecret.path}
          path={replacingSecret.path}
          type={replacingSecret.type}
          allowedHosts={replacingSecret.allowedHosts}
          onClose={() => setParam({ replace: null }, true)}
        />
      )}
      {projectDialog !== null && (
        <ProjectModal
          project={projectDialog === "new" ? null : projectDialog}
          onClose={() => setProjectDialog(null)}
          onSaved={(name) => {
            setProjectDialog(null);
            setParam({ path: projectPrefix(name) });
          }}
        />
      )}
      <DeleteSecretModal
        secret={deleting}
        connections={connections.data ?? []}
        onClose={() => setDeleting(null)}
        onDeleted={() => setParam({ path: null }, true)}
      />
      <DeleteProjectModal
        project={deletingProject}
        onClose={() => setDeletingProject(null)}
        onDeleted={() => setParam({ path: null }, true)}
      />
    </>
  );
}
