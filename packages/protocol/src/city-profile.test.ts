import { describe, expect, it } from 'vitest';
import { CountySchema, countyKey, PopulationSchema, SIZE_CLASSES, sizeClassOf } from './city-profile.js';
import { EnrollmentBodySchema, MemberSchema } from './objects.js';

describe('city size classes', () => {
  it('small below 50,000, medium to 249,999, large from 250,000', () => {
    expect(sizeClassOf(1)).toBe('small');
    expect(sizeClassOf(49_999)).toBe('small');
    expect(sizeClassOf(50_000)).toBe('medium');
    expect(sizeClassOf(249_999)).toBe('medium');
    expect(sizeClassOf(250_000)).toBe('large');
    expect(sizeClassOf(8_300_000)).toBe('large');
  });

  it('no class without a known, positive, whole population', () => {
    expect(sizeClassOf(undefined)).toBeUndefined();
    expect(sizeClassOf(0)).toBeUndefined();
    expect(sizeClassOf(-5)).toBeUndefined();
    expect(sizeClassOf(1.5)).toBeUndefined();
  });

  it('the classes tile the range without gaps', () => {
    const c = Object.values(SIZE_CLASSES);
    for (let i = 1; i < c.length; i++) expect(c[i]!.min).toBe(c[i - 1]!.max + 1);
  });
});

describe('county and population in the roster', () => {
  const member = {
    node: 'wi-madison',
    name: 'Madison',
    baseUrl: 'https://madison.example.gov',
    role: 'city',
    status: 'active',
    keys: [
      {
        kid: 'a'.repeat(43),
        jwk: { kty: 'OKP', crv: 'Ed25519', x: 'a'.repeat(43) },
        validFrom: '2026-01-01T00:00:00.000Z',
      },
    ],
  };

  it('both are optional, and a member without them parses as before', () => {
    expect(MemberSchema.parse(member)).toEqual(member);
    expect(MemberSchema.parse({ ...member, county: 'Dane', population: 269_840 })).toMatchObject({ county: 'Dane' });
  });

  it('refuses a county with "County" in it, padded names, and non-positive or fractional populations', () => {
    expect(CountySchema.safeParse('Dane County').success).toBe(false);
    expect(CountySchema.safeParse(' Dane').success).toBe(false);
    expect(CountySchema.safeParse('').success).toBe(false);
    expect(CountySchema.safeParse('St. Croix').success).toBe(true);
    expect(PopulationSchema.safeParse(0).success).toBe(false);
    expect(PopulationSchema.safeParse(12.5).success).toBe(false);
    expect(MemberSchema.safeParse({ ...member, population: -1 }).success).toBe(false);
  });

  it('an enrollment may carry them', () => {
    const body = {
      network: 'wi',
      node: 'wi-madison',
      name: 'Madison',
      baseUrl: 'https://madison.example.gov',
      key: { kid: 'a'.repeat(43), jwk: { kty: 'OKP', crv: 'Ed25519', x: 'a'.repeat(43) } },
      contact: 'clerk@madison.example.gov',
    };
    expect(EnrollmentBodySchema.safeParse(body).success).toBe(true);
    expect(EnrollmentBodySchema.safeParse({ ...body, county: 'Dane', population: 269_840 }).success).toBe(true);
    expect(EnrollmentBodySchema.safeParse({ ...body, county: 'Dane County' }).success).toBe(false);
  });

  it('county keys match the atlas names whatever the case or suffix', () => {
    expect(countyKey('Dane County')).toBe(countyKey('dane'));
    expect(countyKey(null)).toBe('');
  });
});
