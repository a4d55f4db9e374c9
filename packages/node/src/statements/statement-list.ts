import type { NewStatementSummary, StatementSummary, Store, StoredObject } from '@citylink/store';
import type { FeedBus } from '../ingest/pipeline.js';

/** One row of `statements.list`. */
export interface StatementListEntry {
  id: string;
  title: string;
  originator: string;
  phase: string;
  addressees: string[];
  signed: number;
  invited: number;
  /** Every city that may sign: the originator and the invited ones ("2 signed of 3 cities"). */
  cities: number;
  deadline: string | null;
  /** When the statement was started (its first revision). */
  created: string;
}

/** What the list needs of a folded statement (a subset of `Statements.state`). */
export interface FoldedStatement {
  id: string;
  originator: string;
  phase: string;
  tlp: string;
  audience: string[];
  title: string;
  addressees: string[];
  invited: string[];
  signers: { status: string }[];
  signOn?: { deadline: string } | null;
  revisions: { created: string }[];
}

type Marking = Pick<StoredObject, 'origin' | 'tlp' | 'audience' | 'recipients'>;

/**
 * The statements' read model. Folding a statement verifies its co-signatures, so
 * the list keeps each statement's entry in a table and folds again only the
 * statements whose objects arrived since (the bus says which), and every one once
 * the roster changed (a key's window decides which signatures count). A list then
 * reads the table and filters it for the viewer.
 */
/** Appended ids remembered between lists; past this, the next list folds every statement. */
const MAX_PENDING = 10_000;

export class StatementList {
  /** Ids of statement objects appended since the last refresh. */
  #appended = new Set<string>();
  /** Fold every statement on the next refresh (after a start, or when too much arrived unlisted). */
  #everything = true;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly d: {
      store: Store;
      bus: FeedBus;
      rosterVersion: () => number;
      /** The statement's whole state as this node folds it now, or undefined. */
      fold: (statementId: string) => Promise<FoldedStatement | undefined>;
    },
  ) {
    d.bus.on('appended', (entries) => {
      for (const e of entries) if (e.kind.startsWith('statement-')) this.#appended.add(e.id);
      // A node where nobody lists statements must not hold their ids for ever.
      if (this.#appended.size > MAX_PENDING) {
        this.#appended.clear();
        this.#everything = true;
      }
    });
  }

  /** What this viewer may see, newest first. */
  async list(mayView: (m: Marking) => boolean, addressedTo?: string): Promise<StatementListEntry[]> {
    await this.#refresh();
    const rows = await this.d.store.read((r) => r.statements.list());
    const now = new Date().toISOString();
    return rows
      .filter((r) => mayView(r) && (!addressedTo || r.audience.includes(addressedTo)))
      .map((r) => entryOf(r, now))
      .sort((a, b) => (a.created === b.created ? (a.id < b.id ? -1 : 1) : a.created < b.created ? 1 : -1));
  }

  /** Concurrent lists share one refresh. */
  #refresh(): Promise<void> {
    this.#refreshing ??= this.#refold().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refold(): Promise<void> {
    const version = this.d.rosterVersion();
    const appended = [...this.#appended];
    this.#appended.clear();
    const everything = this.#everything;
    this.#everything = false;
    const stale = new Set<string>();
    const rows = await this.d.store.read((r) => r.statements.list());
    for (const r of rows) if (everything || r.rosterVersion !== version) stale.add(r.statementId);
    if (everything) {
      // After a start (or an upgrade that added the table), every statement held.
      for (const o of await this.d.store.objectsOfKind('statement-revision', 1_000_000)) {
        if (o.target === null) stale.add(o.id);
      }
    }
    if (appended.length > 0) {
      for (const o of await this.d.store.getObjects(appended)) stale.add(o.target ?? o.id);
    }
    if (stale.size === 0) return;
    const next: NewStatementSummary[] = [];
    for (const id of stale) {
      const s = await this.d.fold(id);
      if (!s) continue;
      next.push({
        statementId: s.id,
        origin: s.originator,
        tlp: s.tlp,
        audience: s.audience,
        recipients: null,
        rosterVersion: version,
        summary: JSON.stringify({
          title: s.title,
          originator: s.originator,
          phase: s.phase,
          addressees: s.addressees,
          signed: s.signers.filter((x) => x.status === 'signed').length,
          invited: s.invited.length,
          cities: s.signers.length,
          deadline: s.signOn?.deadline ?? null,
          created: s.revisions[0]?.created ?? '',
        }),
      });
    }
    await this.d.store.transact((tx) => tx.statements.upsert(next));
  }
}

/** The stored entry; a sign-on whose deadline passed since it was folded reads as closed. */
function entryOf(r: StatementSummary, now: string): StatementListEntry {
  const e = JSON.parse(r.summary) as Omit<StatementListEntry, 'id'>;
  const phase = e.phase === 'sign-on open' && e.deadline !== null && e.deadline < now ? 'closed' : e.phase;
  return { id: r.statementId, ...e, phase };
}
