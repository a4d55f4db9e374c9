import {
  SignatureBlockSchema as BlockSchema,
  base64url,
  canonicalBytes,
  NodeIdSchema,
  type SignatureBlockSchema,
  type StatementText,
  StatementTextSchema,
  sha256Base64url,
  TimestampSchema,
  utf8,
} from '@citylink/protocol';
import { FlattenedSign, flattenedVerify } from 'jose';
import type { z } from 'zod';
import { type KeyResolver, keyValidAt } from './key-ring.js';
import type { NodeKey } from './keys.js';

export type SignatureBlock = z.infer<typeof SignatureBlockSchema>;
export const COSIGN_TYP = 'citylink.statement-text+jws';

export interface CosignatureEntry {
  protected: string;
  signature: string;
}
export interface GeneralJws {
  payload: string;
  signatures: CosignatureEntry[];
}

/** The frozen document's canonical bytes and its text hash. */
export function statementTextBytes(doc: StatementText): { bytes: Uint8Array; textHash: string } {
  const bytes = canonicalBytes(StatementTextSchema.parse(doc));
  return { bytes, textHash: sha256Base64url(bytes) };
}

/**
 * Signs the frozen statement text for one mayor. The signature block (name, title,
 * city) and the signing node travel in the protected header, so they are covered
 * by the signature together with the exact text bytes.
 */
export async function cosign(
  payload: Uint8Array,
  key: NodeKey,
  signer: { node: string; block: SignatureBlock; signedAt: string },
): Promise<CosignatureEntry> {
  const block = BlockSchema.parse(signer.block);
  const flat = await new FlattenedSign(payload)
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: COSIGN_TYP,
      kid: key.kid,
      node: NodeIdSchema.parse(signer.node),
      block,
      iat: signer.signedAt,
    })
    .sign(key.privateKey);
  return { protected: flat.protected as string, signature: flat.signature };
}

export function assembleGeneralJws(payload: Uint8Array, entries: readonly CosignatureEntry[]): GeneralJws {
  return { payload: base64url.encode(payload), signatures: entries.map((e) => ({ ...e })) };
}

export type SignerResult =
  | { index: number; ok: true; node: string; kid: string; block: SignatureBlock; signedAt: string }
  | { index: number; ok: false; node?: string; kid?: string; block?: SignatureBlock; reason: string };

interface CosignHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  node?: unknown;
  block?: unknown;
  iat?: unknown;
}

/**
 * Verifies every signature of a General JWS independently and reports each signer.
 * Never throws on bad input.
 */
export async function verifyCosignatures(
  doc: unknown,
  resolveKey: KeyResolver,
): Promise<{ textHash?: string; payload?: Uint8Array; signers: SignerResult[]; allValid: boolean }> {
  const d = doc as Partial<GeneralJws> | null;
  if (!d || typeof d.payload !== 'string' || !Array.isArray(d.signatures)) {
    return { signers: [], allValid: false };
  }
  let payload: Uint8Array;
  try {
    payload = base64url.decode(d.payload);
  } catch {
    return { signers: [], allValid: false };
  }
  const payloadSegment = d.payload;
  const signers = await Promise.all(
    d.signatures.map(async (entry, index): Promise<SignerResult> => {
      let header: CosignHeader;
      try {
        header = JSON.parse(utf8.decode(base64url.decode(String(entry?.protected)))) as CosignHeader;
      } catch {
        return { index, ok: false, reason: 'protected header is not base64url JSON' };
      }
      const node = typeof header.node === 'string' ? header.node : undefined;
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      const blockParse = BlockSchema.safeParse(header.block);
      const block = blockParse.success ? blockParse.data : undefined;
      const who = { index, ...(node && { node }), ...(kid && { kid }), ...(block && { block }) };
      if (header.alg !== 'EdDSA') return { ...who, ok: false, reason: 'alg must be EdDSA' };
      if (header.typ !== COSIGN_TYP) return { ...who, ok: false, reason: `typ must be ${COSIGN_TYP}` };
      // iat must be a real timestamp: keyValidAt on an unparseable time (NaN) would pass every window.
      const iat = TimestampSchema.safeParse(header.iat);
      if (!node || !kid || !block || !iat.success) {
        return { ...who, ok: false, reason: 'header lacks node, kid, block or iat' };
      }
      const resolved = await resolveKey(node, kid);
      if (!resolved) return { ...who, ok: false, reason: `unknown key ${kid} for ${node}` };
      const validity = keyValidAt(resolved.record, iat.data);
      if (!validity.ok) return { ...who, ok: false, reason: validity.reason };
      try {
        await flattenedVerify(
          { payload: payloadSegment, protected: entry.protected, signature: entry.signature },
          resolved.key,
          { algorithms: ['EdDSA'] },
        );
      } catch {
        return { ...who, ok: false, reason: 'signature does not match the text and signature block' };
      }
      return { index, ok: true, node, kid, block, signedAt: iat.data };
    }),
  );
  return {
    textHash: sha256Base64url(payload),
    payload,
    signers,
    allValid: signers.length > 0 && signers.every((s) => s.ok),
  };
}
