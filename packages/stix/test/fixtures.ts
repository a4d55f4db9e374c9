import { importNodeKey, type NodeKey, type NodeKeyFile, signObject } from '@citylink/crypto';
import type { SignedObject } from '@citylink/protocol';
import type { BundleContext, CityLinkEntry, NodeIdentity } from '../src/index.js';

/** Fixed test keys (Ed25519 signatures are deterministic, so every JWS below is too). */
const KEY_FILES: Record<string, NodeKeyFile> = {
  'wi-madison': {
    kid: 'U_WjmVHzAzgM1gH8mgWGPKv7GHAAwbIxdcUkuF4Tb_Y',
    created: '2026-01-01T00:00:00.000Z',
    jwk: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'yUYfzkEwU3WXS5uPXGOzt3mGagmpeEWUJMCLmt-F-lA',
      d: 'urHeKxyB0mBUfTlBOgwe7S1tMMxIbGKKxvymFouowks',
    },
  },
  'wi-milwaukee': {
    kid: 'NkXAFYriAgWlKQ2-zhcVkAT6YvID33A-sJBBno1Y3Ek',
    created: '2026-01-01T00:00:00.000Z',
    jwk: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'jDEl07Wd8V3V9vPWkHlc4PMfe1N9gsa3Iz8ImMLP6Zk',
      d: 'hewJ1TYMXPcksgWU71r6YeVpEcSqMcasyghcShEg3os',
    },
  },
  'wi-hub': {
    kid: 'ZevrUs-GuKZsK9CaqZn0Qv5Qa8ucwMUIYwpvE6Du0xM',
    created: '2026-01-01T00:00:00.000Z',
    jwk: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'S-RuLcD6dnoicK31t_E-OsCjngkI9ahM_kSslrnIFOk',
      d: 'NOwLKtPJMQ2ij7txyVUuFzYmOX643vaRH6q62WBHxp4',
    },
  },
};

const keys = new Map<string, NodeKey>();
export async function keyOf(node: string): Promise<NodeKey> {
  const held = keys.get(node);
  if (held) return held;
  const key = await importNodeKey(KEY_FILES[node]!);
  keys.set(node, key);
  return key;
}

export async function sign(object: SignedObject): Promise<CityLinkEntry> {
  const { id, jws, object: signed } = await signObject(object, await keyOf(object.origin));
  return { id, jws, object: signed };
}

export const NODES: Record<string, NodeIdentity> = {
  'wi-madison': { node: 'wi-madison', name: 'City of Madison', role: 'city', since: '2026-01-01T00:00:00Z' },
  'wi-milwaukee': { node: 'wi-milwaukee', name: 'City of Milwaukee', role: 'city', since: '2026-01-02T00:00:00Z' },
  'wi-hub': { node: 'wi-hub', name: 'Wisconsin Elections Commission', role: 'hub', since: '2026-01-01T00:00:00Z' },
};

/** An export context over a set of entries, as a node holding them would give. */
export function contextOf(entries: CityLinkEntry[]): BundleContext {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return { lookup: (id) => byId.get(id), node: (id) => NODES[id] };
}

const envelope = (origin: string, created: string) =>
  ({ v: 1, origin, created, tlp: 'GREEN', audience: ['*'] }) as const;

/** One object of every exported kind, all from fixed inputs. */
export async function corpus() {
  const bulletin = await sign({
    ...envelope('wi-madison', '2026-11-03T14:00:00.000Z'),
    kind: 'bulletin',
    body: {
      title: 'Phishing e-mails impersonating the state elections office',
      narrative: "Poll workers received e-mails asking them to confirm credentials on a look-alike site ('wec-vote').",
      category: 'cyber.phishing',
      severity: 'high',
      observedAt: '2026-11-03T12:30:00Z',
      detectedAt: '2026-11-03T13:05:00.250Z',
      location: { description: 'City clerk office', county: 'Dane', precinct: 'Ward 12' },
      attackVector: 'email',
      functionalImpact: 'minimal',
      informationImpact: 'suspected',
      affected: { staff: 14 },
      indicators: [
        { type: 'email-sender', value: 'elections@wec-vote.example', note: 'From header' },
        { type: 'domain', value: 'wec-vote.example' },
        { type: 'url', value: "https://wec-vote.example/login?u='x'" },
        { type: 'ip', value: '203.0.113.7' },
        { type: 'ip', value: '2001:db8::7' },
        { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
        { type: 'phone', value: '+1 608 555 0100' },
      ],
    },
  });
  const correction = await sign({
    ...envelope('wi-madison', '2026-11-03T15:00:00.000Z'),
    kind: 'bulletin',
    body: {
      ...(bulletin.object.body as object),
      title: 'Phishing e-mails impersonating the WEC (corrected)',
      supersedes: bulletin.id,
    } as never,
  });
  const status = await sign({
    ...envelope('wi-hub', '2026-11-03T15:30:00.000Z'),
    kind: 'bulletin-status',
    body: { target: correction.id, status: 'confirmed', note: 'Confirmed with two other cities.' },
  });
  const sighting = await sign({
    ...envelope('wi-milwaukee', '2026-11-03T14:20:00.000Z'),
    kind: 'acknowledgement',
    body: { target: bulletin.id, seenHere: true, comment: 'Same sender here since 9 am.' },
  });
  const ack = await sign({
    ...envelope('wi-hub', '2026-11-03T14:10:00.000Z'),
    kind: 'acknowledgement',
    body: { target: bulletin.id, seenHere: false },
  });
  const note = await sign({
    ...envelope('wi-milwaukee', '2026-10-01T09:00:00.000Z'),
    tlp: 'CLEAR',
    kind: 'note',
    body: {
      topic: 'phishing-training',
      title: 'Monthly phishing drills for poll-worker leads',
      problem: 'Leads clicked on look-alike links.',
      whatWorked: 'Short monthly drills with a one-page debrief.',
      whatDidNot: 'Annual hour-long training.',
      cost: '$0 (in-house)',
      staff: 'One IT staff member, 2 hours a month',
      jurisdictionSize: 'xl',
    },
  });
  const endorsement = await sign({
    ...envelope('wi-madison', '2026-10-05T09:00:00.000Z'),
    kind: 'endorsement',
    body: { target: note.id, comment: 'Worked for us too.' },
  });
  const posture = await sign({
    ...envelope('wi-hub', '2026-11-03T06:00:00.000Z'),
    kind: 'posture',
    body: {
      level: 'elevated',
      advisory: { title: 'Election Day: elevated posture', text: 'Expect phishing aimed at poll workers.' },
    },
  });
  const retraction = await sign({
    ...envelope('wi-madison', '2026-11-04T10:00:00.000Z'),
    kind: 'retraction',
    body: { target: correction.id, reason: 'Sent to the wrong network.' },
  });
  const amber = await sign({
    ...envelope('wi-madison', '2026-11-03T16:00:00.000Z'),
    tlp: 'AMBER+STRICT',
    audience: ['wi-hub'],
    kind: 'bulletin',
    body: {
      title: 'Vendor reported a pollbook sync fault',
      narrative: 'Two e-pollbooks stopped syncing at 7:40.',
      category: 'operational.vendor-issue',
      severity: 'medium',
    },
  });
  return { bulletin, correction, status, sighting, ack, note, endorsement, posture, retraction, amber };
}
