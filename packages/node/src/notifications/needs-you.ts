import type { SignedObject } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Appended, FeedBus } from '../ingest/pipeline.js';
import { decodeStored } from '../ingest/projection.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Matter, Notifier } from './notifier.js';

const WATCHED = new Set(['posture', 'statement-revision', 'statement-signon', 'acknowledgement', 'endorsement']);

/**
 * The "needs you" markers that arrive from elsewhere: a new statewide advisory
 * (everyone here), an invitation to a joint statement (this city's signers and
 * admins), a statement awaiting signature (its signers). Each object notifies once,
 * when it is appended; the texts name the city and what is needed, never content.
 */
export class NeedsYou {
  constructor(
    private readonly deps: {
      self: string;
      store: Store;
      clock: Clock;
      roster: RosterState;
      notifier: Notifier;
      bus: FeedBus;
      log: Logger;
      run: (fn: () => Promise<unknown>) => void;
    },
  ) {}

  start(): void {
    this.deps.bus.on('appended', (entries) => {
      const watched = entries.filter((e) => WATCHED.has(e.kind));
      if (watched.length > 0) this.deps.run(() => this.#handle(watched));
    });
  }

  async #handle(entries: readonly Appended[]): Promise<void> {
    const { store, self } = this.deps;
    const held = await store.getObjects(entries.map((e) => e.id));
    for (const s of held) {
      if (s.origin === self) continue;
      const o = decodeStored(s);
      const found = await this.#matterOf(o, s.id);
      if (!found) continue;
      const who = found.roles;
      const wanted = (u: { username: string; roles: readonly string[] }) =>
        who === 'all' || (Array.isArray(who) ? u.roles.some((r) => who.includes(r)) : u.username === who.author);
      const users = (await store.read((r) => r.users.list())).filter((u) => !u.disabled && wanted(u));
      if (users.length === 0) continue;
      const now = this.deps.clock();
      await store.transact((tx) =>
        this.deps.notifier.addIn(
          tx,
          users.map((u) => ({ username: u.username })),
          found.matter,
          now,
        ),
      );
    }
  }

  async #matterOf(
    o: SignedObject,
    id: string,
  ): Promise<{ matter: Matter; roles: 'all' | string[] | { author: string } } | undefined> {
    const from = this.deps.roster.member(o.origin)?.name ?? o.origin;
    if (o.kind === 'acknowledgement' || o.kind === 'endorsement') {
      // A comment on a report or note posted here: its author hears of it (who posted it is in the audit trail).
      if (!o.body.comment) return undefined;
      const target = await this.deps.store.getObject(o.body.target);
      if (target?.origin !== this.deps.self) return undefined;
      const [posted] = await this.deps.store.listAudit({
        subject: o.body.target,
        action: `object.${target.kind}`,
        limit: 1,
      });
      const author = posted?.actor.startsWith('user:') ? posted.actor.slice(5) : undefined;
      if (!author) return undefined;
      return {
        roles: { author },
        matter: {
          kind: 'comment',
          subject: o.body.target,
          emergency: false,
          text: `${from} commented on your ${target.kind === 'note' ? 'best practice' : 'report'} — open CityLink`,
        },
      };
    }
    if (o.kind === 'posture') {
      if (!o.body.advisory) return undefined;
      return {
        roles: 'all',
        matter: {
          kind: 'advisory',
          subject: id,
          emergency: o.body.level === 'severe',
          text: `New advisory from ${from}: posture ${o.body.level.toUpperCase()} — open CityLink`,
          title: { text: o.body.advisory.title, tlp: o.tlp },
        },
      };
    }
    if (o.kind === 'statement-revision') {
      if (o.body.statement || !o.body.invited.includes(this.deps.self)) return undefined;
      return {
        roles: ['signer', 'admin'],
        matter: {
          kind: 'statement-invitation',
          subject: id,
          emergency: false,
          text: `${from} invited you to a joint statement — open CityLink`,
        },
      };
    }
    if (o.kind === 'statement-signon') {
      const revision = await this.deps.store.getObject(o.body.revision);
      const r = revision && decodeStored(revision);
      if (r?.kind !== 'statement-revision' || !r.body.invited.includes(this.deps.self)) return undefined;
      return {
        roles: ['signer'],
        matter: {
          kind: 'signature-awaited',
          subject: o.body.statement,
          emergency: false,
          text: `A joint statement from ${from} is awaiting your signature — open CityLink`,
        },
      };
    }
    return undefined;
  }
}
