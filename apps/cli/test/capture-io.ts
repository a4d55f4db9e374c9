import type { Io } from '../src/io.js';

/** An Io that records what a command prints, for in-process tests. */
export function captureIo(env: NodeJS.ProcessEnv = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    readStdin: async () => stdin,
  };
  return { io, out, err };
}
