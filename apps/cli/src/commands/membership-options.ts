import { NodeIdSchema, ObjectIdSchema } from '@citylink/protocol';
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
