import { CountySchema, NodeIdSchema, ObjectIdSchema, PopulationSchema } from '@citylink/protocol';
import { UsageError } from '../errors.js';

const KID = /^[A-Za-z0-9_-]{43}$/;

/** A key id (fingerprint): the 43-character RFC 7638 thumbprint of the key. */
export function parseKid(value: string, what = 'KID'): string {
  const kid = value.trim();
  if (!KID.test(kid)) {
    throw new UsageError(`${what}: ${JSON.stringify(value)} is not a key fingerprint (43 base64url characters)`);
  }
  return kid;
}

export function parseNodeId(value: string, what = 'NODE'): string {
  if (!NodeIdSchema.safeParse(value).success) {
    throw new UsageError(`${what}: ${JSON.stringify(value)} is not a node id (lowercase letters, digits, dashes)`);
  }
  return value;
}

export function parseEnrollmentId(value: string): string {
  if (!ObjectIdSchema.safeParse(value).success) {
    throw new UsageError(`ID: ${JSON.stringify(value)} is not an enrollment id (43 base64url characters)`);
  }
  return value;
}

/** `--at`: any date-time with a time zone (e.g. 2026-05-01T12:00:00Z or …-05:00), sent as UTC. */
export function parseAt(value: string, option = '--at'): string {
  const t = Date.parse(value);
  if (!/T\d{2}:\d{2}/.test(value) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value) || Number.isNaN(t)) {
    throw new UsageError(
      `${option}: ${JSON.stringify(value)} is not a date-time with a time zone (e.g. 2026-05-01T12:00:00Z)`,
    );
  }
  return new Date(t).toISOString();
}

/** `--county NAME` and `--population N`: what the roster says of a city (both optional). */
export function parseCityProfile(opts: { county?: string; population?: string }): {
  county?: string;
  population?: number;
} {
  const out: { county?: string; population?: number } = {};
  if (opts.county !== undefined) {
    const county = opts.county.trim();
    const parsed = CountySchema.safeParse(county);
    if (!parsed.success) {
      throw new UsageError(
        `--county: ${JSON.stringify(opts.county)} is not a county name (as in the Census atlas, without "County", e.g. Dane): ${parsed.error.issues[0]?.message}`,
      );
    }
    out.county = county;
  }
  if (opts.population !== undefined) {
    const n = /^\d[\d,_]*$/.test(opts.population.trim()) ? Number(opts.population.trim().replace(/[,_]/g, '')) : NaN;
    if (!PopulationSchema.safeParse(n).success) {
      throw new UsageError(
        `--population: ${JSON.stringify(opts.population)} is not a positive whole number of residents`,
      );
    }
    out.population = n;
  }
  return out;
}
