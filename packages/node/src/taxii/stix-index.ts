import { TLP_LEVELS } from '@citylink/protocol';
import { type CityLinkEntry, toStixObjects } from '@citylink/stix';
import type { StixRef, Store } from '@citylink/store';
import { yieldToLoop } from '../yield-to-loop.js';
import { entryOf, exportContext } from './export-context.js';

const BATCH = 5_000;
/** Entries mapped between two returns to the event loop (a batch is seconds of mapping). */
const YIELD_EVERY = 200;

const uuidOf = (stixId: string) => stixId.slice(stixId.indexOf('--') + 2);

/**
 * Which log rows' STIX forms carry a given STIX id, so `/objects/{id}/` and
 * `/versions/` read those rows instead of the whole collection (STIX ids are UUIDv5
 * hashes: nothing maps them back). Kept in `stix_refs` from the log, caught up
 * before every lookup (one catch-up at a time per process; several processes on
 * one database add the same pairs harmlessly). A response indexed before its
 * target arrived gave no STIX form then: rows that target a newly indexed row are
 * mapped again with it.
 */
export class StixIndex {
  #running: Promise<void> | undefined;

  constructor(private readonly n: { store: Store; kinds: readonly string[] }) {}

  /** The CityLink object ids whose STIX forms may carry `stixId` (the caller maps and filters them). */
  async objectsOf(stixId: string): Promise<string[]> {
    await this.catchUp();
    return this.n.store.read((r) => r.stixRefs.objectsOf(uuidOf(stixId)));
  }

  catchUp(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const { store, kinds } = this.n;
    const key = `stix_index_seq:${store.epoch}`;
    let after = Number((await store.getMeta(key)) ?? 0);
    for (;;) {
      // Indexing a large log in one run of promises held every other request for seconds.
      await yieldToLoop();
      const slice = await store.read((r) => r.log.slice({ afterSeq: after, limit: BATCH, tlps: TLP_LEVELS, kinds }));
      if (slice.last === undefined) return;
      const entries = slice.rows.map((r) => entryOf(r.object));
      const answering = [...(await store.read((r) => r.objects.targetingAny(entries.map((e) => e.id)))).values()]
        .flat()
        .filter((o) => kinds.includes(o.kind))
        .map(entryOf);
      const refs = await refsOf(store, [...entries, ...answering]);
      const last = slice.last;
      await store.transact(async (tx) => {
        await tx.stixRefs.add(refs);
        await tx.meta.set(key, String(last));
      });
      after = last;
      if (slice.read < BATCH) return;
    }
  }
}

async function refsOf(store: Store, entries: readonly CityLinkEntry[]): Promise<StixRef[]> {
  const ctx = await exportContext(store, entries);
  const refs: StixRef[] = [];
  for (const [i, e] of entries.entries()) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    const stix = toStixObjects(e, ctx);
    if (!Array.isArray(stix)) continue;
    for (const o of stix) refs.push({ uuid: uuidOf(o.id), objectId: e.id });
  }
  return refs;
}
