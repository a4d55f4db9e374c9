import type { AddressInfo } from 'node:net';
import { ManualClock, TestNetwork } from '@citylink/dev-env';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Mail {
  to: string[];
  raw: string;
}

/** A real SMTP server on a free port; every message it accepts is kept. */
async function startSmtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const MIN = 60_000;
const clock = new ManualClock();
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let net: TestNetwork;
let periodStart: number;

beforeAll(async () => {
  smtp = await startSmtp();
  net = await TestNetwork.create({
    cities: 2,
    clock: clock.now,
    configure: (c) => ({
      ...c,
      operations: {
        // Ticks and the queue run when the test says so: no timer fires during it.
        tickMs: 3_600_000,
        deliveryTickMs: 3_600_000,
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'citylink@hub.example' },
      },
    }),
  });
  // The cities' enrolled contacts: who hears that a city has gone quiet, unless it names liaisons.
  await net.hub.publishMembers(
    // t-city-2 has its county in the roster; t-city-1 does not.
    net.cities.map((c, i) => ({
      ...net.hub.roster.member(c.id)!,
      contact: `clerk${i + 1}@city.example`,
      ...(i === 1 && { county: 'Dane' }),
    })),
    'test',
  );
  await net.hub.store.transact((tx) =>
    tx.notifications.setPrefs('official', JSON.stringify({ email: 'official@hub.example' })),
  );
  // t-city-2 names its cybersecurity liaisons (preparedness records, AMBER+STRICT to the hub): one by e-mail, one by phone.
  const city2 = await net.login(net.cities[1]!);
  for (const workContact of ['it2@city.example', '+1 608 555 0100'])
    await city2.preparedness.record.mutate({
      kind: 'liaison',
      body: { role: 'Cybersecurity liaison', agency: 'City IT', name: 'Sam Lee', workContact },
    });
  periodStart = clock.now() - MIN;
  const official = await net.login(net.hub, 'official');
  await official.operations.announcePeriod.mutate({
    name: 'General election, Nov 3',
    start: new Date(periodStart).toISOString(),
    end: new Date(periodStart + 2 * 86_400_000).toISOString(),
  });
  await net.processAll();
});
afterAll(async () => {
  await net?.close();
  await smtp?.close();
});

const hub = () => net.hub.ctx;
const SECRET_TITLE = 'Ballot tabulator in Ward 7 rebooting';
const SECRET_NARRATIVE = 'The serial number is TX-99812';

async function severeAmber(cityIndex: number, title = SECRET_TITLE) {
  const staff = await net.login(net.cities[cityIndex]!);
  const { id } = await staff.staff.postBulletin.mutate({
    tlp: 'AMBER',
    audience: [net.hub.id],
    body: { title, narrative: SECRET_NARRATIVE, category: 'equipment.malfunction', severity: 'severe' },
  });
  await net.processAll();
  return id;
}

describe('escalation clocks: a severe bulletin unacknowledged past 30 minutes', () => {
  let escalatedId: string;

  it('shows the time left, then escalates exactly once, by e-mail, with no AMBER content', async () => {
    escalatedId = await severeAmber(0);
    expect(await hub().situation.tick()).toEqual([]);
    let board = await hub().situation.board();
    expect(board.clocks.map((c) => [c.id, c.overdue, c.words])).toEqual([[escalatedId, false, '30 min left']]);

    clock.advance(31 * MIN);
    expect(await hub().situation.tick()).toEqual([`ack:${escalatedId}`]);
    expect(await hub().situation.tick()).toEqual([]);
    board = await hub().situation.board();
    expect(board.clocks[0]).toMatchObject({
      id: escalatedId,
      overdue: true,
      words: 'overdue by 1 min',
      escalated: true,
    });

    await hub().notificationDispatch.flush();
    expect(await hub().notificationDispatch.flush()).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail!.to).toEqual(['official@hub.example']);
    expect(mail!.raw).toMatch(/Acknowledgement overdue/);
    expect(mail!.raw).toMatch(/SEVERE TLP:AMBER report from Test City t-city-1/);
    expect(mail!.raw).not.toContain('Ward 7');
    expect(mail!.raw).not.toContain('TX-99812');

    // In the audit trail and on the object's timeline, and in the official's notification centre.
    const audit = await net.hub.audit.list({ action: 'escalation.ack', limit: 10 });
    expect(audit.map((e) => e.subject)).toEqual([escalatedId]);
    expect(audit[0]!.detail).toMatchObject({ severity: 'severe', to: ['user:official'] });
    const official = await net.login(net.hub, 'official');
    expect((await official.staff.object.query({ id: escalatedId })).escalations).toEqual([
      { kind: 'ack', at: new Date(clock.now()).toISOString() },
    ]);
    const api = await official.operations.board.query();
    expect(api.clocks[0]).toMatchObject({ id: escalatedId, title: SECRET_TITLE, words: 'overdue by 1 min' });
    expect((await official.notifications.list.query()).items[0]).toMatchObject({
      kind: 'ack-overdue',
      subject: escalatedId,
      read: false,
    });
    expect(await net.hub.store.read((r) => r.notifications.unread('official'))).toBe(1);
    expect(await net.hub.store.read((r) => r.notifications.unread('staff'))).toBe(0);
  });

  it('acknowledging stops the clock: an acknowledged bulletin leaves the queue and never escalates', async () => {
    const official = await net.login(net.hub, 'official');
    const second = await severeAmber(1, 'Second report');
    await official.hub.triage.mutate({ target: second, status: 'acknowledged' });
    await official.hub.triage.mutate({ target: escalatedId, status: 'acknowledged' });
    clock.advance(31 * MIN);
    expect(await hub().situation.tick()).toEqual([]);
    expect((await hub().situation.board()).clocks).toEqual([]);
    await hub().notificationDispatch.flush();
    expect(smtp.mails).toHaveLength(1);
  });
});

describe('check-ins: a city that misses two is overdue, its liaison gets one e-mail, a check-in clears it', () => {
  it('lists both cities by how many they missed and e-mails only the one that missed two', async () => {
    const before = smtp.mails.length;
    // t-city-1 checks in now (T + 63 min); t-city-2 never has.
    await (await net.login(net.cities[0]!)).operations.checkIn.mutate({ state: 'quiet' });
    await net.processAll();
    clock.advance(periodStart + 245 * MIN - clock.now());

    expect(await hub().situation.tick()).toHaveLength(1);
    expect(await hub().situation.tick()).toEqual([]);
    const board = await hub().situation.board();
    expect(board.overdue.map((o) => [o.city, o.missed, o.escalated, o.county])).toEqual([
      [net.cities[1]!.id, 2, true, 'Dane'],
      [net.cities[0]!.id, 1, false, null],
    ]);
    // The console's board (and so the situation room's map) keys them by that county.
    const api = await (await net.login(net.hub, 'official')).operations.board.query();
    expect(api.overdue.map((o) => [o.city, o.county])).toEqual([
      [net.cities[1]!.id, 'Dane'],
      [net.cities[0]!.id, null],
    ]);
    await hub().notificationDispatch.flush();
    const mails = smtp.mails.slice(before);
    // Its liaison by e-mail, not the enrolled contact (the phone number cannot take a mail).
    expect(mails.map((m) => m.to)).toEqual([['it2@city.example']]);
    expect(mails[0]!.raw).toMatch(/Test City t-city-2 has missed 2 check-ins/);
    const audit = await net.hub.audit.list({ action: 'escalation.checkin', limit: 10 });
    expect(audit.map((e) => e.subject)).toEqual([net.cities[1]!.id]);
  });

  it('a check-in clears it', async () => {
    await (await net.login(net.cities[1]!)).operations.checkIn.mutate({ state: 'issues', note: 'back online' });
    await net.processAll();
    expect(await hub().situation.tick()).toEqual([]);
    const board = await hub().situation.board();
    expect(board.overdue.map((o) => o.city)).toEqual([net.cities[0]!.id]);
  });
});

describe('the shift log', () => {
  it('keeps signed handover and decision notes at the hub, with the escalations, printable', async () => {
    const official = await net.login(net.hub, 'official');
    expect((await official.operations.shift.query()).officials).toEqual(['official']);
    await official.operations.setShift.mutate({ usernames: ['official'] });
    await expect(official.operations.setShift.mutate({ usernames: ['staff'] })).rejects.toThrow(
      /not active hub officials/,
    );
    clock.advance(MIN);
    const decision = await official.operations.writeShiftNote.mutate({
      type: 'decision',
      text: 'Asked Milwaukee to switch to paper pollbooks.',
    });
    await official.operations.writeShiftNote.mutate({
      type: 'handover',
      text: 'Night shift takes over.',
      onShift: ['jo'],
    });
    await net.processAll();

    const log = await official.operations.shiftLog.query();
    expect(log.entries.map((e) => e.type)).toEqual(['escalation', 'escalation', 'decision', 'handover']);
    expect(log.entries[2]).toMatchObject({ ref: decision.id, text: 'Asked Milwaukee to switch to paper pollbooks.' });
    expect(log.text).toMatch(/^Shift log — General election, Nov 3/);
    expect(log.text).toContain('DECISION');
    expect(log.text).toContain('(on shift: jo)');

    // Signed, addressed to the hub alone: no city holds it, nothing was queued to one.
    const held = await net.hub.store.getObject(decision.id);
    expect(held).toMatchObject({ kind: 'shift-note', tlp: 'AMBER', audience: [net.hub.id] });
    for (const city of net.cities) expect(await city.store.getObject(decision.id)).toBeNull();
    expect(await net.hub.store.deliveriesOf(decision.id)).toEqual([]);

    // Cities keep no shift log.
    await expect((await net.login(net.cities[0]!, 'admin')).operations.shiftLog.query()).rejects.toThrow();
  });
});
