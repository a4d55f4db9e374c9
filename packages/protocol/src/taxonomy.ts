/**
 * Domain vocabularies. Every list carries a one-line explanation so that the
 * console can build guided forms from the protocol itself.
 */

export const INCIDENT_TAXONOMY = {
  cyber: {
    label: 'Cyber',
    subcategories: {
      phishing: 'Deceptive e-mail, text or call trying to steal credentials or plant malware',
      ransomware: 'Ransomware or other malware found on or aimed at election systems',
      ddos: 'Traffic flood making a website or service unavailable',
      'account-compromise': 'A staff, vendor or system account used by someone else',
      spoofing: 'Look-alike domain, spoofed sender or impersonated official site',
      scanning: 'Probing or scanning of election-office networks or sites',
    },
  },
  equipment: {
    label: 'Equipment',
    subcategories: {
      malfunction: 'Voting or tabulation equipment not working as designed',
      'media-failure': 'Memory card, USB stick or other media unreadable or corrupted',
      'reconciliation-discrepancy': 'Counts that do not reconcile (ballots, voters, tapes)',
      'loss-theft': 'Equipment or media lost or stolen',
    },
  },
  physical: {
    label: 'Physical',
    subcategories: {
      'threat-to-staff': 'Threats or harassment aimed at election staff or poll workers',
      doxing: 'Personal information of officials or staff published',
      swatting: 'False emergency report to send armed police to someone',
      'suspicious-mail': 'Suspicious letters, packages or powders',
      'unauthorized-access': 'Someone entering a restricted area or system room',
      'drop-box-arson': 'Fire, vandalism or tampering at a ballot drop box',
      'bomb-threat': 'Bomb threat against a polling place or office',
    },
  },
  information: {
    label: 'Information',
    subcategories: {
      misinformation: 'False information spread without intent to harm',
      disinformation: 'False information spread deliberately to mislead',
      malinformation: 'True information used out of context to harm',
    },
  },
  insider: {
    label: 'Insider threat',
    subcategories: {
      'insider-threat': 'Someone with authorized access misusing it',
    },
  },
  operational: {
    label: 'Operational',
    subcategories: {
      'power-outage': 'Loss of power at a polling place or office',
      'vendor-issue': 'A vendor failing, delayed or reporting a problem',
    },
  },
} as const satisfies Record<string, { label: string; subcategories: Record<string, string> }>;

export type IncidentCategory = keyof typeof INCIDENT_TAXONOMY;

/** All `category.subcategory` codes, e.g. `cyber.phishing`. */
export const INCIDENT_CODES = Object.entries(INCIDENT_TAXONOMY).flatMap(([cat, def]) =>
  Object.keys(def.subcategories).map((sub) => `${cat}.${sub}`),
) as [string, ...string[]];

/** CISA National Cyber Incident Scoring System levels, most severe first. */
export const SEVERITIES = {
  emergency: 'Imminent threat to public health, safety or the conduct of the election',
  severe: 'Likely to significantly affect the election or public confidence',
  high: 'Likely to have a demonstrable effect on election operations',
  medium: 'May affect election operations or public confidence',
  low: 'Unlikely to affect election operations',
  'baseline-minor': 'Highly unlikely to affect operations; worth knowing',
  'baseline-negligible': 'No effect expected; recorded for completeness',
} as const;
export type Severity = keyof typeof SEVERITIES;

/** CISA attack vectors. */
export const ATTACK_VECTORS = {
  unknown: 'Cause not yet known',
  attrition: 'Brute force that degrades or destroys systems or services',
  web: 'Attack executed from a website or web application',
  email: 'Attack executed through an e-mail message or attachment (phishing)',
  'removable-media': 'Attack executed from removable media or a peripheral device',
  impersonation: 'Spoofing, look-alike domains, impersonated officials',
  'improper-usage': 'Violation of acceptable use by an authorized user',
  'loss-theft': 'Loss or theft of a computing device or media',
  other: 'Anything not covered above',
} as const;
export type AttackVector = keyof typeof ATTACK_VECTORS;

export const FUNCTIONAL_IMPACTS = {
  none: 'No effect on the ability to provide services',
  minimal: 'Services provided with minimal degradation',
  significant: 'Services provided with significant degradation',
  'denial-non-critical': 'Non-critical services unavailable',
  'denial-critical': 'Critical services unavailable or loss of control',
} as const;

export const INFORMATION_IMPACTS = {
  none: 'No information affected',
  suspected: 'Breach suspected but not confirmed',
  privacy: 'Personally identifiable information (e.g. voter records) affected',
  proprietary: 'Internal or vendor proprietary information affected',
  integrity: 'Information altered or destroyed',
  credentials: 'Credentials of core systems compromised',
} as const;

/** Bulletin lifecycle. `published` is the state of a new bulletin; retraction is its own object. */
export const BULLETIN_STATUSES = [
  'published',
  'acknowledged',
  'investigating',
  'confirmed',
  'unfounded',
  'duplicate',
  'mitigated',
  'closed',
] as const;
export type BulletinStatus = (typeof BULLETIN_STATUSES)[number];

export const NOTE_TOPICS = {
  'security-commission': 'Election-security commission',
  'cyberattack-contingency': 'Contingency plan for a cyberattack',
  'malfunction-contingency': 'Contingency plan for machine malfunction',
  'phishing-training': 'Phishing training',
  'inter-jurisdiction-communication': 'Communication between jurisdictions',
  'joint-advocacy': 'Joint advocacy',
  'security-day': 'Election-security day',
  'funding-requests': 'Funding requests',
  'physical-security': 'Physical security',
  'mail-handling': 'Mail handling',
  'swatting-prevention': 'Swatting prevention',
  'backups-mfa': 'Backups and multi-factor authentication',
} as const;
export type NoteTopic = keyof typeof NOTE_TOPICS;

/** Jurisdiction size by registered voters, for "will this work for us?" */
export const JURISDICTION_SIZES = {
  xs: 'under 5,000 registered voters',
  s: '5,000 to 25,000',
  m: '25,000 to 100,000',
  l: '100,000 to 500,000',
  xl: 'over 500,000',
} as const;

/** CIS alert levels for the statewide posture set by the hub. */
export const POSTURE_LEVELS = {
  low: 'No unusual activity',
  guarded: 'General risk of increased activity',
  elevated: 'Significant risk; increased monitoring advised',
  high: 'High risk; specific threats or widespread activity',
  severe: 'Severe risk; attacks under way or imminent',
} as const;
export type PostureLevel = keyof typeof POSTURE_LEVELS;
