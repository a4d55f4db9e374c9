import type { BodyOf } from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import { decodeStored } from '../ingest/projection.js';

/** How many sign-ons are looked at (newest first) for statements awaiting a city's signature. */
const RECENT_SIGN_ONS = 500;
/** A hub refolding 2,000 cities asks once per city: the folded sign-ons serve them all while the log stands still. */
const REUSE_MS = 5_000;

/** One statement's current sign-on, folded once for every city that asks. */
interface OpenSignOn {
  deadline: number;
  /** A final was made from this sign-on: nobody signs it any more. */
  final: boolean;
  /** Who may sign: the city that started the statement and the cities the signed-on revision invites. */
  signers: Set<string>;
  /** Cities whose signature on this sign-on stands (not withdrawn). */
  signed: Set<string>;
}

const bodyOf = <
  K extends
    | 'statement-signon'
    | 'statement-revision'
    | 'statement-final'
    | 'statement-withdrawal'
    | 'statement-signature',
>(
  o: Pick<StoredObject, 'jws'>,
) => decodeStored(o).body as BodyOf<K>;

const folded = new WeakMap<Store, { seq: number; at: number; signOns: Promise<OpenSignOn[]> }>();

async function fold(store: Store): Promise<OpenSignOn[]> {
  const signOns = await store.read((r) => r.objects.ofKind('statement-signon', RECENT_SIGN_ONS));
  // The newest sign-on of each statement is the one that counts (a new text opens a new one).
  const current = new Map<string, { id: string; body: BodyOf<'statement-signon'> }>();
  for (const s of signOns) {
    const body = bodyOf<'statement-signon'>(s);
    if (!current.has(body.statement)) current.set(body.statement, { id: s.id, body });
  }
  if (current.size === 0) return [];
  const list = [...current.values()];
  const related = await store.read((r) => r.objects.targetingAny(list.map((s) => s.body.statement)));
  // The first revision's id is the statement's id; its origin started the statement.
  const held = new Map(
    (await store.getObjects(list.flatMap((s) => [s.body.statement, s.body.revision]))).map((o) => [o.id, o] as const),
  );
  const out: OpenSignOn[] = [];
  for (const s of list) {
    const first = held.get(s.body.statement);
    const revision = held.get(s.body.revision);
    if (!first || !revision) continue;
    const objects = related.get(s.body.statement) ?? [];
    const withdrawn = new Set(
      objects
        .filter((o) => o.kind === 'statement-withdrawal')
        .map((o) => `${o.origin} ${bodyOf<'statement-withdrawal'>(o).signature}`),
    );
    out.push({
      deadline: Date.parse(s.body.deadline),
      final: objects.some((o) => o.kind === 'statement-final' && bodyOf<'statement-final'>(o).signOn === s.id),
      signers: new Set([first.origin, ...bodyOf<'statement-revision'>(revision).invited]),
      signed: new Set(
        objects
          .filter(
            (o) =>
              o.kind === 'statement-signature' &&
              !withdrawn.has(`${o.origin} ${o.id}`) &&
              bodyOf<'statement-signature'>(o).signOn === s.id,
          )
          .map((o) => o.origin),
      ),
    });
  }
  return out;
}

/**
 * Statements whose sign-on is open at `now` (its deadline ahead, no final made from it)
 * that `city` may sign (it started the statement or the signed-on revision invites it)
 * and has not signed, or withdrew its signature: from the objects this node holds.
 */
export async function awaitingSignature(store: Store, city: string, now: Date): Promise<number> {
  let entry = folded.get(store);
  if (!entry || entry.seq !== store.headSeq || Date.now() - entry.at > REUSE_MS) {
    entry = { seq: store.headSeq, at: Date.now(), signOns: fold(store) };
    folded.set(store, entry);
    entry.signOns.catch(() => folded.delete(store));
  }
  const t = now.getTime();
  return (await entry.signOns).filter((s) => s.deadline > t && !s.final && s.signers.has(city) && !s.signed.has(city))
    .length;
}
