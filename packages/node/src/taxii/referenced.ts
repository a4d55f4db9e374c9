import type { Member } from '@citylink/protocol';
import {
  CITYLINK_EXTENSION,
  CITYLINK_PROJECT_IDENTITY,
  citylinkExtensionDefinition,
  citylinkProjectIdentity,
  identityId,
  identityObject,
  memberIdentity,
  type StixObject,
} from '@citylink/stix';

/**
 * The objects a served object points at that no log row carries: the identity of
 * each node (`created_by_ref`, `where_sighted_refs`, a report's `object_refs`) and
 * CityLink's extension definition with the identity that defines it. A page carries
 * each one it needs, once, just before the first object that names it, so every
 * reference a client meets resolves within the page it arrived in (a consumer such
 * as OpenCTI refuses objects whose references it cannot resolve). They are the same
 * on every page (a client keeps one copy per id and `modified`).
 */
export class ReferencedObjects {
  readonly #byId: Map<string, () => StixObject>;
  readonly #served = new Set<string>();

  constructor(members: readonly Member[]) {
    this.#byId = new Map<string, () => StixObject>([
      [CITYLINK_PROJECT_IDENTITY, citylinkProjectIdentity],
      [CITYLINK_EXTENSION, citylinkExtensionDefinition],
    ]);
    for (const m of members) this.#byId.set(identityId(m.node), () => identityObject(memberIdentity(m)));
  }

  /** The referenced objects `o` needs that this page has not served yet, in the order to serve them. */
  missing(o: StixObject): StixObject[] {
    const wanted = new Set<string>();
    const add = (id: unknown) => {
      if (typeof id === 'string' && !this.#served.has(id) && this.#byId.has(id)) wanted.add(id);
    };
    add(o.created_by_ref);
    for (const key of ['where_sighted_refs', 'object_refs'] as const) {
      const refs = (o as Record<string, unknown>)[key];
      if (Array.isArray(refs)) for (const r of refs) if (String(r).startsWith('identity--')) add(r);
    }
    if (o.extensions && CITYLINK_EXTENSION in (o.extensions as object)) {
      add(CITYLINK_PROJECT_IDENTITY);
      add(CITYLINK_EXTENSION);
    }
    return [...wanted].map((id) => this.#byId.get(id)!());
  }

  served(objects: readonly StixObject[]): void {
    for (const o of objects) this.#served.add(o.id);
  }

  /** One referenced object by id (TAXII's `/objects/{id}/`), or undefined. */
  byId(id: string): StixObject | undefined {
    return this.#byId.get(id)?.();
  }
}
