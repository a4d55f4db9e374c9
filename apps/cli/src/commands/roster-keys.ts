import { KeyRing, payloadOfJws, thumbprint, verifyObject } from '@citylink/crypto';
import { type KeyRecord, type Roster, utf8 } from '@citylink/protocol';
import { CliError } from '../errors.js';
import { fetchJson } from '../http.js';
import type { Io } from '../io.js';
import { parseNodeUrl } from '../node-url.js';
import { remoteCall } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { UNKNOWN_VALID_FROM } from './hub-keys.js';
import { jwksRecords, type KeyDirectory } from './key-directory.js';
import { fetchNodeInfo, type NodeInfo } from './node-info.js';

export interface RosterKeySpec {
  /** The node whose held roster is used (signed in with `creds`). */
  node: string;
  creds: Credentials;
  /** Pin the hub key by fingerprint; otherwise the hub's published keys are fetched. */
  hubFingerprint?: string;
}

interface TrustRoot {
  ring: KeyRing;
  describe: string;
}

/**
 * Keys from the hub-signed roster a node holds: the roster is verified against the hub
 * key (pinned by fingerprint, or fetched from the hub), then every member's keys, with
 * their validity windows, verify objects. Says on stderr which trust root was used.
 */
export async function loadRosterKeys(io: Io, spec: RosterKeySpec): Promise<KeyDirectory> {
  const info = await fetchNodeInfo(spec.node);
  const client = await connect(spec.node, spec.creds);
  const held = await remoteCall(spec.node, 'reading the roster', () => client.staff.roster.query());
  if (!held.jws) throw new CliError(`${spec.node} holds no hub-signed roster yet; is it enrolled?`);
  const claimed = decodeUnverified(held.jws);
  const warnings: string[] = [];
  const trust = spec.hubFingerprint
    ? await pinnedRoot(spec, info, claimed, spec.hubFingerprint)
    : await fetchedRoot(spec, info, claimed, warnings);
  io.err(`trust root: ${trust.describe}`);
  const result = await verifyObject(held.jws, { resolveKey: trust.ring.resolve, kinds: ['roster'] });
  if (!result.ok) {
    throw new CliError(`the roster held by ${spec.node} does not verify: ${result.reason}: ${result.detail}`);
  }
  const roster = result.object as Roster;
  if (roster.origin !== info.hub)
    throw new CliError(`the roster is signed by ${roster.origin}, not the hub ${info.hub}`);
  if (roster.body.network !== info.network) {
    throw new CliError(`the roster is for network ${roster.body.network}, not ${info.network}`);
  }
  const members = roster.body.members;
  io.err(
    `roster version ${roster.body.version} of network ${info.network} (${members.length} members), signed by ${roster.origin} with key ${result.kid}`,
  );
  const ring = new KeyRing(members);
  return { resolveKey: ring.resolve, nodes: members.map((m) => m.node).sort(), warnings };
}

function decodeUnverified(jws: string): { kid?: string; roster?: Partial<Roster> } {
  try {
    const [h] = jws.split('.');
    const header = JSON.parse(utf8.decode(Buffer.from(h ?? '', 'base64url'))) as { kid?: unknown };
    const roster = JSON.parse(utf8.decode(payloadOfJws(jws))) as Partial<Roster>;
    return { ...(typeof header.kid === 'string' && { kid: header.kid }), roster };
  } catch {
    return {};
  }
}

/** The pinned key's JWK comes from the roster's own hub entry; its thumbprint must be the fingerprint. */
async function pinnedRoot(
  spec: RosterKeySpec,
  info: NodeInfo,
  claimed: ReturnType<typeof decodeUnverified>,
  fingerprint: string,
): Promise<TrustRoot> {
  if (claimed.kid !== undefined && claimed.kid !== fingerprint) {
    throw new CliError(
      `the roster held by ${spec.node} is signed by hub key ${claimed.kid}, not the pinned ${fingerprint}; if the hub has rotated its key, ask its operator for the current fingerprint`,
    );
  }
  const hubEntry = claimed.roster?.body?.members?.find((m) => m.node === info.hub);
  const record = hubEntry?.keys?.find((k) => k.kid === fingerprint);
  if (!record) throw new CliError(`the roster held by ${spec.node} does not carry hub key ${fingerprint}`);
  const actual = await thumbprint(record.jwk);
  if (actual !== fingerprint) {
    throw new CliError(`the roster's hub key labelled ${fingerprint} has the thumbprint ${actual}; do not trust it`);
  }
  // Only the key material is pinned; the roster's own windows for it are not trusted.
  const pinned: KeyRecord = { kid: fingerprint, jwk: record.jwk, validFrom: UNKNOWN_VALID_FROM };
  return {
    ring: new KeyRing([{ node: info.hub, keys: [pinned] }]),
    describe: `hub ${info.hub} key ${fingerprint} (pinned with --hub-fingerprint)`,
  };
}

/** The hub named by the node's citylink-node.json, and the keys that hub publishes. */
async function fetchedRoot(
  spec: RosterKeySpec,
  info: NodeInfo,
  claimed: ReturnType<typeof decodeUnverified>,
  warnings: string[],
): Promise<TrustRoot> {
  let hubUrl = spec.node;
  if (info.role !== 'hub') {
    // Only where to look: what the hub serves there is checked below.
    const listed = claimed.roster?.body?.members?.find((m) => m.node === info.hub)?.baseUrl;
    if (!listed) throw new CliError(`the roster names no URL for the hub ${info.hub}; pass --hub-fingerprint KID`);
    hubUrl = parseNodeUrl(listed, 'the hub URL in the roster');
  }
  const hubInfo = info.role === 'hub' ? info : await fetchNodeInfo(hubUrl);
  if (hubInfo.node !== info.hub || hubInfo.role !== 'hub') {
    throw new CliError(`${hubUrl} is ${hubInfo.node} (${hubInfo.role}), not the hub ${info.hub}`);
  }
  const jwksUrl = `${hubUrl}/.well-known/jwks.json`;
  const keys = await jwksRecords(await fetchJson(jwksUrl), jwksUrl, warnings);
  return {
    ring: new KeyRing([{ node: info.hub, keys }]),
    describe: `hub ${info.hub} keys fetched from ${jwksUrl} (not pinned: pass --hub-fingerprint KID to pin the hub key)`,
  };
}
