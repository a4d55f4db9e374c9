import { canonicalJson, EVERYONE, type RedDirectoryEntry } from '@citylink/protocol';
import type { Role, Store, User } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import { ConflictError, InvalidInputError } from '../errors.js';
import { decodeStored } from '../ingest/projection.js';
import type { RosterState } from '../membership/roster-state.js';

/** The opt-in that puts an account in its node's directory of RED recipients. */
export const RED_RECIPIENT: Role = 'red-recipient';

const ROLE_LABELS: Record<Role, string> = {
  staff: 'staff',
  signer: 'mayor',
  admin: 'administrator',
  'hub-official': 'state election official',
  'red-recipient': 'RED recipient',
};

/** One person who may be named on TLP:RED objects, as every node knows them. */
export interface RedRecipient extends RedDirectoryEntry {
  node: string;
  nodeName: string;
}

/** Who signs the directory's objects: the node itself, not a person. */
const DIRECTORY_ACTOR: SessionUser = { id: 0, username: 'red-directory', displayName: 'RED directory', roles: [] };

type Publish = (
  kind: 'red-directory',
  input: { tlp: 'GREEN'; audience: string[]; body: { people: RedDirectoryEntry[] } },
  actor: SessionUser,
) => Promise<{ id: string }>;

const mayReceiveRed = (u: Pick<User, 'roles' | 'disabled'>) => !u.disabled && u.roles.includes(RED_RECIPIENT);

/**
 * The directory of people who may receive TLP:RED. Each node publishes its own
 * accounts with the `red-recipient` opt-in (names and roles only) as a GREEN
 * `red-directory` object to the whole network, so the hub relays it to every member
 * and every node knows everyone; the newest one of each origin counts. Posting
 * refuses a RED object naming someone not in it, and a receiving node refuses one
 * naming someone of its own who is not (`unknown_recipient`).
 */
export class RedDirectory {
  constructor(
    private readonly n: {
      self: string;
      store: Store;
      roster: RosterState;
      publish: Publish;
      log: Logger;
    },
  ) {}

  /** This node's own entries, from its accounts. */
  async own(): Promise<RedDirectoryEntry[]> {
    const users = await this.n.store.listUsers();
    return users.filter(mayReceiveRed).map((u) => ({
      user: u.username,
      name: u.displayName,
      title:
        u.title ||
        u.roles
          .filter((r) => r !== RED_RECIPIENT)
          .map((r) => ROLE_LABELS[r])
          .join(', ') ||
        ROLE_LABELS[RED_RECIPIENT],
    }));
  }

  /** Everyone who may be named on RED, at every active member: this node's accounts and the others' directories. */
  async list(): Promise<RedRecipient[]> {
    const { self, roster, store } = this.n;
    const name = (node: string) => roster.member(node)?.name ?? node;
    const out: RedRecipient[] = (await this.own()).map((p) => ({ ...p, node: self, nodeName: name(self) }));
    for (const stored of await store.latestOfKindPerOrigin('red-directory')) {
      if (stored.origin === self || !roster.isActive(stored.origin)) continue;
      const body = decodeStored(stored).body as { people: RedDirectoryEntry[] };
      for (const p of body.people) out.push({ ...p, node: stored.origin, nodeName: name(stored.origin) });
    }
    return out;
  }

  /**
   * Refuses named people who are not in the directory (the author, named by
   * `withAuthorNamed`, keeps what they write and need not be in it).
   */
  async checkRecipients(recipients: readonly { node: string; user: string }[], author: string): Promise<void> {
    const known = new Set((await this.list()).map((p) => `${p.node}/${p.user}`));
    const unknown = recipients
      .filter((r) => !(r.node === this.n.self && r.user === author))
      .map((r) => `${r.node}/${r.user}`)
      .filter((key) => !known.has(key));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `unknown recipient ${unknown.join(', ')}: not in the directory of people who may receive TLP:RED`,
      );
    }
  }

  /** Whether an account of this node may be named on RED objects from other nodes. */
  async receivesRed(username: string): Promise<boolean> {
    const u = await this.n.store.findUser(username);
    return u !== null && mayReceiveRed(u);
  }

  /**
   * Publishes this node's directory if it differs from the one last published
   * (at start, after roster refreshes and account changes). A city that is not an
   * active member yet publishes later.
   */
  async sync(): Promise<void> {
    const { self, store, publish, log } = this.n;
    const people = await this.own();
    const last = (await store.latestOfKindPerOrigin('red-directory')).find((o) => o.origin === self);
    const before = last ? (decodeStored(last).body as { people: RedDirectoryEntry[] }).people : [];
    if (canonicalJson(before) === canonicalJson(people) && (last || people.length === 0)) return;
    try {
      await publish('red-directory', { tlp: 'GREEN', audience: [EVERYONE], body: { people } }, DIRECTORY_ACTOR);
      log.info({ people: people.length }, 'RED directory published');
    } catch (err) {
      if (err instanceof ConflictError) return; // not an active member yet: retried on the next roster refresh
      throw err;
    }
  }
}
