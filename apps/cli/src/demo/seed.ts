import { writeFile } from 'node:fs/promises';
import { type CityLinkClient, errorMessage, signIn } from '@citylink/client';
import { exists } from '../node-files.js';
import { SEED_BULLETINS, SEED_NOTES } from './seed-data.js';
import { seedOperations } from './seed-operations.js';
import { seedPreparedness } from './seed-preparedness.js';
import type { DemoState } from './state.js';

const DAY = 86_400_000;

/**
 * Gives a new demo network its first week: bulletins of every category and TLP from
 * the three cities, two best practices with endorsements, an acknowledgement and a
 * triaged report, a joint statement in sign-on with one signature, a statewide
 * posture, and an operational period covering the first seven days with check-ins. All of it is posted through each node's API by its own accounts, so it
 * is signed, stored and delivered exactly as anything a person posts. Runs once per
 * demo directory (a marker file records it).
 */
export async function seedDemo(state: DemoState, progress: (line: string) => void): Promise<void> {
  const marker = `${state.paths.dir}/seeded.json`;
  if (await exists(marker)) return;
  const clients = new Map<string, CityLinkClient>();
  const as = async (node: string, user: string) => {
    const key = `${user}@${node}`;
    let client = clients.get(key);
    if (!client) {
      const n = state.accounts.nodes.find((x) => x.node === node)!;
      const password = n.accounts.find((a) => a.username === user)!.password;
      client = await signIn(n.url, user, password);
      clients.set(key, client);
    }
    return client;
  };
  for (const n of state.accounts.nodes) await untilActive(await as(n.node, 'staff'), n.node);
  // TLP:RED names people from the RED directory: wait until each author's node knows them.
  for (const b of SEED_BULLETINS) {
    if (b.recipients) await untilInDirectory(await as(b.from, 'staff'), b.recipients);
  }

  const now = Date.now();
  const ids: string[] = [];
  for (const b of SEED_BULLETINS) {
    const client = await as(b.from, 'staff');
    const observedAt = new Date(now - b.daysAgo * DAY - 3 * 3_600_000).toISOString();
    const { id } = await client.staff.postBulletin.mutate({
      tlp: b.tlp,
      audience: b.audience,
      ...(b.recipients && { recipients: b.recipients }),
      body: { ...b.body, observedAt } as never,
    });
    ids.push(id);
  }
  const notes: string[] = [];
  for (const n of SEED_NOTES) {
    const { id } = await (await as(n.from, 'staff')).staff.postNote.mutate({
      tlp: n.tlp,
      audience: ['*'],
      body: n.body as never,
    });
    notes.push(id);
  }
  // Answers need their targets delivered first: wait until each answering node holds them.
  const idOf = (category: string) => ids[SEED_BULLETINS.findIndex((b) => b.body.category === category)]!;
  const phishing = idOf('cyber.phishing');
  const suspiciousMail = idOf('physical.suspicious-mail');
  await untilHeld(await as('wi-madison', 'staff'), [notes[0]!, notes[1]!]);
  await untilHeld(await as('wi-milwaukee', 'staff'), [phishing, notes[1]!]);
  await untilHeld(await as('wi-hub', 'official'), [suspiciousMail]);
  await (await as('wi-madison', 'staff')).staff.endorse.mutate({
    target: notes[0]!,
    comment: 'Worked for us too: clicks halved in three months.',
  });
  await (await as('wi-madison', 'staff')).staff.endorse.mutate({ target: notes[1]! });
  await (await as('wi-milwaukee', 'staff')).staff.endorse.mutate({
    target: notes[1]!,
    comment: 'We added a go-box checklist.',
  });
  await (await as('wi-milwaukee', 'staff')).staff.acknowledge.mutate({
    target: phishing,
    seenHere: true,
    comment: 'Same sender domain at two of our sites.',
  });
  await (await as('wi-hub', 'official')).hub.triage.mutate({
    target: suspiciousMail,
    status: 'investigating',
    note: 'State fusion center informed; asking the other cities to check their mail rooms.',
  });
  await (await as('wi-hub', 'official')).hub.setPosture.mutate({
    level: 'guarded',
    advisory: {
      title: 'Early voting: guarded posture',
      text: 'Expect phishing aimed at poll workers and false polling-place messages. Report anything unusual here within the hour.',
    },
  });

  await seedOperations(as, poll, now);

  const mayor = await as('wi-madison', 'mayor');
  const { id: statement } = await mayor.statements.create.mutate({
    title: 'Fund election security in every Wisconsin municipality',
    text: 'We, the undersigned mayors, ask the Governor and the Legislature to fund election security in every municipality: multi-factor authentication for every election office, a cybersecurity liaison in every county, and paper backups at every polling place.',
    addressees: ['Governor of Wisconsin', 'Wisconsin State Legislature'],
    invited: ['wi-milwaukee', 'wi-green-bay'],
    includeHub: true,
  });
  await mayor.statements.openSignOn.mutate({ id: statement, deadline: new Date(now + 14 * DAY).toISOString() });
  await mayor.statements.sign.mutate({ id: statement, name: 'Alex Rivera', title: 'Mayor', city: 'Madison' });
  const evidence = await seedPreparedness(as, now);

  await writeFile(
    marker,
    `${JSON.stringify({ seeded: new Date().toISOString(), bulletins: ids, notes, statement }, null, 2)}\n`,
  );
  progress(
    `seeded the demo: ${ids.length} bulletins, ${notes.length} best practices, a statement in sign-on, a posture, an operational period with check-ins`,
  );
  progress(
    `seeded preparedness (${evidence} pieces of evidence): Madison nearly complete, Milwaukee with stale plans, Green Bay just starting`,
  );
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = `: ${errorMessage(err)}`;
    }
    if (Date.now() > deadline) throw new Error(`seeding the demo: gave up waiting for ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A node posts only once its roster lists it as active. */
const untilActive = (client: CityLinkClient, node: string) =>
  poll(`${node} to be an active member`, async () =>
    (await client.staff.roster.query()).members.some((m) => m.node === node && m.status === 'active'),
  );

const untilInDirectory = (client: CityLinkClient, people: { node: string; user: string }[]) =>
  poll(
    `${people.map((p) => `${p.node}/${p.user}`).join(', ')} in the RED directory`,
    async () => {
      const known = new Set((await client.staff.redDirectory.query()).people.map((p) => `${p.node}/${p.user}`));
      return people.every((p) => known.has(`${p.node}/${p.user}`));
    },
    60_000,
  );

const untilHeld = (client: CityLinkClient, ids: string[]) =>
  poll(`${ids.length} objects to be delivered`, async () => {
    for (const id of ids) await client.staff.object.query({ id });
    return true;
  });
