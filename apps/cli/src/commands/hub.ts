import type { CityLinkClient, RouterOutputs } from '@citylink/client';
import { payloadOfJws, thumbprint } from '@citylink/crypto';
import { type KeyRecord, type Member, type Roster, utf8 } from '@citylink/protocol';
import { CliError } from '../errors.js';
import { readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { remoteCall } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { renderTable } from '../table.js';
import { parseHubKeys, UNKNOWN_VALID_FROM } from './hub-keys.js';

/** Every `citylink hub …` command talks to the hub as a hub official or admin. */
export interface HubSession {
  node: string;
  creds: Credentials;
}

type Enrollment = RouterOutputs['hub']['enrollments'][number];
type MemberHealth = RouterOutputs['hub']['network'][number];
export type MemberStatus = Member['status'];

async function hub<T>(s: HubSession, doing: string, call: (c: CityLinkClient) => Promise<T>): Promise<T> {
  const client = await connect(s.node, s.creds);
  return remoteCall(s.node, doing, () => call(client));
}

function printVersion(io: Io, version: number, what: string): void {
  io.out(`roster version ${version}`);
  io.err(`${what}; every city adopts roster version ${version} within its roster interval`);
}

export async function hubEnrollments(
  io: Io,
  s: HubSession & { status?: 'pending' | 'approved' | 'rejected'; json: boolean },
): Promise<void> {
  const list = await hub(s, 'listing enrollments', (c) =>
    c.hub.enrollments.query(s.status ? { status: s.status } : undefined),
  );
  if (list.length === 0) {
    io.err(s.status ? `no ${s.status} enrollment requests` : 'no enrollment requests');
    return;
  }
  if (s.json) {
    for (const e of list) io.out(JSON.stringify(e));
    return;
  }
  for (const line of enrollmentTable(list)) io.out(line);
  if (list.some((e) => e.status === 'pending')) {
    io.err('before approving, check each kid with the city operator out of band (it is their key fingerprint)');
  }
}

export function enrollmentTable(list: readonly Enrollment[]): string[] {
  return renderTable([
    ['id', 'node', 'status', 'received', 'kid', 'base url', 'contact', 'name', 'reason', 'county', 'population'],
    ...list.map((e) => [
      e.id,
      e.node,
      e.competing > 0 ? `${e.status} (${e.competing} competing)` : e.status,
      e.receivedAt,
      e.kid,
      e.baseUrl,
      e.contact,
      e.name,
      e.reason ?? '',
      e.county ?? '',
      e.population === null ? '' : String(e.population),
    ]),
  ]);
}

export async function hubApprove(
  io: Io,
  s: HubSession & { id: string; county?: string; population?: number },
): Promise<void> {
  const profile = {
    ...(s.county !== undefined && { county: s.county }),
    ...(s.population !== undefined && { population: s.population }),
  };
  const { version } = await hub(s, `approving enrollment ${s.id}`, (c) =>
    c.hub.approveEnrollment.mutate({ id: s.id, ...profile }),
  );
  printVersion(io, version, `approved enrollment ${s.id}: the node is an active member`);
}

export async function hubReject(io: Io, s: HubSession & { id: string; reason: string }): Promise<void> {
  await hub(s, `rejecting enrollment ${s.id}`, (c) => c.hub.rejectEnrollment.mutate({ id: s.id, reason: s.reason }));
  io.out(`rejected ${s.id}`);
}

const STATUS_WORDS: Record<MemberStatus, string> = {
  active: 'reinstated (active)',
  suspended: 'suspended: its objects and calls are refused until it is reinstated',
  revoked: 'revoked: its keys are revoked; what it signed before stays valid',
  decommissioned: 'decommissioned: its keys are closed; what it signed before stays valid',
};

export async function hubSetStatus(
  io: Io,
  s: HubSession & { member: string; status: MemberStatus; at?: string },
): Promise<void> {
  const { version } = await hub(s, `setting ${s.member} to ${s.status}`, (c) =>
    c.hub.setMemberStatus.mutate({ node: s.member, status: s.status, ...(s.at && { at: s.at }) }),
  );
  printVersion(io, version, `${s.member} ${STATUS_WORDS[s.status]}${s.at ? ` (from ${s.at})` : ''}`);
}

export async function hubRevokeKey(
  io: Io,
  s: HubSession & { member: string; kid: string; compromised: boolean; at?: string },
): Promise<void> {
  const { version } = await hub(s, `revoking key ${s.kid} of ${s.member}`, (c) =>
    c.hub.revokeKey.mutate({
      node: s.member,
      kid: s.kid,
      ...(s.at && { at: s.at }),
      ...(s.compromised && { compromised: true }),
    }),
  );
  const scope = s.compromised
    ? 'everything it ever signed is now distrusted'
    : `objects it signed from ${s.at ?? 'now'} on are refused`;
  printVersion(io, version, `key ${s.kid} of ${s.member} revoked: ${scope}`);
}

export async function hubSetUrl(io: Io, s: HubSession & { member: string; url: string }): Promise<void> {
  const { version } = await hub(s, `changing the URL of ${s.member}`, (c) =>
    c.hub.changeMemberUrl.mutate({ node: s.member, baseUrl: s.url }),
  );
  printVersion(io, version, `${s.member} is now reached at ${s.url}`);
}

export async function hubMembers(io: Io, s: HubSession & { json: boolean }): Promise<void> {
  const members = await hub(s, 'reading the members', (c) => c.hub.network.query());
  if (s.json) {
    for (const m of members) io.out(JSON.stringify(m));
    return;
  }
  for (const line of memberTable(members)) io.out(line);
}

export function memberTable(members: readonly MemberHealth[]): string[] {
  return renderTable([
    ['node', 'role', 'status', 'last seen', 'backlog', 'breaker', 'key age (days)', 'name'],
    ...[...members]
      .sort((a, b) => a.node.localeCompare(b.node))
      .map((m) => [
        m.node,
        m.role,
        m.status,
        m.lastSeen ?? '-',
        String(m.backlog),
        String(m.breaker),
        String(m.keyAgeDays),
        m.name,
      ]),
  ]);
}

/**
 * Admin: gives a member a new key when it cannot rotate (its key was lost or stolen, so
 * it cannot sign an announcement the hub would accept). Keeps every old key record so
 * what they signed keeps its verdict, closes the ones still open, and publishes the
 * member with the new key through `hub.upsertMembers`. The status is left as it is.
 */
export async function hubReplaceKey(
  io: Io,
  s: HubSession & { member: string; file: string; now?: Date },
): Promise<void> {
  const given = await parseHubKeys(await readJsonFile(s.file), s.file);
  if (given.node !== undefined && given.node !== s.member) {
    throw new CliError(`${s.file} is a record of ${given.node}, not ${s.member}`);
  }
  if (given.keys.length !== 1) throw new CliError(`${s.file}: expected one public key, found ${given.keys.length}`);
  const key = given.keys[0]!;
  const kid = await thumbprint(key.jwk);
  const client = await connect(s.node, s.creds);
  const { jws } = await remoteCall(s.node, 'reading the roster', () => client.staff.roster.query());
  if (!jws) throw new CliError(`${s.node} holds no roster; is it the hub?`);
  const members = (JSON.parse(utf8.decode(payloadOfJws(jws))) as Roster).body.members;
  const current = members.find((m) => m.node === s.member);
  if (!current) {
    throw new CliError(`${s.member} is not in the roster at ${s.node}; a new node joins with \`citylink enroll\``);
  }
  const holder = members.find((m) => m.keys.some((k) => k.kid === kid));
  if (holder) throw new CliError(`key ${kid} is already in the roster (of ${holder.node}); generate a new one`);
  const at = s.now ?? new Date();
  const now = at.toISOString();
  // From when the key was made (the record's validFrom, if it has one in the past), else from now.
  const made = key.validFrom === UNKNOWN_VALID_FROM ? Number.NaN : Date.parse(key.validFrom);
  const validFrom = made < at.getTime() ? new Date(made).toISOString() : now;
  const closed: string[] = [];
  const keys: KeyRecord[] = current.keys.map((k) => {
    const open = k.revokedAt === undefined && (k.validUntil === undefined || Date.parse(k.validUntil) > at.getTime());
    if (!open) return k;
    closed.push(k.kid);
    return { ...k, validUntil: now };
  });
  const member: Member = { ...current, keys: [...keys, { kid, jwk: key.jwk, validFrom }] };
  const { version } = await remoteCall(s.node, `replacing the key of ${s.member}`, () =>
    client.hub.upsertMembers.mutate({ members: [member] }),
  );
  printVersion(
    io,
    version,
    `${s.member} has key ${kid} from ${validFrom}${closed.length > 0 ? `; closed ${closed.join(', ')} at ${now}` : ''}`,
  );
  if (current.status !== 'active') {
    io.err(
      `note: ${s.member} is ${current.status}; when it should take part again: citylink hub reinstate ${s.member} --node ${s.node}`,
    );
  }
}
