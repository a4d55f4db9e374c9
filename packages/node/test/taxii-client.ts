import { expect } from 'vitest';

// A TAXII 2.1 client written from the specification (OASIS TAXII 2.1 §3-§5), sharing
// nothing with the server: discovery → API root → collections → objects with
// limit/next/added_after, by id, versions, manifest. It checks what any client would:
// the media type of every answer, the envelope, the date headers.

export const TAXII = 'application/taxii+json;version=2.1';
/** TLP 2.0 marking definitions (FIRST / STIX 2.1 TLP extension). */
export const TLP = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export interface StixObject {
  type: string;
  id: string;
  spec_version: string;
  name?: string;
  modified?: string;
  created_by_ref?: string;
  extensions?: Record<string, unknown>;
  object_marking_refs?: string[];
}
export interface Envelope {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}
interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class TaxiiClient {
  constructor(
    private readonly discoveryUrl: string,
    private readonly auth?: { user: string; password: string } | { bearer: string },
  ) {}

  async get<T>(url: string, accept = TAXII): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept };
    if (this.auth && 'bearer' in this.auth) headers.authorization = `Bearer ${this.auth.bearer}`;
    else if (this.auth) {
      headers.authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    }
    const res = await fetch(url, { headers });
    // §1.6.8: every TAXII answer, errors included, is the TAXII media type.
    expect(res.headers.get('content-type')).toBe(TAXII);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** §4.1 discovery, §4.2 API root, §5.1 collections: the collection with this title. */
  async collection(title: string): Promise<string> {
    const discovery = await this.get<{ default: string; api_roots: string[] }>(this.discoveryUrl);
    expect(discovery.status).toBe(200);
    expect(discovery.body.api_roots).toContain(discovery.body.default);
    const root = await this.get<{ versions: string[] }>(discovery.body.default);
    expect(root.body.versions).toContain(TAXII);
    const list = await this.get<{ collections?: { id: string; title: string; can_read: boolean }[] }>(
      `${discovery.body.default}collections/`,
    );
    const c = list.body.collections?.find((x) => x.title === title);
    if (!c) throw new Error(`no collection ${title} (status ${list.status})`);
    expect(c.can_read).toBe(true);
    return `${discovery.body.default}collections/${c.id}/`;
  }

  /** §5.4: every object, page by page with `next`; answers the objects and the last page's Date-Added-Last. */
  async all(collection: string, params: Record<string, string> = {}) {
    const objects: StixObject[] = [];
    let next: string | undefined;
    let last: string | null = null;
    let pages = 0;
    do {
      const url = new URL(`${collection}objects/`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (next) url.searchParams.set('next', next);
      const page = await this.get<Envelope>(url.toString());
      expect(page.status).toBe(200);
      pages++;
      objects.push(...(page.body.objects ?? []));
      if (page.body.objects?.length) {
        const first = page.headers.get('x-taxii-date-added-first');
        last = page.headers.get('x-taxii-date-added-last');
        expect(first && last && Date.parse(first) <= Date.parse(last)).toBe(true);
      }
      next = page.body.more ? page.body.next : undefined;
      if (page.body.more) expect(next).toBeTruthy();
      // A server whose pages do not move forward would page for ever.
      expect(pages, 'pages').toBeLessThan(100_000);
    } while (next);
    return { objects, last, pages };
  }
}
