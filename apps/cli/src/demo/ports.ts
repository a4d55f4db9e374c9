import { createServer } from 'node:net';
import { CliError } from '../errors.js';

export class PortInUseError extends CliError {
  override name = 'PortInUseError';
}

/** Resolves if something could listen on 127.0.0.1:port right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Fails with one line naming the first busy port, before any node is started. */
export async function assertPortsFree(nodes: readonly { node: string; port: number }[]): Promise<void> {
  for (const { node, port } of nodes) {
    if (!(await portIsFree(port))) {
      throw new PortInUseError(
        `port ${port} (for ${node}) is already in use (EADDRINUSE); stop whatever listens there, or choose other ports with --base-port N`,
      );
    }
  }
}
