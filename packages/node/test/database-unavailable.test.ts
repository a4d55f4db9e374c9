import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { toTRPCError } from '../src/index.js';

// A hub process that lost its database answers 503 with the reason (senders back off and
// retry, or move to another hub endpoint); any other failure stays what it was.

describe('a lost database is a 503 with its reason', () => {
  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a standby', Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' })],
    ['shut down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['wrapped by the ORM', Object.assign(new Error('query failed'), { previous: { code: '08006', message: 'gone' } })],
  ])('%s', (_name, err) => {
    const mapped = toTRPCError(err);
    expect(mapped).toBeInstanceOf(TRPCError);
    expect((mapped as TRPCError).code).toBe('SERVICE_UNAVAILABLE');
    expect((mapped as TRPCError).message).toMatch(/^database unavailable: /);
  });

  it('any other error is left as it is', () => {
    const err = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(toTRPCError(err)).toBe(err);
  });
});
