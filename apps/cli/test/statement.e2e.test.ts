import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CityLinkClient, signIn } from '@citylink/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliProcess,
  type DemoAccounts,
  demoPassword,
  demoUrl,
  pollUntil,
  requireBuilt,
  runCli,
  startDemo,
} from './cli-process.js';

type Accounts = DemoAccounts;

const PROPAGATION_MS = 30_000;

describe('a joint statement between separate node processes, verified offline by the CLI', () => {
  let dir: string;
  let demo: CliProcess;
  let accounts: Accounts;
  const login = (node: string, user = 'mayor'): Promise<CityLinkClient> =>
    signIn(demoUrl(accounts, node), user, demoPassword(accounts, node, user));

  beforeAll(async () => {
    requireBuilt();
    dir = await mkdtemp(join(tmpdir(), 'citylink-statement-'));
    ({ demo } = await startDemo(join(dir, 'demo')));
    accounts = JSON.parse(await readFile(join(dir, 'demo', 'accounts.json'), 'utf8'));
  }, 120_000);

  afterAll(async () => {
    if (demo) await demo.stop('SIGINT', 20_000).catch(() => demo.killGroup());
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('drafts, amends, signs, withdraws, finalizes; every node holds the same final; the bundle verifies offline', async () => {
    const madison = await login('wi-madison');
    const milwaukee = await login('wi-milwaukee');
    const greenBay = await login('wi-green-bay');
    const { id } = await madison.statements.create.mutate({
      title: 'Wisconsin mayors on election security funding',
      text: 'We ask the Legislature to fund election security.',
      addressees: ['Governor', 'State Legislature'],
      invited: ['wi-milwaukee', 'wi-green-bay'],
      includeHub: true,
    });
    const visible = (
      client: CityLinkClient,
      check: (s: Awaited<ReturnType<CityLinkClient['statements']['get']['query']>>) => boolean,
    ) =>
      pollUntil(
        async () => {
          const s = await client.statements.get.query({ id });
          return check(s) ? s : undefined;
        },
        PROPAGATION_MS,
        'statement state',
      );

    await visible(milwaukee, () => true);
    const { id: proposal } = await milwaukee.statements.comment.mutate({
      id,
      comment: 'Name the grant.',
      proposedText: 'We ask the Legislature to fund election security through a standing grant.',
    });
    await visible(madison, (s) => s.comments.some((c) => c.id === proposal));
    await madison.statements.decide.mutate({ id, proposal, decision: 'accepted' });
    await madison.statements.openSignOn.mutate({ id, deadline: new Date(Date.now() + 3_600_000).toISOString() });
    for (const client of [milwaukee, greenBay]) await visible(client, (s) => s.signOn !== null);

    await madison.statements.sign.mutate({ id, name: 'Satya Rhodes-Conway', title: 'Mayor' });
    await milwaukee.statements.sign.mutate({ id, name: 'Cavalier Johnson', title: 'Mayor' });
    await greenBay.statements.sign.mutate({ id, name: 'Eric Genrich', title: 'Mayor' });
    await visible(greenBay, (s) => s.signers.some((x) => x.node === 'wi-green-bay' && x.status === 'signed'));
    await greenBay.statements.withdraw.mutate({ id });
    await visible(
      madison,
      (s) => s.counted.length === 2 && s.signers.filter((x) => x.status === 'signed').length === 2,
    );
    const { id: finalId } = await madison.statements.finalize.mutate({ id });

    const hub = await login('wi-hub', 'official');
    const finals = await Promise.all(
      [madison, milwaukee, greenBay, hub].map((c) =>
        visible(c, (s) => s.final?.id === finalId).then((s) => JSON.stringify(s.final!.document)),
      ),
    );
    expect(new Set(finals).size).toBe(1);
    expect((await hub.statements.addressedToState.query()).map((s) => s.id)).toContain(id);

    const { bundle } = await madison.statements.export.query({ id });
    const file = join(dir, 'statement.json');
    await writeFile(file, JSON.stringify(bundle, null, 2));
    const jwks = (await (await fetch(`${demoUrl(accounts, 'wi-hub')}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const hubKid = jwks.keys[0]!.kid;

    // The demo is stopped: verification needs nothing but the file.
    expect((await demo.stop('SIGINT', 20_000)).code).toBe(0);
    const ok = await runCli(['verify', file, '--hub-fingerprint', hubKid]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^OK {3}wi-madison Satya Rhodes-Conway, Mayor/m);
    expect(ok.stdout).toMatch(/^OK {3}wi-milwaukee Cavalier Johnson, Mayor/m);
    expect(ok.stdout).toContain('all 2 signatures verify');
    // The same from standard input, as the help says.
    const piped = await runCli(['verify', '-', '--hub-fingerprint', hubKid], { input: JSON.stringify(bundle) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('all 2 signatures verify');

    const tampered = structuredClone(bundle);
    const entry = tampered.document.signatures[1]!;
    const header = JSON.parse(Buffer.from(entry.protected, 'base64url').toString());
    header.block.name = 'Somebody Else';
    entry.protected = Buffer.from(JSON.stringify(header)).toString('base64url');
    await writeFile(file, JSON.stringify(tampered));
    const bad = await runCli(['verify', file, '--hub-fingerprint', hubKid]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL #2 wi-milwaukee \(Somebody Else\): signature does not match/m);
    expect(bad.stdout).toMatch(/^OK {3}wi-madison/m);

    const wrongHub = await runCli([
      'verify',
      file.replace('statement.json', 'statement.json'),
      '--hub-fingerprint',
      'A'.repeat(43),
    ]);
    expect(wrongHub.code).toBe(1);
    expect(wrongHub.stdout).toContain('do not include the fingerprint you trust');
  }, 180_000);
});
