import { EventEmitter } from 'node:events';
import type { NewNotificationDelivery, StoreTransactor } from '@citylink/store';
import type { OperationsConfig } from './notifications-config.js';
import { type NotificationKind, parsePrefs, sendAt } from './prefs.js';

/** Something that needs people, described only as far as anyone notified may read. */
export interface Matter {
  kind: NotificationKind;
  /** The object id or city it is about. */
  subject: string | null;
  emergency: boolean;
  /** Marking, severity, city and what is needed; never the content of an object. */
  text: string;
  /** Added to e-mails of accounts that opted in, and only for TLP:CLEAR and TLP:GREEN. */
  title?: { text: string; tlp: string };
}

/** An account of this node, or an address with no account here (a city's liaison). */
export type Recipient = { username: string } | { email: string };

export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
}

/** Emits `changed` with the accounts whose notification centre changed, after the commit. */
export class NotificationEvents extends EventEmitter<{ changed: [string[]] }> {}

const mayShowTitle = (tlp: string) => tlp === 'CLEAR' || tlp === 'GREEN';

/**
 * Writes notifications where they must survive a crash: the centre's rows and the
 * e-mail and webhook queue, in the caller's transaction. Live events and the
 * queue's wake-up run only once it commits.
 */
export class Notifier {
  readonly events = new NotificationEvents();

  constructor(
    private readonly deps: {
      self: string;
      config: OperationsConfig;
      wake: () => void;
    },
  ) {}

  async addIn(tx: StoreTransactor, recipients: readonly Recipient[], m: Matter, now: number): Promise<void> {
    const at = new Date(now);
    const usernames = [...new Set(recipients.flatMap((r) => ('username' in r ? [r.username] : [])))];
    await tx.notifications.add(
      usernames.map((username) => ({
        username,
        kind: m.kind,
        subject: m.subject,
        text: m.text,
        emergency: m.emergency,
        createdAt: at,
      })),
    );
    const deliveries: NewNotificationDelivery[] = [];
    for (const username of usernames) {
      const prefs = parsePrefs(await tx.notifications.prefs(username));
      if (!prefs.email || !prefs.emailKinds.includes(m.kind)) continue;
      const withTitle = prefs.includeTitles && m.title && mayShowTitle(m.title.tlp);
      deliveries.push(
        this.#email(prefs.email, m, withTitle ? m.title!.text : undefined, sendAt(prefs, now, m.emergency)),
      );
    }
    for (const r of recipients) if ('email' in r) deliveries.push(this.#email(r.email, m, undefined, now));
    for (const hook of this.deps.config.webhooks) {
      deliveries.push({
        channel: 'webhook',
        target: hook.url,
        payload: JSON.stringify({
          node: this.deps.self,
          kind: m.kind,
          subject: m.subject,
          emergency: m.emergency,
          text: m.text,
          at: at.toISOString(),
        }),
        nextAttemptAt: at,
      });
    }
    await tx.notifications.enqueue(deliveries);
    tx.onCommit(() => {
      if (usernames.length > 0) this.events.emit('changed', usernames);
      if (deliveries.length > 0) this.deps.wake();
    });
  }

  #email(to: string, m: Matter, title: string | undefined, when: number): NewNotificationDelivery {
    const link = this.deps.config.consoleUrl
      ? `${this.deps.config.consoleUrl.replace(/\/$/, '')}/${m.subject ? `objects/${m.subject}` : ''}`
      : 'CityLink';
    const payload: EmailPayload = {
      to,
      subject: `${m.emergency ? '[EMERGENCY] ' : ''}CityLink: ${m.text.split(':')[0]}`,
      text: `${m.text}\n${title ? `\n“${title}”\n` : ''}\nOpen ${link} to see it.\n`,
    };
    return { channel: 'email', target: to, payload: JSON.stringify(payload), nextAttemptAt: new Date(when) };
  }
}
