import { readFile } from 'node:fs/promises';
import { type Member, MemberSchema } from '@citylink/protocol';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/** Reads a members file: a JSON array of member records. */
export async function readMembersFile(path: string): Promise<Member[]> {
  const parsed = z.array(MemberSchema).safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new InvalidInputError(`${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
