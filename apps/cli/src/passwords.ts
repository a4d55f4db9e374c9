import { randomBytes } from 'node:crypto';

/** 96 random bits as 16 base64url characters: safe to paste into a shell. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
