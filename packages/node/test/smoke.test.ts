import { TestNetwork } from '@citylink/dev-env';
import { expect, it } from 'vitest';

it('smoke: GREEN bulletin reaches everyone', async () => {
  await using net = await TestNetwork.create({ cities: 3, logLevel: 'warn' });
  const c1 = await net.login(net.cities[0]!);
  const { id } = await c1.staff.postBulletin.mutate({
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: 'Phishing wave',
      narrative: 'Look-alike domain e-mails',
      category: 'cyber.phishing',
      severity: 'medium',
    },
  });
  await net.processAll();
  for (const n of net.nodes) {
    expect(await n.store.getObject(id), n.id).not.toBeNull();
  }
});
