import { z } from 'zod';
import { secret } from '../secret.js';

/** Election Day and notification settings (config key `operations`); docs/operations.md. */
export const OperationsConfigSchema = z
  .object({
    /** Hub: how often overdue check-ins and escalation clocks are computed and escalated. */
    tickMs: z.number().int().positive().default(30_000),
    /** How often the e-mail and webhook queue is worked (it is also woken on every new entry). */
    deliveryTickMs: z.number().int().positive().default(5_000),
    /** Retries of one e-mail or webhook: base × 2^attempts, at most cap. */
    backoffBaseMs: z.number().int().positive().default(5_000),
    backoffCapMs: z.number().int().positive().default(600_000),
    /** The situation room's map: the state's two-digit FIPS code (55 = Wisconsin) and each city's county. */
    stateFips: z
      .string()
      .regex(/^\d{2}$/)
      .default('55'),
    cityCounties: z.record(z.string(), z.string().max(100)).default({}),
    /** The console's public URL, for links in e-mails and webhooks. */
    consoleUrl: z.url().optional(),
    smtp: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(587),
        /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
        secure: z.boolean().default(false),
        /** Refuse a server whose certificate does not verify (turn off only for a test server). */
        rejectUnauthorized: z.boolean().default(true),
        auth: z.object({ user: z.string().min(1), pass: secret() }).optional(),
        from: z.string().min(3),
      })
      .optional(),
    webhooks: z
      .array(
        z.object({
          url: z.url({ protocol: /^https?$/ }),
          /** Signature header: `ed25519` (the node's own key, in its JWKS) or `hmac` (SHA-256 with `secret`). */
          signature: z.enum(['ed25519', 'hmac']).default('ed25519'),
          secret: secret(32).optional(),
        }),
      )
      .max(20)
      .default([]),
  })
  .refine((c) => c.webhooks.every((w) => w.signature !== 'hmac' || w.secret), {
    message: 'an hmac webhook needs a secret of at least 32 characters',
    path: ['webhooks'],
  })
  .prefault({});
export type OperationsConfig = z.infer<typeof OperationsConfigSchema>;
