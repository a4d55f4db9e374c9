import type { KeyRecord, Member } from '@citylink/protocol';
import type { CryptoKey } from 'jose';
import { importPublicKey } from './keys.js';

export interface ResolvedKey {
  record: KeyRecord;
  key: CryptoKey;
}

/** Finds the public key a node used, by node id and kid. Returning undefined means "unknown kid". */
export type KeyResolver = (node: string, kid: string) => ResolvedKey | undefined | Promise<ResolvedKey | undefined>;

/**
 * Public keys of the network's members with their validity windows. Each key is
 * imported once and cached: import costs more than a verification.
 */
export class KeyRing {
  /** node → kid → record: replacing one node's keys touches that node only (a 2,000-member roster is built in O(n)). */
  readonly #records = new Map<string, Map<string, KeyRecord>>();
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(members: Iterable<Pick<Member, 'node' | 'keys'>> = []) {
    for (const m of members) this.setKeys(m.node, m.keys);
  }

  /** Replaces what the ring knows of one node's keys (a roster update). */
  setKeys(node: string, keys: readonly KeyRecord[]): void {
    this.#records.set(node, new Map(keys.map((record) => [record.kid, record])));
  }

  has(node: string, kid: string): boolean {
    return this.#records.get(node)?.has(kid) ?? false;
  }

  readonly resolve: KeyResolver = async (node, kid) => {
    const record = this.#records.get(node)?.get(kid);
    if (!record) return undefined;
    // Cache by the public key itself, not by kid: a record's kid is not checked against its
    // JWK here, so keying by kid could hand one node's key to another node's kid, or keep a
    // stale key after a roster update.
    const cacheKey = record.jwk.x;
    let key = this.#imported.get(cacheKey);
    if (!key) {
      key = importPublicKey(record.jwk);
      this.#imported.set(cacheKey, key);
      key.catch(() => this.#imported.delete(cacheKey));
    }
    return { record, key: await key };
  };
}

export type KeyValidity = { ok: true } | { ok: false; reason: 'key_not_yet_valid' | 'key_expired' | 'key_revoked' };

/** Was this key usable at `at` (the object's `created` time)? */
export function keyValidAt(record: KeyRecord, at: string): KeyValidity {
  const t = Date.parse(at);
  if (record.compromised) return { ok: false, reason: 'key_revoked' };
  if (record.revokedAt !== undefined && t >= Date.parse(record.revokedAt)) return { ok: false, reason: 'key_revoked' };
  if (t < Date.parse(record.validFrom)) return { ok: false, reason: 'key_not_yet_valid' };
  if (record.validUntil !== undefined && t >= Date.parse(record.validUntil))
    return { ok: false, reason: 'key_expired' };
  return { ok: true };
}
