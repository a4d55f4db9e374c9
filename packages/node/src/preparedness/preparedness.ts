import {
  type BodyOf,
  defaultPreparednessMarking,
  isPublic,
  mayDisplay,
  PREPAREDNESS_KINDS,
  type PreparednessKind,
  type ScoreRow,
  type ScoreWindows,
  scorecard,
  widerThanDefault,
} from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { Marking, Publish } from '../authoring/marking.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import type { FeedBus } from '../ingest/pipeline.js';
import { decodeStored, marked } from '../ingest/projection.js';
import { speaksForHub } from '../ingest/rules.js';
import type { RosterState } from '../membership/roster-state.js';
import type { HeldPeriod } from '../operations/periods.js';
import type { Views } from '../views/views.js';
import { type EvidenceEntry, loadEvidence, withoutRetracted } from './evidence.js';
import { nodeFacts } from './facts.js';
import { ScorecardGrid } from './grid.js';
import { type RollupQuery, stateRollup } from './rollup.js';
import { TrainingRecords } from './training.js';

/** How many objects of each preparedness kind the public page looks at (newest first). */
const PUBLIC_PER_KIND = 500;

export type PublicEvidenceEntry = Pick<EvidenceEntry, 'id' | 'kind' | 'created' | 'body'> & { tlp: 'CLEAR' };

/** Grid rows older than this are refolded at the next read (staleness moves with the clock). */
const GRID_MAX_AGE_MS = 60 * 60 * 1000;

export interface RecordInput<K extends PreparednessKind = PreparednessKind> {
  kind: K;
  body: BodyOf<K>;
  /** Absent: the default, AMBER+STRICT for the hub alone. */
  marking?: Marking | undefined;
  /** A marking wider than the default is refused unless the person confirmed the warning. */
  confirmWider?: boolean | undefined;
}

export interface CityScorecard {
  city: string;
  rows: ScoreRow[];
  /** The evidence the rows were computed from, as this person may see it. */
  evidence: EvidenceEntry[];
  /** Whether the node's own facts (links, bulletins, statements) were used. */
  withFacts: boolean;
}

/**
 * Preparedness against the ten recommendations: recording evidence (signed objects,
 * AMBER+STRICT to the hub by default), a city's scorecard, the hub's statewide grid
 * (a read model) and its liaison directory. Every read applies the reader's TLP check.
 */
export class Preparedness {
  readonly grid: ScorecardGrid;
  readonly training: TrainingRecords;

  constructor(
    private readonly n: {
      self: string;
      role: 'city' | 'hub';
      store: Store;
      bus: FeedBus;
      log: Logger;
      roster: RosterState;
      views: Views;
      publish: Publish;
      windows?: Partial<ScoreWindows> | undefined;
      now?: () => Date;
      /** The operational periods held (for the stale plans before an election); none when absent. */
      periods?: () => Promise<HeldPeriod[]>;
    },
  ) {
    this.training = new TrainingRecords({ role: n.role, store: n.store });
    this.grid = new ScorecardGrid({
      store: n.store,
      bus: n.bus,
      log: n.log,
      cities: () =>
        n.roster
          .members()
          .filter((m) => m.role === 'city' && m.status !== 'decommissioned')
          .map((m) => m.node),
      compute: (city) => this.#rowsForHub(city),
      now: this.#now,
      maxAgeMs: GRID_MAX_AGE_MS,
    });
  }

  readonly #now = () => this.n.now?.() ?? new Date();

  /** The default marking of preparedness objects on this network. */
  defaultMarking() {
    return defaultPreparednessMarking(this.n.roster.hubNode);
  }

  async record(input: RecordInput, actor: SessionUser): Promise<{ id: string; marking: Marking }> {
    const marking = input.marking ?? this.defaultMarking();
    const wider = widerThanDefault(marking, this.n.roster.hubNode);
    if (wider && !input.confirmWider) {
      throw new InvalidInputError(
        `this marking shares more than the default (AMBER+STRICT to the hub alone): ${wider}; confirm to share it anyway`,
      );
    }
    const { id } = await this.n.publish(input.kind, { ...marking, body: input.body }, actor);
    return { id, marking };
  }

  /** Signs the training summary made from the city's own records (the records stay here). */
  async recordTrainingSummary(
    q: Parameters<TrainingRecords['summarize']>[0] & {
      marking?: Marking | undefined;
      confirmWider?: boolean | undefined;
    },
    actor: SessionUser,
  ) {
    const body = await this.training.summarize(q);
    const recorded = await this.record(
      { kind: 'training-summary', body, marking: q.marking, confirmWider: q.confirmWider },
      actor,
    );
    return { ...recorded, body };
  }

  /**
   * A city's ten rows. The city's own people and the hub's officials get the rows from
   * everything the node knows; anyone else only from what that city shared with them,
   * and nothing at all if it shared nothing.
   */
  async scorecard(user: SessionUser, city = this.n.self): Promise<CityScorecard> {
    const { self, role } = this.n;
    const own = city === self;
    if (!own && role === 'hub' && !speaksForHub(role, user.roles)) {
      throw new ForbiddenError('a city’s preparedness is for the hub’s officials');
    }
    const { evidence, entries } = await loadEvidence(this.n.store, city, (objects) =>
      this.n.views.visible(user, objects),
    );
    const withFacts = own || role === 'hub';
    if (!withFacts && entries.length === 0) {
      throw new NotFoundError(`${city} has not published its preparedness to you`);
    }
    const facts = await this.#facts(city, withFacts);
    const rows = scorecard(evidence, facts, { now: this.#now(), ...(this.n.windows && { windows: this.n.windows }) });
    return { city, rows, evidence: entries, withFacts };
  }

  /**
   * The hub's statewide roll-up: one cell per city and recommendation (with reasons when
   * asked), filtered by city, status, county and size class; the daily trend; the cities
   * whose contingency plans are stale or missing while an election is open or ahead.
   */
  async stateGrid(q: RollupQuery = {}) {
    if (this.n.role !== 'hub') throw new ForbiddenError('this node is not the state hub');
    return stateRollup(
      {
        grid: this.grid,
        members: () => this.n.roster.members(),
        periods: this.n.periods ?? (async () => []),
        now: this.#now,
      },
      q,
    );
  }

  /**
   * The public page's preparedness: every TLP:CLEAR preparedness object this node holds
   * (a city's published security day, say), by city, retracted and superseded ones left
   * out. Nothing else is ever read: the TLP filter comes before anything is decoded.
   */
  async publicEvidence(): Promise<{ city: string; name: string; entries: PublicEvidenceEntry[] }[]> {
    const { store, roster } = this.n;
    const clear = async (objects: StoredObject[]) => objects.filter((o) => isPublic({ tlp: o.tlp as 'CLEAR' }));
    const held = await store.read(async (r) =>
      (await Promise.all(PREPAREDNESS_KINDS.map((k) => r.objects.ofKind(k, PUBLIC_PER_KIND)))).flat(),
    );
    const origins = [...new Set((await clear(held)).map((o) => o.origin))];
    const out = [];
    for (const city of origins) {
      const { entries } = await loadEvidence(store, city, clear);
      if (entries.length === 0) continue;
      out.push({
        city,
        name: roster.member(city)?.name ?? city,
        entries: entries
          .filter((e) => e.tlp === 'CLEAR')
          .map((e) => ({ id: e.id, kind: e.kind, created: e.created, tlp: 'CLEAR' as const, body: e.body })),
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Who to call in each city: the liaison objects the hub holds (never RED ones, which name their readers). */
  async liaisons() {
    if (this.n.role !== 'hub') throw new ForbiddenError('this node is not the state hub');
    const { store, roster } = this.n;
    const cities = new Set(this.grid.cityList());
    const held = await store.read((r) => r.objects.ofKind('liaison', 50_000));
    const live = await withoutRetracted(store, this.#hubReadable(held.filter((o) => cities.has(o.origin))));
    return live
      .map((o) => ({
        city: o.origin,
        cityName: roster.member(o.origin)?.name ?? o.origin,
        id: o.id,
        created: o.created.toISOString(),
        ...(decodeStored(o).body as BodyOf<'liaison'>),
      }))
      .sort((a, b) => a.cityName.localeCompare(b.cityName) || a.name.localeCompare(b.name));
  }

  /** One city's live liaison records as this node holds them (whom to call when the city goes quiet). */
  async liaisonsOf(city: string): Promise<BodyOf<'liaison'>[]> {
    const { evidence } = await loadEvidence(this.n.store, city, async (objects) => this.#hubReadable(objects));
    return evidence.liaisons.map((l) => l.body);
  }

  /** What any hub account may see: everything addressed to the hub but RED (named people only). */
  #hubReadable(objects: StoredObject[]): StoredObject[] {
    return objects.filter((o) => mayDisplay(marked(o), { node: this.n.self, user: '' }));
  }

  async #rowsForHub(city: string): Promise<ScoreRow[]> {
    const { evidence } = await loadEvidence(this.n.store, city, async (objects) => this.#hubReadable(objects));
    const facts = await this.#facts(city, true);
    return scorecard(evidence, facts, { now: this.#now(), ...(this.n.windows && { windows: this.n.windows }) });
  }

  #facts(city: string, full: boolean) {
    const { self, role, store, roster } = this.n;
    return nodeFacts(
      { self, role, hubNode: roster.hubNode, store, isActive: (n) => roster.isActive(n), now: this.#now() },
      city,
      full,
    );
  }
}
