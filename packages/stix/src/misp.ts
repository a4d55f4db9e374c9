import type { BodyOf, BulletinStatus, Severity, Tlp } from '@citylink/protocol';
import { stixId } from './ids.js';

/**
 * CityLink bulletins as a MISP feed (the format MISP's "Add feed" reads:
 * `manifest.json`, `hashes.csv` and one `<uuid>.json` per event). Pure: the node
 * decides who may see which bulletin and serves the files.
 */

type Indicator = NonNullable<BodyOf<'bulletin'>['indicators']>[number];

export interface MispBulletin {
  id: string;
  origin: string;
  originName: string;
  created: string;
  tlp: Tlp;
  status: BulletinStatus | null;
  body: BodyOf<'bulletin'>;
}

export interface MispTag {
  name: string;
  colour: string;
}

/** The MISP `tlp` taxonomy (TLP 2.0 values, `tlp:clear` and `tlp:amber+strict` included). */
export const MISP_TLP_TAGS: Record<Tlp, MispTag> = {
  CLEAR: { name: 'tlp:clear', colour: '#ffffff' },
  GREEN: { name: 'tlp:green', colour: '#33ff00' },
  AMBER: { name: 'tlp:amber', colour: '#ffc000' },
  'AMBER+STRICT': { name: 'tlp:amber+strict', colour: '#ffc000' },
  RED: { name: 'tlp:red', colour: '#ff2b2b' },
};

const ATTRIBUTE: Record<Indicator['type'], { type: string; category: string; toIds: boolean }> = {
  'email-sender': { type: 'email-src', category: 'Payload delivery', toIds: true },
  domain: { type: 'domain', category: 'Network activity', toIds: true },
  ip: { type: 'ip-dst', category: 'Network activity', toIds: true },
  url: { type: 'url', category: 'Network activity', toIds: true },
  sha256: { type: 'sha256', category: 'Payload delivery', toIds: true },
  sha1: { type: 'sha1', category: 'Payload delivery', toIds: true },
  md5: { type: 'md5', category: 'Payload delivery', toIds: true },
  phone: { type: 'phone-number', category: 'Other', toIds: false },
  other: { type: 'text', category: 'Other', toIds: false },
};

/** MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. */
const THREAT_LEVEL: Record<Severity, string> = {
  emergency: '1',
  severe: '1',
  high: '1',
  medium: '2',
  low: '3',
  'baseline-minor': '4',
  'baseline-negligible': '4',
};

/** MISP analysis: 0 initial, 1 ongoing, 2 completed. */
const analysisOf = (s: BulletinStatus | null) =>
  !s || s === 'published' ? '0' : s === 'acknowledged' || s === 'investigating' ? '1' : '2';

const uuidOf = (name: string) => stixId('misp', name).split('--')[1]!;
export const mispEventUuid = (bulletinId: string) => uuidOf(`event:${bulletinId}`);
const orgUuid = (node: string) => uuidOf(`org:${node}`);
const seconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

export function mispEvent(b: MispBulletin) {
  const uuid = mispEventUuid(b.id);
  const timestamp = seconds(b.created);
  return {
    Event: {
      uuid,
      info: b.body.title,
      date: (b.body.observedAt ?? b.created).slice(0, 10),
      timestamp,
      publish_timestamp: timestamp,
      published: true,
      threat_level_id: THREAT_LEVEL[b.body.severity],
      analysis: analysisOf(b.status),
      distribution: '0',
      Orgc: { name: b.originName, uuid: orgUuid(b.origin) },
      Tag: [MISP_TLP_TAGS[b.tlp], { name: `citylink:category="${b.body.category}"`, colour: '#0088cc' }],
      Attribute: [
        {
          uuid: uuidOf(`attribute:${b.id}:narrative`),
          type: 'text',
          category: 'Other',
          value: b.body.narrative,
          to_ids: false,
          timestamp,
          comment: 'CityLink bulletin narrative',
        },
        {
          uuid: uuidOf(`attribute:${b.id}:object-id`),
          type: 'text',
          category: 'Internal reference',
          value: `citylink:${b.id}`,
          to_ids: false,
          timestamp,
          comment: 'CityLink object id (verify the signed original with `citylink verify`)',
        },
        ...(b.body.indicators ?? []).map((i, n) => ({
          uuid: uuidOf(`attribute:${b.id}:${n}`),
          type: ATTRIBUTE[i.type].type,
          category: ATTRIBUTE[i.type].category,
          value: i.value,
          to_ids: ATTRIBUTE[i.type].toIds,
          timestamp,
          comment: i.note ?? '',
        })),
      ],
    },
  };
}

export type MispEvent = ReturnType<typeof mispEvent>;

/** `manifest.json`: every event by uuid, with what MISP shows before it fetches the event. */
export function mispManifest(events: readonly MispEvent[]) {
  return Object.fromEntries(
    events.map(({ Event: e }) => [
      e.uuid,
      {
        info: e.info,
        date: e.date,
        timestamp: e.timestamp,
        threat_level_id: e.threat_level_id,
        analysis: e.analysis,
        Orgc: e.Orgc,
        Tag: e.Tag,
      },
    ]),
  );
}

/** `hashes.csv`: one line per attribute, `md5(value),event uuid` (MISP's feed correlation). */
export function mispHashes(events: readonly MispEvent[], md5: (value: string) => string): string {
  return events
    .flatMap(({ Event: e }) => e.Attribute.map((a) => `${md5(a.value)},${e.uuid}`))
    .join('\n')
    .concat(events.length > 0 ? '\n' : '');
}
