import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';
import type { Io } from './io.js';

/** Reads a text file, or standard input for `-` or no path, with one-line errors. */
export async function readTextInput(path: string | undefined, io: Io): Promise<string> {
  if (path === undefined || path === '-') return io.readStdin();
  return readTextFile(path);
}

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`file not found: ${path}`);
    if (code === 'EISDIR') throw new CliError(`${path} is a directory, not a file`);
    if (code === 'EACCES') throw new CliError(`permission denied reading ${path}`);
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
}

export async function readJsonFile(path: string): Promise<unknown> {
  return parseJson(await readTextFile(path), path);
}
