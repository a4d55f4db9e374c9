import { payloadOfJws, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

let net: TestNetwork | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await net?.close();
  net = undefined;
});

describe('a roster offer older than the one held', () => {
  it('is answered with CONFLICT and a clear reason, and logged as a warning, not an error', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const [city1, city2] = net.cities as [NonNullable<(typeof net.cities)[0]>, NonNullable<(typeof net.cities)[0]>];
    const first = net.hub.roster.jws!;
    const offered = JSON.parse(Buffer.from(payloadOfJws(first)).toString('utf8')).body.version as number;
    const official = await net.login(net.hub, 'official');
    await official.hub.changeMemberUrl.mutate({
      node: 't-city-1',
      baseUrl: city1.baseUrl.replace('127.0.0.1', 'localhost'),
    });
    await net.refreshRosters();
    const held = city2.roster.version;
    expect(held).toBeGreaterThan(offered);
    const warn = vi.spyOn(city2.log, 'warn');
    const error = vi.spyOn(city2.log, 'error');

    // An honest member (city 1) passes on the genuine, hub-signed, but older roster.
    const err = await city1
      .peer('t-city-2')!
      .federation.offerRoster.mutate({ jws: first })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    const refused = err as TRPCClientError<never>;
    expect((refused.data as { code?: string }).code).toBe('CONFLICT');
    expect(refused.message).toBe(`roster version ${offered} is older than the held ${held}`);
    expect(city2.roster.version).toBe(held);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ offered, held }),
      'stale roster refused: older than the one held',
    );
    expect(error).not.toHaveBeenCalled();
  });

  it('keeps BAD_REQUEST for a roster whose signature is not the hub’s', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const [city1] = net.cities;
    const key1 = await readKeyFile(net.configOf('t-city-1').keyFile);
    const forged = await signObject(
      {
        v: 1,
        kind: 'roster',
        origin: 't-hub',
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: ['*'],
        body: { network: 't-net', version: 99, members: [] },
      },
      key1,
    );
    const err = await city1!
      .peer('t-city-2')!
      .federation.offerRoster.mutate({ jws: forged.jws })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect(((err as TRPCClientError<never>).data as { code?: string }).code).toBe('BAD_REQUEST');
    expect((err as Error).message).toMatch(/^roster refused: /);
  });
});
