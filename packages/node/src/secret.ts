import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A secret in a node's config (an SMTP password, a webhook's HMAC key, a feed's
 * password): written inline, or — so the config file can be shared, versioned or
 * shown without it — named as an environment variable (`{ "env": "NAME" }`) or a
 * file (`{ "file": "/run/secrets/name" }`, e.g. a Docker or systemd credential;
 * one trailing newline is dropped). Resolved once, when the config is read; a
 * missing variable or file is a config error that names it, never an empty secret.
 */
export function secret(min = 1) {
  return z
    .union([
      z.string(),
      z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
      z.strictObject({ file: z.string().min(1) }),
    ])
    .transform((v, ctx): string => {
      if (typeof v === 'string') return v;
      if ('env' in v) {
        const value = process.env[v.env];
        if (value === undefined) ctx.addIssue({ code: 'custom', message: `environment variable ${v.env} is not set` });
        return value ?? '';
      }
      try {
        return readFileSync(v.file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `secret file ${v.file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        });
        return '';
      }
    })
    .pipe(z.string().min(min, `a secret of at least ${min} characters`));
}
