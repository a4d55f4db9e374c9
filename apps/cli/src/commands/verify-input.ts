export type VerifyInput = { line: number; jws: string; expectedId?: string } | { line: number; error: string };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Splits `verify` input into items, one per non-empty line: either a bare compact JWS or
 * a JSON object with a `jws` field (a `citylink feed --json` line, whose `id` is then
 * checked too). Lines starting with `#` are comments.
 */
export function parseVerifyInput(text: string): VerifyInput[] {
  const items: VerifyInput[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const value = raw.trim();
    if (value === '' || value.startsWith('#')) return;
    if (value.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (err) {
        items.push({ line, error: `not valid JSON (${(err as Error).message})` });
        return;
      }
      const { jws, id } = (parsed ?? {}) as { jws?: unknown; id?: unknown };
      if (typeof jws !== 'string' || jws === '') {
        items.push({ line, error: 'a JSON line needs a "jws" string field' });
        return;
      }
      items.push({ line, jws, ...(typeof id === 'string' && { expectedId: id }) });
      return;
    }
    if (COMPACT_JWS.test(value)) {
      items.push({ line, jws: value });
      return;
    }
    items.push({ line, error: 'neither a compact JWS (three base64url parts) nor a JSON line with a "jws" field' });
  });
  return items;
}
