import { describe, expect, it } from 'vitest';
import { type Member, MemberSchema, RosterBodySchema } from './objects.js';

const X = 'a'.repeat(43);
const member = (i: number, extra: Partial<Member> = {}): Member => ({
  node: `wi-remember-${i}`,
  name: `City ${i}`,
  baseUrl: `https://city-${i}.example.gov`,
  role: 'city',
  status: 'active',
  keys: [{ kid: X, jwk: { kty: 'OKP', crv: 'Ed25519', x: X }, validFrom: '2026-01-01T00:00:00.000Z' }],
  ...extra,
});
const roster = (members: unknown[]) => ({ network: 'wi', version: 3, members });

describe('roster members are validated once, then remembered', () => {
  it('a member changed since the last roster is checked again: same issues and paths as MemberSchema', () => {
    expect(RosterBodySchema.safeParse(roster([member(1), member(2)])).success).toBe(true);
    const broken = { ...member(2), baseUrl: 'ftp://city-2.example.gov' };
    const got = RosterBodySchema.safeParse(roster([member(1), broken]));
    const alone = MemberSchema.safeParse(broken);
    expect(got.success).toBe(false);
    expect(alone.success).toBe(false);
    expect(got.error!.issues.map((i) => [i.path, i.message])).toEqual(
      alone.error!.issues.map((i) => [['members', 1, ...i.path], i.message]),
    );
  });

  it('an entry that only looks the same (a Date, an extra undefined key, NaN) is not taken for the remembered one', () => {
    const valid = member(3);
    expect(RosterBodySchema.safeParse(roster([valid])).success).toBe(true);
    const withDate = { ...valid, keys: [{ ...valid.keys[0]!, validFrom: new Date('2026-01-01T00:00:00.000Z') }] };
    expect(RosterBodySchema.safeParse(roster([withDate])).success).toBe(false);
    expect(RosterBodySchema.safeParse(roster([{ ...valid, extra: undefined }])).success).toBe(false);
    expect(
      RosterBodySchema.safeParse(roster([{ ...valid, keys: [{ ...valid.keys[0]!, extra: Number.NaN }] }])).success,
    ).toBe(false);
    // The remembered entry is still good, and a new valid one replaces it.
    expect(RosterBodySchema.safeParse(roster([valid])).success).toBe(true);
    const moved = member(3, { baseUrl: 'https://moved.example.gov' });
    expect(RosterBodySchema.parse(roster([moved])).members[0]).toEqual(moved);
  });

  it('the output equals the input, as MemberSchema gives it', () => {
    const members = [member(4), member(5, { contact: 'clerk@city-5.example.gov' })];
    expect(RosterBodySchema.parse(roster(members)).members).toEqual(members.map((m) => MemberSchema.parse(m)));
    expect(RosterBodySchema.parse(roster(members)).members).toEqual(members);
  });
});
