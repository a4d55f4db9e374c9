/** Protocol-wide bounds. A node may be stricter, never looser. */
export const LIMITS = {
  /** Largest compact JWS of an ordinary object, in bytes. */
  maxObjectBytes: 64 * 1024,
  /** Kinds that legitimately grow with the network get larger caps. */
  maxObjectBytesByKind: {
    roster: 4 * 1024 * 1024,
    'statement-final': 1024 * 1024,
    'statement-revision': 256 * 1024,
    /** The plan text itself may travel (up to 50,000 characters). */
    'contingency-plan': 256 * 1024,
  } as Record<string, number>,
  /** Hard ceiling for any single object, checked before anything is parsed. */
  absoluteMaxObjectBytes: 4 * 1024 * 1024,
  maxBatchObjects: 100,
  maxBatchBytes: 2 * 1024 * 1024,
  /** How far in the future a `created` time may be, to absorb clock drift. */
  maxClockSkewMs: 5 * 60 * 1000,
  /** Request tokens live at most this long. */
  maxRequestTokenTtlMs: 2 * 60 * 1000,
  maxAudience: 2500,
  maxIndicators: 200,
  /** Rows of a joint statement's funding annex. */
  maxFundingAnnexRows: 500,
} as const;

export function maxBytesForKind(kind: string): number {
  return LIMITS.maxObjectBytesByKind[kind] ?? LIMITS.maxObjectBytes;
}
