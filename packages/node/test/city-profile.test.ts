import { TestNetwork } from '@citylink/dev-env';
import { afterEach, describe, expect, it } from 'vitest';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

describe('a city’s county and population', () => {
  it('travel with the enrollment; the approving official may correct them; the roster lists them', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const newcomer = await net.addCity('t-dane', { enroll: false });
    const admin = await net.login(newcomer, 'admin');
    await expect(admin.admin.enroll.mutate({ contact: 'clerk@dane.example', county: 'Dane County' })).rejects.toThrow(
      /without the word/,
    );
    await expect(admin.admin.enroll.mutate({ contact: 'clerk@dane.example', population: 0 })).rejects.toThrow();
    const { id } = await admin.admin.enroll.mutate({
      contact: 'clerk@dane.example',
      county: 'Dane',
      population: 1_000,
    });
    const official = await net.login(net.hub, 'official');
    expect(await official.hub.enrollments.query({ status: 'pending' })).toEqual([
      expect.objectContaining({ id, county: 'Dane', population: 1_000 }),
    ]);
    await official.hub.approveEnrollment.mutate({ id, population: 269_840 });
    expect(net.hub.roster.member('t-dane')).toMatchObject({ county: 'Dane', population: 269_840 });
    await admin.admin.enrollmentStatus.query();
    expect(newcomer.roster.member('t-dane')).toMatchObject({ county: 'Dane', population: 269_840 });
  });
});
