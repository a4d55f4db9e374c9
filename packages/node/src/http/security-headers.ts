import type { ServerResponse } from 'node:http';

/**
 * Everything from other cities is untrusted: no inline script, no third-party
 * origin, no framing. The console needs only its own scripts, styles, and the
 * API (HTTP and WebSocket) of the node that serves it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every answer carries; HSTS only when the node is reached over https. */
export function setSecurityHeaders(res: ServerResponse, baseUrl: string): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  if (baseUrl.startsWith('https:')) {
    res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
  }
}
