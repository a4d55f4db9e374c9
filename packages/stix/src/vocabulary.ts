import type { BulletinStatus, Severity } from '@citylink/protocol';

/** NCISS severity as the Incident Core extension's criticality (0–100). */
export const CRITICALITY: Record<Severity, number> = {
  emergency: 100,
  severe: 85,
  high: 70,
  medium: 50,
  low: 30,
  'baseline-minor': 15,
  'baseline-negligible': 5,
};

/** The severity whose criticality is nearest (for STIX incidents from other producers). */
export function severityOfCriticality(criticality: number): Severity {
  let best: Severity = 'medium';
  for (const [severity, value] of Object.entries(CRITICALITY) as [Severity, number][]) {
    if (Math.abs(value - criticality) < Math.abs(CRITICALITY[best] - criticality)) best = severity;
  }
  return best;
}

/** A bulletin's status as the Incident Core extension's two required properties. */
export const INCIDENT_STATE: Record<BulletinStatus, { determination: string; investigation_status: string }> = {
  published: { determination: 'tbd', investigation_status: 'new' },
  acknowledged: { determination: 'tbd', investigation_status: 'open' },
  investigating: { determination: 'suspected', investigation_status: 'open' },
  confirmed: { determination: 'confirmed', investigation_status: 'open' },
  unfounded: { determination: 'false-positive', investigation_status: 'closed' },
  duplicate: { determination: 'low-value', investigation_status: 'closed' },
  mitigated: { determination: 'confirmed', investigation_status: 'open' },
  closed: { determination: 'confirmed', investigation_status: 'closed' },
};

/** A retracted bulletin's last version (it is also `revoked`). */
export const RETRACTED_STATE = { determination: 'tbd', investigation_status: 'closed' };

/** CityLink indicator types as STIX Cyber-observables and the pattern that matches them. */
export const OBSERVABLES = {
  'email-sender': { sco: 'email-addr', path: 'value' },
  domain: { sco: 'domain-name', path: 'value' },
  url: { sco: 'url', path: 'value' },
  sha256: { sco: 'file', path: "hashes.'SHA-256'", hash: 'SHA-256' },
  sha1: { sco: 'file', path: "hashes.'SHA-1'", hash: 'SHA-1' },
  md5: { sco: 'file', path: 'hashes.MD5', hash: 'MD5' },
} as const;
