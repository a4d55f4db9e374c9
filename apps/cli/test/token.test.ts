import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, type NodeConfigInput } from '@citylink/node';
import { Store } from '@citylink/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[]) {
  const { io, out, err } = captureIo({});
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('citylink token add / list / revoke', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-token-'));
    const hubDir = join(dir, 'hub');
    expect((await cli(['init', '--role', 'hub', '--id', 'wi-hub', '--name', 'WEC', '--dir', hubDir])).code).toBe(0);
    config = join(hubDir, 'config.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a token once, keeps only its hash, lists it, and a revoked token reads no feed', async () => {
    const added = await cli(['token', 'add', '--config', config, '--name', 'siem', '--role', 'feed-reader']);
    expect(added.code).toBe(0);
    const token = added.out.trim();
    expect(token).toMatch(/^cltok_[A-Za-z0-9_-]{43}$/);
    expect(added.err).toContain('shown once');

    const again = await cli(['token', 'add', '--config', config, '--name', 'siem']);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('a token named siem exists');
    const badRole = await cli(['token', 'add', '--config', config, '--name', 'x', '--role', 'admin']);
    expect(badRole.code).not.toBe(0);
    expect(badRole.err).toContain('not a machine role');

    const list = await cli(['token', 'list', '--config', config, '--json']);
    const listed = JSON.parse(list.out) as { name: string; role: string; revokedAt: string | null }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'siem', role: 'feed-reader', revokedAt: null })]);
    expect(list.out).not.toContain(token);

    const hubConfig = JSON.parse(await readFile(config, 'utf8')) as NodeConfigInput;
    const store = await Store.open({ sqlitePath: hubConfig.sqlitePath as string });
    try {
      const rows = await store.read((r) => r.tokens.list());
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toContain(token.slice(6));
      expect((await store.listAudit({ action: 'token.add', limit: 5 })).map((a) => a.subject)).toEqual(['siem']);
    } finally {
      await store.close();
    }

    const taxii = (node: { baseUrl: string }) =>
      fetch(`${node.baseUrl}/taxii2/api/collections/network/`, {
        headers: { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${token}` },
      });
    {
      await using node = await createNode({ ...hubConfig, port: 0, logLevel: 'silent' });
      expect((await taxii(node)).status).toBe(200);
      // Revoked while the node runs: the next request is refused.
      expect((await cli(['token', 'revoke', '--config', config, '--name', 'siem'])).code).toBe(0);
      expect((await taxii(node)).status).toBe(401);
    }
    const twice = await cli(['token', 'revoke', '--config', config, '--name', 'siem']);
    expect(twice.code).not.toBe(0);
    expect(twice.err).toContain('was revoked');
    const after = JSON.parse((await cli(['token', 'list', '--config', config, '--json'])).out) as {
      revokedAt: string | null;
    }[];
    expect(after[0]!.revokedAt).not.toBeNull();
  });
});
