import { on } from 'node:events';
import type { Store } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import type { Clock } from '../clock.js';
import { InvalidInputError } from '../errors.js';
import type { NotificationEvents } from './notifier.js';
import { type NotificationPrefs, NotificationPrefsSchema, parsePrefs } from './prefs.js';

/** One account's notification centre: its entries, unread count, preferences, live changes. */
export class NotificationCentre {
  constructor(private readonly deps: { store: Store; clock: Clock; events: NotificationEvents }) {}

  async list(user: SessionUser, limit = 50) {
    const [items, unread] = await this.deps.store.read((r) =>
      Promise.all([r.notifications.list(user.username, limit), r.notifications.unread(user.username)]),
    );
    return {
      unread,
      items: items.map((n) => ({
        id: n.id,
        kind: n.kind,
        subject: n.subject ?? null,
        text: n.text,
        emergency: n.emergency,
        createdAt: n.createdAt.toISOString(),
        read: n.readAt != null,
      })),
    };
  }

  async markRead(user: SessionUser, ids: readonly number[] | 'all'): Promise<{ unread: number }> {
    const at = new Date(this.deps.clock());
    await this.deps.store.transact((tx) => tx.notifications.markRead(user.username, ids, at));
    this.deps.events.emit('changed', [user.username]);
    return { unread: await this.deps.store.read((r) => r.notifications.unread(user.username)) };
  }

  async prefs(user: SessionUser): Promise<NotificationPrefs> {
    return parsePrefs(await this.deps.store.read((r) => r.notifications.prefs(user.username)));
  }

  async setPrefs(user: SessionUser, input: unknown): Promise<NotificationPrefs> {
    const parsed = NotificationPrefsSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    if (parsed.data.quietHours) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: parsed.data.quietHours.timeZone });
      } catch {
        throw new InvalidInputError(`unknown time zone ${parsed.data.quietHours.timeZone}`);
      }
    }
    await this.deps.store.transact((tx) => tx.notifications.setPrefs(user.username, JSON.stringify(parsed.data)));
    return parsed.data;
  }

  /** Yields the account's centre now and after every change to it, until `signal` aborts. */
  async *follow(user: SessionUser, signal: AbortSignal | undefined) {
    const changes = on(this.deps.events, 'changed', signal ? { signal } : {});
    yield await this.list(user, 20);
    try {
      for await (const [usernames] of changes as AsyncIterable<[string[]]>) {
        if (usernames.includes(user.username)) yield await this.list(user, 20);
      }
    } catch (err) {
      if ((err as { name?: string }).name !== 'AbortError') throw err;
    }
  }
}
