import type { NodeKey } from '@citylink/crypto';
import type { KeyRecord } from '@citylink/protocol';

/** The key this node signs with now; a rotation replaces it and tells who holds links made with the old one. */
export class SigningKey {
  readonly #replaced: (() => void)[] = [];

  constructor(private key: NodeKey) {}

  current(): NodeKey {
    return this.key;
  }

  record(): KeyRecord {
    return { kid: this.key.kid, jwk: this.key.publicJwk, validFrom: this.key.created };
  }

  replace(next: NodeKey): void {
    this.key = next;
    for (const cb of this.#replaced) cb();
  }

  onReplace(cb: () => void): void {
    this.#replaced.push(cb);
  }
}
