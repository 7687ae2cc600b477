import { Invalid } from "../errors.js";

const SEGMENT = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
const NAME = new RegExp(`^${SEGMENT}(/${SEGMENT})*$`);
const PROJECT = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export type SecretScope = { kind: "system" } | { kind: "project"; project: string };

export interface SecretPath {
  path: string;
  scope: SecretScope;
  name: string;
}

export const SECRET_PATH_HELP =
  "expected keys/system/<name> or keys/project/<project>/<name>, where a name is segments of letters, digits, '.', '_' or '-' joined by '/'";

/** Parses `keys/system/<name>` or `keys/project/<project>/<name>`. */
export function parseSecretPath(path: string, field = "path"): SecretPath {
  if (path.length <= 512) {
    const system = /^keys\/system\/(.+)$/.exec(path);
    if (system?.[1] !== undefined && NAME.test(system[1])) {
      return { path, scope: { kind: "system" }, name: system[1] };
    }
    const project = /^keys\/project\/([^/]+)\/(.+)$/.exec(path);
    if (
      project?.[1] !== undefined &&
      project[2] !== undefined &&
      PROJECT.test(project[1]) &&
      NAME.test(project[2])
    ) {
      return { path, scope: { kind: "project", project: project[1] }, name: project[2] };
    }
  }
  throw new Invalid(`${path.slice(0, 80)} is not a secret path: ${SECRET_PATH_HELP}`, { field });
}

export function projectSecretPrefix(project: string): string {
  return `keys/project/${project}/`;
}
