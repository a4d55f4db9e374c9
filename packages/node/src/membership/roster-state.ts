import { KeyRing, type NodeKey, type ResolvedKey, signObject, thumbprint, verifyObject } from '@citylink/crypto';
import { type KeyRecord, type Member, MemberSchema, type ObjectOfKind, type Roster } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import { Mutex } from 'async-mutex';
import type { Logger } from 'pino';
import { ConflictError, InvalidInputError } from '../errors.js';

const ROSTER_META = 'roster_jws';
/** Hub keys this node trusts beyond the pinned ones, learned by following the hub's key chain. */
const HUB_KEYS_META = 'hub_keys';
const FORCED_REFRESH_GAP_MS = 30_000;

/** A roster that is refused (bad signature, wrong signer or network): the caller's input, a 400 on the wire. */
export class RosterError extends InvalidInputError {
  override name = 'RosterError';
}

/**
 * A genuine roster older than the one held: an honest peer that has not caught up
 * yet, not an attack. A 409 on the wire, a warning in the log.
 */
export class StaleRosterError extends ConflictError {
  override name = 'StaleRosterError';
}

interface AdoptOptions {
  persist: boolean;
  fetchedAt?: number;
  /** More writes that belong to the adoption (the hub's audit of why): in its transaction. */
  alongside?: () => Promise<void>;
}

/**
 * The membership this node trusts: the hub-signed roster (cities) or the member
 * table it signs (hub). Every key lookup for verification goes through here.
 */
export class RosterState {
  #members = new Map<string, Member>();
  #version = 0;
  #jws: string | undefined;
  #ring = new KeyRing();
  #hubRing = new KeyRing();
  #hubKeys: KeyRecord[] = [];
  #lastForcedRefresh = 0;
  #refreshing: Promise<void> | undefined;
  /** Up to when (ms) a roster adopted or re-confirmed by this process vouches for arrivals; 0 before any. */
  #confirmedAt = 0;
  /** One adoption at a time: each re-checks against, and stores after, the one before. */
  readonly #adopting = new Mutex();

  constructor(
    private readonly opts: {
      self: string;
      role: 'city' | 'hub';
      network: string;
      hubNode: string;
      store: Store;
      log: Logger;
      /** Fetches the current roster JWS from the hub (cities). */
      fetchRoster?: () => Promise<string>;
      /** Fetches the hub's key announcements, oldest first (cities). */
      fetchHubKeyChain?: () => Promise<string[]>;
      /**
       * Runs when a newer roster has been installed in memory, and must call `write`
       * (the adoption's one transaction) itself: the quarantine records the keys to
       * re-check in that same transaction. If it fails, the previous roster is put
       * back and nothing was stored. It must not wait for the append lock.
       */
      onAdopt?: (
        before: ReadonlyMap<string, Member>,
        after: readonly Member[],
        write: () => Promise<void>,
      ) => Promise<void>;
      /** A roster from the hub vouches for every arrival up to `upTo` (it came from the hub after them). */
      onConfirm?: (upTo: Date) => void;
    },
  ) {}

  /** The keys the hub's rosters must be signed with: the pinned trust anchor (plus what the chain added). */
  setHubKeys(keys: KeyRecord[]): void {
    this.#hubKeys = [...keys];
    this.#hubRing = new KeyRing([{ node: this.opts.hubNode, keys: this.#hubKeys }]);
  }

  get hubKeys(): readonly KeyRecord[] {
    return this.#hubKeys;
  }

  /**
   * Follows the hub's key chain from the keys we trust: each announcement must be
   * signed by a key already trusted and name the key it replaces. Returns how many
   * keys were added. A roster signed by a key outside the chain stays refused.
   */
  async followHubKeyChain(chain: readonly string[]): Promise<number> {
    let added = 0;
    for (const jws of chain) {
      const result = await verifyObject(jws, { resolveKey: this.#hubRing.resolve, kinds: ['key-announcement'] });
      if (!result.ok) {
        if (result.reason === 'unknown_kid') continue; // signed by a key we reach later, or never
        throw new RosterError(`hub key announcement refused: ${result.reason}: ${result.detail}`);
      }
      const a = result.object as ObjectOfKind<'key-announcement'>;
      if (a.origin !== this.opts.hubNode || a.body.node !== this.opts.hubNode || a.body.replaces !== result.kid) {
        throw new RosterError('hub key announcement does not come from the hub key it replaces');
      }
      if ((await thumbprint(a.body.key.jwk)) !== a.body.key.kid) {
        throw new RosterError('hub key announcement names a kid that is not its key thumbprint');
      }
      if (this.#hubKeys.some((k) => k.kid === a.body.key.kid)) continue;
      this.setHubKeys([
        ...this.#hubKeys,
        { kid: a.body.key.kid, jwk: a.body.key.jwk, validFrom: a.body.key.validFrom },
      ]);
      added += 1;
    }
    if (added > 0) {
      await this.opts.store.setMeta(HUB_KEYS_META, JSON.stringify(this.#hubKeys));
      this.opts.log.info({ added }, 'followed the hub key chain');
    }
    return added;
  }

  get version(): number {
    return this.#version;
  }
  /**
   * Up to when the keys of this roster are confirmed: the start of the last successful
   * fetch from the hub, or the signing time of the newest roster offered to us. 0 until
   * one has been adopted or re-confirmed since this process started (a roster loaded
   * from the database confirms nothing).
   */
  get confirmedAt(): number {
    return this.#confirmedAt;
  }
  get jws(): string | undefined {
    return this.#jws;
  }
  get hubNode(): string {
    return this.opts.hubNode;
  }

  members(): Member[] {
    return [...this.#members.values()];
  }
  member(node: string): Member | undefined {
    return this.#members.get(node);
  }
  isActive(node: string): boolean {
    return this.#members.get(node)?.status === 'active';
  }
  activeNodes(): string[] {
    return this.members()
      .filter((m) => m.status === 'active')
      .map((m) => m.node);
  }

  /** Loads the roster and learned hub keys held in the database (if any) at start-up. */
  async load(): Promise<void> {
    const learned = await this.opts.store.getMeta(HUB_KEYS_META);
    if (learned) {
      const known = new Set(this.#hubKeys.map((k) => k.kid));
      this.setHubKeys([...this.#hubKeys, ...(JSON.parse(learned) as KeyRecord[]).filter((k) => !known.has(k.kid))]);
    }
    const jws = await this.opts.store.getMeta(ROSTER_META);
    if (jws) await this.#adopt(jws, { persist: false });
  }

  /**
   * Key lookup for verification. An unknown kid triggers at most one forced roster
   * refresh per 30 s, never a loop: a key rotated in since the last refresh verifies,
   * a made-up kid costs one fetch.
   */
  readonly resolveKey = async (node: string, kid: string): Promise<ResolvedKey | undefined> => {
    const found = await this.#ring.resolve(node, kid);
    if (found || this.opts.role === 'hub' || !this.opts.fetchRoster) return found;
    const now = Date.now();
    if (now - this.#lastForcedRefresh < FORCED_REFRESH_GAP_MS) return undefined;
    this.#lastForcedRefresh = now;
    await this.refresh().catch((err) => this.opts.log.warn({ err: String(err) }, 'forced roster refresh failed'));
    return this.#ring.resolve(node, kid);
  };

  /** Cities: fetch and adopt the hub's current roster. Concurrent callers share one fetch. */
  async refresh(): Promise<void> {
    if (!this.opts.fetchRoster) return;
    this.#refreshing ??= (async () => {
      try {
        const fetchedAt = Date.now();
        await this.#adopt(await this.opts.fetchRoster!(), { persist: true, fetchedAt });
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Verifies a roster against the pinned hub keys and adopts it if it is newer. Returns whether it changed. */
  async adopt(jws: string): Promise<boolean> {
    return this.#adopt(jws, { persist: true });
  }

  #adopt(jws: string, opts: AdoptOptions): Promise<boolean> {
    return this.#adopting.runExclusive(() => this.#adoptLocked(jws, opts));
  }

  async #adoptLocked(jws: string, { persist, fetchedAt, alongside }: AdoptOptions): Promise<boolean> {
    let result = await verifyObject(jws, { resolveKey: this.#hubRing.resolve, kinds: ['roster'] });
    if (!result.ok && result.reason === 'unknown_kid' && this.opts.fetchHubKeyChain) {
      // The hub may have rotated its key: follow the chain from what we trust, then try once more.
      if ((await this.followHubKeyChain(await this.opts.fetchHubKeyChain())) > 0) {
        result = await verifyObject(jws, { resolveKey: this.#hubRing.resolve, kinds: ['roster'] });
      }
    }
    if (!result.ok) throw new RosterError(`roster refused: ${result.reason}: ${result.detail}`);
    const roster = result.object as Roster;
    if (roster.origin !== this.opts.hubNode) throw new RosterError(`roster signed by ${roster.origin}, not the hub`);
    if (roster.body.network !== this.opts.network) {
      throw new RosterError(`roster is for network ${roster.body.network}, not ${this.opts.network}`);
    }
    // Fetched from the hub: true as of the fetch; passed on by anyone: true as of its signing.
    const confirms = Math.min(Math.max(Date.parse(roster.created), fetchedAt ?? 0), Date.now());
    if (roster.body.version <= this.#version) {
      if (roster.body.version < this.#version) {
        this.opts.log.warn(
          { offered: roster.body.version, held: this.#version },
          'stale roster refused: older than the one held',
        );
        throw new StaleRosterError(`roster version ${roster.body.version} is older than the held ${this.#version}`);
      }
      if (persist) this.#confirm(confirms);
      return false;
    }
    const before = { members: this.#members, version: this.#version, jws: this.#jws, ring: this.#ring };
    this.#install(roster.body.members, roster.body.version, jws);
    if (persist) {
      const { store, onAdopt } = this.opts;
      // Members, the roster JWS and the audit rows: all of them or, if any write fails, none.
      const write = () =>
        store.transact(async () => {
          await store.replaceMembers(
            roster.body.members.map((m) => ({
              node: m.node,
              name: m.name,
              baseUrl: m.baseUrl,
              role: m.role,
              status: m.status,
              keys: m.keys,
            })),
            roster.body.version,
          );
          await store.setMeta(ROSTER_META, jws);
          await this.#auditChanges(roster, before.members);
          await alongside?.();
        });
      try {
        await (onAdopt ? onAdopt(before.members, roster.body.members, write) : write());
      } catch (err) {
        this.#members = before.members;
        this.#version = before.version;
        this.#jws = before.jws;
        this.#ring = before.ring;
        throw err;
      }
      this.#confirm(confirms);
    }
    this.opts.log.info({ version: roster.body.version, members: roster.body.members.length }, 'roster adopted');
    return true;
  }

  #confirm(upTo: number): void {
    if (upTo <= this.#confirmedAt) return;
    this.#confirmedAt = upTo;
    this.opts.onConfirm?.(new Date(upTo));
  }

  /** Every membership and key change becomes an audit event on every node that adopts the roster. */
  async #auditChanges(roster: Roster, previous: ReadonlyMap<string, Member>): Promise<void> {
    const actor = `node:${roster.origin}`;
    const version = roster.body.version;
    for (const m of roster.body.members) {
      const before = previous.get(m.node);
      const events: { action: string; detail: Record<string, unknown> }[] = [];
      if (!before) events.push({ action: 'membership.added', detail: { status: m.status, baseUrl: m.baseUrl } });
      else {
        if (before.status !== m.status) {
          events.push({ action: 'membership.status', detail: { from: before.status, to: m.status } });
        }
        if (before.baseUrl !== m.baseUrl) {
          events.push({ action: 'membership.url', detail: { from: before.baseUrl, to: m.baseUrl } });
        }
      }
      const old = new Map((before?.keys ?? []).map((k) => [k.kid, k]));
      for (const k of m.keys) {
        const prev = old.get(k.kid);
        if (!prev) events.push({ action: 'key.added', detail: { kid: k.kid, validFrom: k.validFrom } });
        else if (JSON.stringify(prev) !== JSON.stringify(k)) {
          events.push({
            action: k.revokedAt || k.compromised ? 'key.revoked' : 'key.window',
            detail: { kid: k.kid, validUntil: k.validUntil, revokedAt: k.revokedAt, compromised: k.compromised },
          });
        }
      }
      for (const e of events) {
        await this.opts.store.audit({ actor, action: e.action, subject: m.node, detail: { ...e.detail, version } });
      }
    }
  }

  #install(members: Member[], version: number, jws: string): void {
    this.#members = new Map(members.map((m) => [m.node, m]));
    this.#version = version;
    this.#jws = jws;
    const ring = new KeyRing(members);
    this.#ring = ring;
  }

  /**
   * Hub only: adds or replaces members, then signs and adopts the next roster version.
   * The hub's own entry is part of the input like any other member.
   */
  async publish(changes: Member[], key: NodeKey, alongside?: (jws: string) => Promise<void>): Promise<string> {
    if (this.opts.role !== 'hub') throw new RosterError('only the hub publishes the roster');
    const next = new Map(this.#members);
    for (const m of changes) next.set(m.node, MemberSchema.parse(m));
    const version = this.#version + 1;
    const signed = await signObject(
      {
        v: 1,
        kind: 'roster',
        origin: this.opts.self,
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: ['*'],
        body: {
          network: this.opts.network,
          version,
          members: [...next.values()].sort((a, b) => a.node.localeCompare(b.node)),
        },
      },
      key,
    );
    await this.#adopt(signed.jws, { persist: true, ...(alongside && { alongside: () => alongside(signed.jws) }) });
    return signed.jws;
  }
}
