/** A failure the user can act on: printed as one line, then the process exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number = 1;
}

/** Wrong or missing arguments: exit code 2, like commander's own usage errors. */
export class UsageError extends CliError {
  override name = 'UsageError';
  override readonly exitCode: number = 2;
}

/** The node at `url` could not be reached at all (refused, DNS, timeout). */
export class NodeUnreachableError extends CliError {
  override name = 'NodeUnreachableError';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`cannot reach the node at ${url} (${reason}); is it running?`);
  }
}
