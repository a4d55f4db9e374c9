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

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;
const PASSWORD = 'ledger-otter-quarry-maple-41';

describe('citylink post on a node that is not in the roster', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-post-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 with the reason instead of printing an id; posts once the hub lists it', async () => {
    const hubDir = join(dir, 'hub');
    const cityDir = join(dir, 'city');
    expect((await cli(['init', '--role', 'hub', '--id', 'wi-hub', '--name', 'WEC', '--dir', hubDir])).code).toBe(0);
    const city = await cli([
      ...['init', '--role', 'city', '--id', 'wi-madison', '--name', 'City of Madison', '--dir', cityDir],
      ...['--hub-url', 'http://127.0.0.1:4000', '--hub-jwk', join(hubDir, 'public-key.json')],
    ]);
    expect(city.code).toBe(0);
    const hubConfig = await readJson<NodeConfigInput>(join(hubDir, 'config.json'));
    const cityConfig = await readJson<NodeConfigInput>(join(cityDir, 'config.json'));
    await using hubNode = await createNode({ ...hubConfig, port: 0, logLevel: 'silent' });
    await using cityNode = await createNode({
      ...cityConfig,
      port: 0,
      logLevel: 'silent',
      hub: { ...cityConfig.hub!, url: hubNode.baseUrl },
    });
    await cityNode.addUser({ username: 'clerk', password: PASSWORD, roles: ['staff'] });
    const file = join(dir, 'bulletin.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'bulletin',
        tlp: 'GREEN',
        audience: ['*'],
        body: { title: 'Phishing', narrative: 'n', category: 'cyber.phishing', severity: 'low' },
      }),
    );
    const post = () => cli(['post', file, '--node', cityNode.baseUrl, '--user', 'clerk', '--password', PASSWORD]);

    const refused = await post();
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/not posted: wi-madison is not in the network’s roster yet \(enroll with/);

    await hubNode.publishMembers([cityNode.selfMember()], 'test');
    await cityNode.roster.refresh();
    const accepted = await post();
    expect(accepted.err).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // TLP:RED names people from the RED directory only: a misspelt name is refused, not "delivered".
    const red = join(dir, 'red.json');
    await writeFile(
      red,
      JSON.stringify({
        kind: 'bulletin',
        tlp: 'RED',
        audience: ['wi-hub'],
        recipients: [{ node: 'wi-hub', user: 'offical' }],
        body: { title: 'Threat', narrative: 'n', category: 'physical.threat-to-staff', severity: 'high' },
      }),
    );
    const unknown = await cli(['post', red, '--node', cityNode.baseUrl, '--user', 'clerk', '--password', PASSWORD]);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toBe('');
    expect(unknown.err).toMatch(/unknown recipient wi-hub\/offical/);

    // `citylink status ID STATUS`: the author city sets the status of its bulletin.
    const bulletin = accepted.out;
    const creds = ['--node', cityNode.baseUrl, '--user', 'clerk', '--password', PASSWORD];
    // Ids are base64url and may start with '-': they go after `--`.
    const set = await cli(['status', '--note', 'calling the vendor', ...creds, '--', bulletin, 'investigating']);
    expect(set.err).toBe('');
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const item = await cityNode.store.getItem(bulletin);
    expect(item?.status).toBe('investigating');
    for (const [status, options, why] of [
      ['duplicate', [], /status duplicate needs --duplicate-of ID/],
      ['closed', ['--duplicate-of', bulletin], /--duplicate-of goes only with status duplicate/],
      ['published', [], /status must be one of acknowledged, investigating/],
    ] as const) {
      const bad = await cli(['status', ...options, ...creds, '--', bulletin, status]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(why);
    }
    expect((await cityNode.store.getItem(bulletin))?.status).toBe('investigating');
  });
});
