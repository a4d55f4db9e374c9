import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Opaque paging cursors. A manifest page may end on an object the caller may not
 * receive, and its id must not reach the caller: the position is sealed
 * (AES-256-GCM, bound to the caller) under a key that lives as long as the process,
 * so a cursor says nothing and only this node, for this caller, can open it. After a
 * restart old cursors are refused and the caller starts its walk again.
 */
export class SealedCursors {
  readonly #key = randomBytes(32);

  seal(position: string, caller: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(caller, 'utf8'));
    const body = Buffer.concat([cipher.update(position, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(cursor: string, caller: string): string {
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) throw staleCursor();
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(caller, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw staleCursor();
    }
  }
}

function staleCursor(): InvalidInputError {
  return new InvalidInputError('cursor not valid here (issued before a restart or to someone else); start again');
}
