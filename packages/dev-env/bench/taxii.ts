/**
 * TAXII 2.1: one page of 1,000 objects from a 100,000-object collection, over HTTP
 * with a feed-reader token, beside reading the same 1,000 rows straight from the
 * store in the same run (anchor: OpenCTI's TAXII takes 10+ s per 100-object page on
 * large collections). Then STIX export throughput (objects/s) beside JSON.stringify
 * of the same CityLink objects.
 *
 *   npm run bench -w @citylink/dev-env -- taxii   (BENCH_TAXII_OBJECTS=n sets the count)
 *
 * The objects are stored through `store.append` with real payloads and a placeholder
 * signature (the page is what is measured, not ingest: the ingest benchmark measures
 * verification).
 */
import { createHash } from 'node:crypto';
import { type CityLinkEntry, toStixObjects } from '@citylink/stix';
import type { AppendInput } from '@citylink/store';
import { TestNetwork } from '../src/index.js';
import { machineLine, median, ms, peakRssLine, perSec, result, size, watchdog } from './lib.js';

const count = size('TAXII_OBJECTS', 100_000, 5_000);
const PAGE = 1_000;
const timer = watchdog(280_000, 'taxii');
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'EdDSA', typ: 'citylink.bulletin+jws', kid: 'bench' }));

function input(n: number, origin: string): { append: AppendInput; entry: CityLinkEntry } {
  const created = new Date(Date.UTC(2026, 9, 1) + n * 1000).toISOString();
  const object = {
    v: 1,
    kind: 'bulletin',
    origin,
    created,
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: `Look-alike domain ${n}`,
      narrative: `A look-alike of the county election site was registered (${n}).`,
      category: 'cyber.spoofing',
      severity: 'medium',
      indicators: [{ type: 'domain', value: `vote-county${n}.example` }],
    },
  };
  const payload = b64(JSON.stringify(object));
  const id = createHash('sha256').update(payload).digest('base64url');
  const jws = `${HEADER}.${payload}.${b64(`placeholder-signature-${n}`)}`;
  return {
    entry: { id, jws, object: object as CityLinkEntry['object'] },
    append: {
      object: {
        id,
        kind: 'bulletin',
        origin,
        kid: 'bench',
        created: new Date(created),
        receivedFrom: origin,
        tlp: 'GREEN',
        audience: ['*'],
        recipients: null,
        target: null,
        jws,
      },
      item: {
        id,
        kind: 'bulletin',
        origin,
        created: new Date(created),
        tlp: 'GREEN',
        title: object.body.title,
        category: 'cyber.spoofing',
        severity: 'medium',
        topic: null,
        status: 'published',
        retracted: false,
        supersededBy: null,
        searchText: object.body.title,
      },
    },
  };
}

const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

console.log(machineLine());
const net = await TestNetwork.create({ cities: 1, logLevel: 'silent' });
try {
  const city = net.cities[0]!;
  const entries: CityLinkEntry[] = [];
  const t0 = performance.now();
  for (let n = 0; n < count; n += 2_000) {
    const batch = Array.from({ length: Math.min(2_000, count - n) }, (_, i) => input(n + i, city.id));
    await city.store.append(batch.map((b) => b.append));
    if (entries.length < 10_000) entries.push(...batch.map((b) => b.entry));
  }
  console.log(`${count} bulletins stored in ${ms(performance.now() - t0)}`);
  const { token } = await city.tokens.create({ name: 'bench', role: 'feed-reader', by: 'bench' });
  const url = `${city.baseUrl}/taxii2/api/collections/network/objects/`;
  const headers = { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${token}` };
  // `next` of a page in the middle of the collection: a client half-way through.
  const first = (await (await fetch(`${url}?limit=${PAGE}`, { headers })).json()) as {
    objects: { id: string; type: string }[];
  };
  if (first.objects.length !== PAGE) throw new Error(`first page has ${first.objects.length} objects`);
  const startSeq = Math.floor(count / 2);
  const next = Buffer.from(`${city.store.epoch}|${startSeq}|0`).toString('base64url');
  const pages: number[] = [];
  const raw: number[] = [];
  let served = 0;
  // The log rows behind one page: each bulletin is several STIX objects (incident, indicator, observable, relationship).
  let rows = PAGE;
  for (let i = 0; i < 15; i++) {
    pages.push(
      await time(async () => {
        const body = (await (await fetch(`${url}?limit=${PAGE}&next=${next}`, { headers })).json()) as {
          objects: { extensions?: Record<string, { object_id?: string }> }[];
        };
        served = body.objects.length;
        rows = new Set(body.objects.flatMap((o) => Object.values(o.extensions ?? {}).flatMap((x) => x.object_id ?? [])))
          .size;
      }),
    );
    raw.push(await time(() => city.store.logAfter(startSeq - 1, rows)));
  }
  if (served !== PAGE) throw new Error(`a page served ${served} objects, not ${PAGE}`);
  const page = median(pages);
  console.log(
    `TAXII page of ${PAGE} from ${count} (HTTP, auth, visibility, STIX mapping): median ${page.toFixed(1)} ms; the same ${rows} log rows from the store (baseline) ${median(raw).toFixed(1)} ms`,
  );

  // One object by id: the first read builds the STIX id index from the log, later reads use it.
  const incidents = first.objects.filter((o) => o.type === 'incident').map((o) => o.id);
  const byId = (id: string) => fetch(`${url}${id}/`, { headers }).then((r) => r.json());
  const build = await time(() => byId(incidents[0]!));
  const reads: number[] = [];
  const direct: number[] = [];
  for (let i = 1; i <= 15; i++) {
    reads.push(await time(() => byId(incidents[i]!)));
    direct.push(await time(() => city.store.getObject(entries[i]!.id)));
  }
  console.log(
    `TAXII object by id in ${count}: first read ${ms(build)} (indexes the log once), then median ${median(reads).toFixed(1)} ms; the same row from the store (baseline) ${median(direct).toFixed(2)} ms`,
  );

  // Export throughput over the same objects, beside JSON.stringify of the CityLink objects.
  const ctx = { lookup: () => undefined };
  let stixObjects = 0;
  const tExport = performance.now();
  for (const e of entries) {
    const out = toStixObjects(e, ctx);
    if (Array.isArray(out)) stixObjects += out.length;
    JSON.stringify(out);
  }
  const exportMs = performance.now() - tExport;
  const tJson = performance.now();
  for (const e of entries) JSON.stringify(e.object);
  const jsonMs = performance.now() - tJson;
  const rate = (stixObjects / exportMs) * 1000;
  console.log(
    `STIX export: ${entries.length} bulletins → ${stixObjects} STIX objects in ${ms(exportMs)} (${perSec(rate)} STIX objects, serialized); JSON.stringify of the same CityLink objects ${perSec((entries.length / jsonMs) * 1000)} CityLink objects (baseline)`,
  );
  console.log(peakRssLine());
  result('taxii-page-1000', page, 'ms', '<', 200);
  result('stix-export', rate, 'objects/s', '>=', 10_000);
} finally {
  clearTimeout(timer);
  await net.close();
}
