import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeConfigSchema } from '../src/config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citylink-secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = { nodeId: 'wi-hub', network: 'wi-hub', role: 'hub', name: 'Hub', keyFile: '/dev/null' } as const;
const withSecrets = (pass: unknown, hmac: unknown, feed: unknown) =>
  NodeConfigSchema.safeParse({
    ...base,
    feeds: [{ name: 'ei-isac', url: 'https://taxii.example/api/', collection: 'c1', password: feed }],
    operations: {
      smtp: { host: 'smtp.example', from: 'citylink@hub.example', auth: { user: 'hub', pass } },
      webhooks: [{ url: 'https://chat.example/hook', signature: 'hmac', secret: hmac }],
    },
  });

describe('secrets in the config: inline, from an environment variable or from a file', () => {
  it('resolves each form when the config is read', async () => {
    const file = join(dir, 'feed-password');
    await writeFile(file, 'token-from-a-file\n');
    process.env.CITYLINK_TEST_SMTP_PASS = 'smtp-pass-from-env';
    const parsed = withSecrets({ env: 'CITYLINK_TEST_SMTP_PASS' }, 'h'.repeat(32), { file });
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.operations.smtp?.auth?.pass).toBe('smtp-pass-from-env');
    expect(parsed.data?.operations.webhooks[0]?.secret).toBe('h'.repeat(32));
    expect(parsed.data?.feeds[0]?.password).toBe('token-from-a-file');
  });

  it('refuses a missing variable or file, and a too short key, naming the field', () => {
    delete process.env.CITYLINK_TEST_UNSET;
    const parsed = withSecrets({ env: 'CITYLINK_TEST_UNSET' }, { file: join(dir, 'absent') }, 'x');
    const issues = (parsed.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'operations.smtp.auth.pass: environment variable CITYLINK_TEST_UNSET is not set',
        expect.stringMatching(/^operations\.webhooks\.0\.secret: secret file .*absent: ENOENT$/),
      ]),
    );
    const short = withSecrets('p', 'too short', 'x');
    expect(short.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'operations.webhooks.0.secret: a secret of at least 32 characters',
    ]);
  });
});
