import { createClient } from '@citylink/client';
import { describe, expect, it } from 'vitest';
import { cluster } from './hub-cluster-harness.js';

// Two `apps/hub` processes on one PostgreSQL database: the sign-in limits count the
// attempts made at either process together (store: login-throttle.ts), so a guesser
// spreading over the processes behind a load balancer gets no more tries than at one.

const attempt = async (port: number): Promise<string> => {
  const anon = createClient({ baseUrl: `http://127.0.0.1:${port}` });
  try {
    await anon.staff.login.mutate({ username: 'official', password: 'not the password at all', bearer: true });
    return 'OK';
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? String(err);
  }
};

describe('sign-in limits under two hub processes', () => {
  it('the 11th wrong password for one account, wherever it is tried, is refused before it is checked', async () => {
    const c = await cluster(2, 1);
    const answers: string[] = [];
    // The default limit: 10 attempts per account and address per 15 minutes.
    for (let n = 0; n < 10; n++) answers.push(await attempt(c.ports[n % 2]!));
    expect(answers).toEqual(Array(10).fill('UNAUTHORIZED'));
    expect(await attempt(c.ports[0]!)).toBe('TOO_MANY_REQUESTS');
    expect(await attempt(c.ports[1]!)).toBe('TOO_MANY_REQUESTS');
  }, 120_000);
});
