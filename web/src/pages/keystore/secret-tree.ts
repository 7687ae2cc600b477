import type { TreeNodeData } from "@mantine/core";

export const SYSTEM_PREFIX = "keys/system/";
export const PROJECT_PREFIX = "keys/project/";

export function projectPrefix(project: string): string {
  return `${PROJECT_PREFIX}${project}/`;
}

/** What a tree node stands for; folders end in "/", secrets are their own path. */
export type NodeKind =
  | { kind: "system" }
  | { kind: "projects" }
  | { kind: "project"; project: string }
  | { kind: "folder"; prefix: string }
  | { kind: "secret"; path: string };

export function kindOf(value: string): NodeKind {
  if (value === SYSTEM_PREFIX) return { kind: "system" };
  if (value === PROJECT_PREFIX) return { kind: "projects" };
  const project = /^keys\/project\/([^/]+)\/$/.exec(value);
  if (project?.[1] !== undefined) return { kind: "project", project: project[1] };
  if (value.endsWith("/")) return { kind: "folder", prefix: value };
  return { kind: "secret", path: value };
}

/** Where a new secret goes: the org (system) or one project. */
export interface Target {
  scope: "system" | "project";
  project: string | null;
  /** A folder inside the scope to start the name with ("prod/"). */
  folder: string;
}

/** Where "Add secret here" on a folder puts the new secret. */
export function folderTarget(value: string): Target {
  const kind = kindOf(value);
  if (kind.kind === "system") return { scope: "system", project: null, folder: "" };
  if (kind.kind === "project") return { scope: "project", project: kind.project, folder: "" };
  if (value.startsWith(SYSTEM_PREFIX)) {
    return { scope: "system", project: null, folder: value.slice(SYSTEM_PREFIX.length) };
  }
  const [project = "", ...rest] = value.slice(PROJECT_PREFIX.length).split("/");
  return { scope: "project", project, folder: rest.join("/") };
}

/**
 * Where the page's "Add secret" starts: the selected project, else System for admins (or when
 * there is no project), else the caller's first project.
 */
export function defaultTarget(
  selected: string | null,
  isAdmin: boolean,
  projects: readonly string[],
): Target {
  if (selected !== null) {
    const kind = kindOf(selected);
    if (kind.kind === "project") return { scope: "project", project: kind.project, folder: "" };
  }
  return isAdmin || projects.length === 0
    ? { scope: "system", project: null, folder: "" }
    : { scope: "project", project: projects[0] ?? null, folder: "" };
}

interface Mutable {
  label: string;
  value: string;
  children: Mutable[];
  leaf: boolean;
}

/** Adds `rest` (segments below `prefix`) under `parent`, creating folders for inner segments. */
function insert(parent: Mutable, prefix: string, rest: string[], path: string): void {
  const [head, ...tail] = rest;
  if (head === undefined) return;
  if (tail.length === 0) {
    parent.children.push({ label: head, value: path, children: [], leaf: true });
    return;
  }
  const value = `${prefix}${head}/`;
  let folder = parent.children.find((c) => c.value === value);
  if (folder === undefined) {
    folder = { label: head, value, children: [], leaf: false };
    parent.children.push(folder);
  }
  insert(folder, value, tail, path);
}

function freeze(node: Mutable): TreeNodeData {
  const children = [...node.children]
    // Folders first, then secrets, each by name: the order a file browser uses.
    .sort((a, b) => Number(a.leaf) - Number(b.leaf) || a.label.localeCompare(b.label))
    .map(freeze);
  return node.leaf
    ? { label: node.label, value: node.value }
    : { label: node.label, value: node.value, children, hasChildren: children.length > 0 };
}

/**
 * The key store as a tree: "System" (org-wide, when the caller may see it) and "Projects",
 * one folder per project the caller can see (also the empty ones, so a secret can be added),
 * and the secrets below them, split at "/" into folders.
 */
export function buildSecretTree(
  paths: string[],
  projects: string[],
  withSystem: boolean,
): TreeNodeData[] {
  const system: Mutable = { label: "System", value: SYSTEM_PREFIX, children: [], leaf: false };
  const projectsRoot: Mutable = {
    label: "Projects",
    value: PROJECT_PREFIX,
    children: [],
    leaf: false,
  };
  const byProject = new Map<string, Mutable>();
  const projectNode = (name: string) => {
    let node = byProject.get(name);
    if (node === undefined) {
      node = { label: name, value: projectPrefix(name), children: [], leaf: false };
      byProject.set(name, node);
      projectsRoot.children.push(node);
    }
    return node;
  };
  for (const project of projects) projectNode(project);
  for (const path of paths) {
    if (path.startsWith(SYSTEM_PREFIX)) {
      insert(system, SYSTEM_PREFIX, path.slice(SYSTEM_PREFIX.length).split("/"), path);
    } else if (path.startsWith(PROJECT_PREFIX)) {
      const [project, ...rest] = path.slice(PROJECT_PREFIX.length).split("/");
      if (project === undefined) continue;
      insert(projectNode(project), projectPrefix(project), rest, path);
    }
  }
  return [...(withSystem ? [freeze(system)] : []), freeze(projectsRoot)];
}

/**
 * A PEM pasted into a one-line password field loses its line breaks; OpenSSL needs them back.
 * Anything that is not a single PEM block is returned as it was.
 */
export function normalizePem(text: string): string {
  const match =
    /^\s*(-----BEGIN [A-Z0-9 ]+-----)\s*([A-Za-z0-9+/=\s]+?)\s*(-----END [A-Z0-9 ]+-----)\s*$/.exec(
      text,
    );
  if (match === null) return text;
  const [, begin = "", body = "", end = ""] = match;
  const base64 = body.replace(/\s+/g, "");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `${begin}\n${lines.join("\n")}\n${end}\n`;
}
