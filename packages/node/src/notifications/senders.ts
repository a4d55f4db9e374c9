import { createHmac } from 'node:crypto';
import type { NodeKey } from '@citylink/crypto';
import { base64url, utf8 } from '@citylink/protocol';
import type { Transporter } from 'nodemailer';
import type { OperationsConfig } from './notifications-config.js';
import type { EmailPayload } from './notifier.js';

export type Sender = (target: string, payload: string) => Promise<void>;

/**
 * E-mail through the configured SMTP server (nodemailer), or a refusal that stays
 * queued when none is. nodemailer is loaded with the first mail: most nodes never
 * send one (a few MB of an idle process).
 */
export function smtpSender(smtp: OperationsConfig['smtp']): Sender {
  if (!smtp) {
    return async () => {
      throw new Error('no SMTP server is configured (operations.smtp)');
    };
  }
  let transport: Promise<Transporter> | undefined;
  const open = async () =>
    (await import('nodemailer')).default.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      tls: { rejectUnauthorized: smtp.rejectUnauthorized },
      ...(smtp.auth && { auth: smtp.auth }),
    });
  return async (_to, payload) => {
    const m = JSON.parse(payload) as EmailPayload;
    transport ??= open();
    await (await transport).sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text });
  };
}

export const SIGNATURE_HEADER = 'x-citylink-signature';
export const TIMESTAMP_HEADER = 'x-citylink-timestamp';

/** The bytes a webhook signature covers: `<timestamp>.<body>`. */
export const signedWebhookBytes = (timestamp: string, body: string) => utf8.encode(`${timestamp}.${body}`);

/**
 * A JSON POST signed over `<timestamp>.<body>`: `ed25519=<base64url>` with the
 * node's own key (its kid in `keyid`, the key in /.well-known/jwks.json), or
 * `hmac-sha256=<hex>` with the hook's shared secret. Anything but a 2xx is a failure.
 */
export function webhookSender(
  hooks: OperationsConfig['webhooks'],
  key: () => NodeKey,
  now: () => number,
  timeoutMs = 10_000,
): Sender {
  return async (url, body) => {
    const hook = hooks.find((h) => h.url === url);
    if (!hook) throw new Error(`webhook ${url} is no longer configured`);
    const timestamp = new Date(now()).toISOString();
    const bytes = signedWebhookBytes(timestamp, body);
    let signature: string;
    if (hook.signature === 'hmac') {
      signature = `hmac-sha256=${createHmac('sha256', hook.secret!).update(bytes).digest('hex')}`;
    } else {
      const k = key();
      const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', k.privateKey, bytes));
      signature = `ed25519=${base64url.encode(sig)}; keyid=${k.kid}`;
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  };
}
