import type { Store } from '@citylink/store';
import { InvalidInputError } from '../errors.js';
import type { Recipient } from '../notifications/notifier.js';

const ON_SHIFT_KEY = 'ops.on-shift';

/**
 * The hub officials on call: those an official put on shift, or, while nobody
 * is, every active hub official (an escalation always reaches someone).
 */
export class OnCall {
  constructor(private readonly store: Store) {}

  async officials(): Promise<string[]> {
    const users = await this.store.read((r) => r.users.list());
    return users.filter((u) => !u.disabled && u.roles.includes('hub-official')).map((u) => u.username);
  }

  async onShift(): Promise<string[]> {
    const held = await this.store.read((r) => r.meta.get(ON_SHIFT_KEY));
    const officials = new Set(await this.officials());
    return held ? (JSON.parse(held) as string[]).filter((u) => officials.has(u)) : [];
  }

  async setShift(usernames: readonly string[]): Promise<string[]> {
    const officials = new Set(await this.officials());
    const unknown = usernames.filter((u) => !officials.has(u));
    if (unknown.length > 0) throw new InvalidInputError(`not active hub officials: ${unknown.join(', ')}`);
    await this.store.transact((tx) => tx.meta.set(ON_SHIFT_KEY, JSON.stringify([...new Set(usernames)])));
    return this.onShift();
  }

  async recipients(): Promise<Recipient[]> {
    const shift = await this.onShift();
    return (shift.length > 0 ? shift : await this.officials()).map((username) => ({ username }));
  }
}
