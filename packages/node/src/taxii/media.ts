/** The one media type of TAXII 2.1 answers and requests (TAXII 2.1 §1.6.8). */
export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
/** STIX content; accepted in `Accept` on the object endpoints, as the specification allows. */
export const STIX_MEDIA = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  version: string | undefined;
}

function ranges(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const version = params.find((p) => p.startsWith('version='))?.slice('version='.length);
    return { type, version };
  });
}

/**
 * Whether an `Accept` header lets us answer TAXII 2.1 JSON: the TAXII media type
 * (version 2.1 or none named), STIX on the object endpoints, or a wildcard. No
 * header at all is taken as `*\/*` (RFC 9110 §12.5.1). `application/json` is not enough.
 */
export function acceptable(accept: string | undefined, objects: boolean): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return ranges(accept).some(
    (r) =>
      r.type === '*/*' ||
      r.type === 'application/*' ||
      ((r.type === 'application/taxii+json' || (objects && r.type === 'application/stix+json')) &&
        (r.version === undefined || r.version === '2.1')),
  );
}

/** Whether a request body's `Content-Type` is TAXII 2.1 JSON. */
export function taxiiContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [r] = ranges(contentType);
  return r?.type === 'application/taxii+json' && (r.version === undefined || r.version === '2.1');
}
