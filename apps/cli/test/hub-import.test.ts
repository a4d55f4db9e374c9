import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, type NodeConfigInput } from '@citylink/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[]) {
  const { io, out, err } = captureIo({});
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const PASSWORD = 'ledger-otter-quarry-maple-41';
const ts = '2026-11-03T10:00:00.000Z';
const indicator = (n: number, marking: string) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${String(n).padStart(8, '0')}-1111-4111-8111-111111111111`,
  created: ts,
  modified: ts,
  name: `Look-alike domain ${n}`,
  pattern: `[domain-name:value = 'vote${n}.example']`,
  pattern_type: 'stix',
  valid_from: ts,
  object_marking_refs: [marking],
});

describe('citylink hub import', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a bundle as a hub official, one line per object; again, only duplicates', async () => {
    const hubDir = join(dir, 'hub');
    expect((await cli(['init', '--role', 'hub', '--id', 'wi-hub', '--name', 'WEC', '--dir', hubDir])).code).toBe(0);
    const hubConfig = JSON.parse(await readFile(join(hubDir, 'config.json'), 'utf8')) as NodeConfigInput;
    await using hub = await createNode({ ...hubConfig, port: 0, logLevel: 'silent' });
    await hub.addUser({ username: 'official', password: PASSWORD, roles: ['hub-official'] });
    await hub.addUser({ username: 'clerk', password: PASSWORD, roles: ['staff'] });
    const file = join(dir, 'ei-isac.json');
    await writeFile(
      file,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
        objects: [
          indicator(1, 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'),
          indicator(2, 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'),
          indicator(3, 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'),
        ],
      }),
    );
    const as = (user: string) => ['hub', 'import', file, '--node', hub.baseUrl, '--user', user, '--password', PASSWORD];
    const first = await cli(as('official'));
    expect(first.code).toBe(1);
    expect(first.out.split('\n').map((l) => l.split('\t')[0])).toEqual(['published', 'published', 'refused']);
    expect(first.out).toMatch(/refused\tindicator--00000003.*RED/);
    expect(first.err).toContain('2 imported, 0 duplicates, 1 refused');
    const again = await cli(as('official'));
    expect(again.err).toContain('0 imported, 2 duplicates, 1 refused');
    const staff = await cli(as('clerk'));
    expect(staff.code).toBe(1);
    expect(staff.err).toMatch(/hub-official/);
  });
});
