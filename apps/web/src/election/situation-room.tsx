import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { useTRPC } from '../lib/api';
import { humanize } from '../lib/format';
import { useLive } from '../lib/live';
import { EscalationQueue } from './escalation-queue';

// The map (d3-geo and the us-atlas counties, ~1 MB) loads only here, never on first load.
const CountyMap = lazy(() => import('./county-map'));

/**
 * The wall screen for the situation room: large type, dark high contrast, the
 * statewide map, live counters, the escalation queue and the posture. Every new
 * report or status arriving on the live feed refreshes it at once.
 */
export function SituationRoomScreen() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const live = useLive();
  const board = useQuery({ ...trpc.operations.board.queryOptions(), refetchInterval: 15_000 });
  const posture = useQuery(trpc.staff.posture.queryOptions());
  const last = live.entries.at(-1)?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new live entry is what asks for a refresh
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: trpc.operations.board.queryKey() });
  }, [last, live.overlay]);
  useEffect(() => {
    document.body.classList.add('wall');
    return () => document.body.classList.remove('wall');
  }, []);
  const b = board.data;
  const emergencies = b?.clocks.filter((c) => c.severity === 'emergency').length ?? 0;
  const overdue = b?.clocks.filter((c) => c.overdue).length ?? 0;
  return (
    <div className="situation-room">
      <h1 id="page-title" tabIndex={-1}>
        Situation room{b?.period ? ` — ${b.period.name}` : ''}
      </h1>
      <p className="posture-line">
        Posture:{' '}
        <strong>{posture.data ? humanize((posture.data as unknown as { level: string }).level) : 'not set'}</strong>
      </p>
      <dl className="counters" aria-label="Live counters">
        <div>
          <dt>Open reports</dt>
          <dd data-testid="open-reports">{b?.clocks.length ?? '…'}</dd>
        </div>
        <div>
          <dt>Emergencies</dt>
          <dd data-testid="emergencies">{emergencies}</dd>
        </div>
        <div>
          <dt>Acknowledgements overdue</dt>
          <dd>{overdue}</dd>
        </div>
        <div>
          <dt>Cities behind on check-ins</dt>
          <dd>{b?.overdue.length ?? '…'}</dd>
        </div>
      </dl>
      {b && (
        <Suspense fallback={<p role="status">Loading the map…</p>}>
          <CountyMap board={b} />
        </Suspense>
      )}
      {b && <EscalationQueue board={b} large />}
    </div>
  );
}
