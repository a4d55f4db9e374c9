import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiError, useTRPC } from '../lib/api';
import { useSession } from '../lib/session';

const words = (ms: number) => {
  const m = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return [d && `${d} d`, h && `${h} h`, `${m % 60} min`].filter(Boolean).join(' ');
};

/** The open operational period, its countdown, and (in a city) one-click check-in. */
export function PeriodBanner() {
  const trpc = useTRPC();
  const session = useSession();
  const period = useQuery({ ...trpc.operations.period.queryOptions(), refetchInterval: 60_000 });
  const checkIn = useMutation(trpc.operations.checkIn.mutationOptions());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const p = period.data;
  if (!p) return null;
  const left = Date.parse(p.end) - now;
  return (
    <aside className="period-banner" aria-label="Operational period">
      <strong>{p.name}</strong> · ends in <span data-testid="period-countdown">{words(left)}</span> · check in every{' '}
      {words(p.checkInMinutes * 60_000)}
      {session.node.role === 'city' && (
        <>
          {' '}
          <button type="button" onClick={() => checkIn.mutate({ state: 'quiet' })} disabled={checkIn.isPending}>
            Check in: all quiet
          </button>
          {checkIn.isSuccess && <span role="status"> Checked in.</span>}
          {checkIn.isError && <span role="alert"> {apiError(checkIn.error).message}</span>}
        </>
      )}
    </aside>
  );
}
