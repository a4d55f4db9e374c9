import { TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
});
afterAll(() => net.close());

const none = { acknowledge: false, endorse: false, setStatus: false, retract: false, correct: false };

describe('`can`: what the console may offer, computed by the rules ingest applies', () => {
  it('tells the author, another city and a hub official what each may do with a bulletin', async () => {
    const [city1, city2] = [net.cities[0]!, net.cities[1]!];
    const author = await net.login(city1);
    const { id } = await author.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'can', narrative: 'who may do what', category: 'cyber.ddos', severity: 'low' },
    });
    await net.processAll();

    expect((await author.staff.object.query({ id })).can).toEqual({
      ...none,
      setStatus: true,
      retract: true,
      correct: true,
    });
    const other = await net.login(city2);
    expect((await other.staff.object.query({ id })).can).toEqual({ ...none, acknowledge: true });
    const official = await net.login(net.hub, 'official');
    expect((await official.staff.object.query({ id })).can).toEqual({ ...none, acknowledge: true, setStatus: true });
    const hubStaff = await net.login(net.hub, 'staff');
    expect((await hubStaff.staff.object.query({ id })).can).toEqual({ ...none, acknowledge: true });

    // What `can` denies, the API refuses too.
    await expect(other.staff.retract.mutate({ target: id, reason: 'not mine' })).rejects.toThrow(
      /only the author may retract/,
    );
    await expect(hubStaff.staff.updateStatus.mutate({ target: id, status: 'investigating' })).rejects.toThrow(
      /only the author city or a hub official/,
    );

    // Once retracted, nobody is offered anything more.
    await author.staff.retract.mutate({ target: id, reason: 'test over' });
    await net.processAll();
    expect((await author.staff.object.query({ id })).can).toEqual(none);
    expect((await other.staff.object.query({ id })).can).toEqual(none);
  });
});
