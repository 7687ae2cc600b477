/** A world document that cannot be loaded; `path` names the field at fault. */
export class WorldError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "WorldError";
  }
}
