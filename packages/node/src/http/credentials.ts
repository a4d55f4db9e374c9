/**
 * The API token an `Authorization` header carries: `Bearer <token>`, or HTTP Basic
 * with the token as the password (any user name: TAXII and MISP clients ask for
 * both fields). `null`: a header that is there but says nothing usable;
 * `undefined`: no header.
 */
export function tokenOfAuthorization(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer +(\S+)$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}
