import { type BodyOf, mayReceive } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import { InvalidInputError } from '../errors.js';
import { decodeStored, marked } from '../ingest/projection.js';

/**
 * A statement's funding annex: the signing cities' `funding-need` objects, each
 * signed by its city. A row must be held here, be a funding need of a city taking
 * part, and be receivable by everyone the statement goes to (attaching it must not
 * widen its marking).
 */
export async function checkFundingAnnex(
  store: Pick<Store, 'getObjects'>,
  ids: readonly string[],
  statement: { audience: readonly string[]; cities: readonly string[] },
): Promise<void> {
  if (new Set(ids).size !== ids.length) throw new InvalidInputError('the funding annex lists a row twice');
  const held = new Map((await store.getObjects(ids)).map((o) => [o.id, o]));
  for (const id of ids) {
    const row = held.get(id);
    if (row?.kind !== 'funding-need') throw new InvalidInputError(`funding annex: no funding need ${id} held here`);
    if (!statement.cities.includes(row.origin)) {
      throw new InvalidInputError(
        `funding annex: ${id} is from ${row.origin}, which does not take part in the statement`,
      );
    }
    const shut = statement.audience.filter((node) => node !== row.origin && !mayReceive(marked(row), node));
    if (shut.length > 0) {
      throw new InvalidInputError(
        `funding annex: ${row.origin}'s funding need ${id} is TLP:${row.tlp} and may not reach ${shut.join(', ')}; ${row.origin} must share it with them first`,
      );
    }
  }
}

/** The annex rows as the bundle carries them: each city's exact signed object, in table order. */
export async function fundingAnnexRows(store: Pick<Store, 'getObjects'>, ids: readonly string[]) {
  const held = new Map((await store.getObjects(ids)).map((o) => [o.id, o]));
  return ids.map((id) => {
    const row = held.get(id);
    if (!row) throw new InvalidInputError(`funding annex: row ${id} is no longer held here`);
    return { jws: row.jws, origin: row.origin, ...(decodeStored(row).body as BodyOf<'funding-need'>) };
  });
}
