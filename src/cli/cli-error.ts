/** An error the CLI prints as one line and exits 1 with. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}
