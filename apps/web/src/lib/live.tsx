import { isPreparednessKind } from '@citylink/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { type FeedEntry, isUnauthorized, useTRPC } from './api';

/** Changes to a listed item learned from the live feed, applied on top of what a page query returned. */
export interface Overlay {
  status?: string;
  statusAt?: string;
  retracted?: boolean;
  supersededBy?: string;
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveState {
  status: LiveStatus;
  /** New bulletins and notes received since sign-in, newest last. */
  entries: FeedEntry[];
  overlay: ReadonlyMap<string, Overlay>;
}

const LiveContext = createContext<LiveState>({
  status: 'connecting',
  entries: [],
  overlay: new Map(),
});

export const useLive = () => useContext(LiveContext);

const MAX_ENTRIES = 2_000;

/**
 * One live subscription per signed-in console. tRPC's wsLink reconnects on its own
 * and sends the last event id it saw (the node's log sequence), so a dropped
 * connection resumes without gaps; entries are keyed by object id, so nothing is
 * listed twice.
 */
export function LiveProvider({ children, onUnauthorized }: { children: ReactNode; onUnauthorized: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [state, setState] = useState<Omit<LiveState, 'status'>>({
    entries: [],
    overlay: new Map(),
  });
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const started = useRef(false);
  const seen = useRef(new Set<string>());
  const hubTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refreshHub = useCallback(() => {
    clearTimeout(hubTimer.current);
    hubTimer.current = setTimeout(() => {
      void qc.invalidateQueries({ queryKey: trpc.hub.pathKey() });
    }, 300);
  }, [qc, trpc]);

  const apply = useCallback(
    (entry: FeedEntry) => {
      if (seen.current.has(entry.id)) return;
      seen.current.add(entry.id);
      if (entry.target) void qc.invalidateQueries({ queryKey: trpc.staff.object.queryKey({ id: entry.target }) });
      if (entry.kind === 'bulletin' || entry.kind === 'bulletin-status' || entry.kind === 'retraction') refreshHub();
      // A joint statement is the set of objects naming it (its first revision's id): each one refreshes its page and the list.
      if (entry.kind.startsWith('statement-')) {
        void qc.invalidateQueries({ queryKey: trpc.statements.get.queryKey({ id: entry.target ?? entry.id }) });
        void qc.invalidateQueries({ queryKey: trpc.statements.list.pathKey() });
      }
      // The banner on every console and the wall screen show the posture in force.
      if (entry.kind === 'posture') void qc.invalidateQueries({ queryKey: trpc.staff.posture.queryKey() });
      // Evidence changes a city's scorecard and the hub's grid.
      if (isPreparednessKind(entry.kind) || entry.kind === 'retraction') {
        void qc.invalidateQueries({ queryKey: trpc.preparedness.pathKey() });
      }
      setState((s) => {
        const o = entry.object;
        let overlay = s.overlay;
        const patch = (id: string, p: Overlay) => {
          if (overlay === s.overlay) overlay = new Map(s.overlay);
          (overlay as Map<string, Overlay>).set(id, { ...overlay.get(id), ...p });
        };
        let entries = s.entries;
        if (o.kind === 'bulletin' || o.kind === 'note') {
          entries = [...s.entries, entry].slice(-MAX_ENTRIES);
          if (o.body.supersedes) patch(o.body.supersedes, { supersededBy: entry.id });
        } else if (o.kind === 'bulletin-status') {
          const prev = overlay.get(o.body.target)?.statusAt;
          if (!prev || prev < o.created) patch(o.body.target, { status: o.body.status, statusAt: o.created });
        } else if (o.kind === 'retraction') {
          patch(o.body.target, { retracted: true });
        }
        return { ...s, entries, overlay };
      });
    },
    [qc, trpc, refreshHub],
  );

  useSubscription(
    trpc.staff.onFeed.subscriptionOptions(
      {},
      {
        onStarted: () => {
          setStatus('live');
          if (!started.current) {
            // Anything stored between a list's first read and this subscription is re-read once.
            started.current = true;
            void qc.invalidateQueries({ queryKey: trpc.staff.feed.pathKey() });
            void qc.invalidateQueries({ queryKey: trpc.statements.pathKey() });
            void qc.invalidateQueries({ queryKey: trpc.staff.posture.queryKey() });
            refreshHub();
          }
        },
        onData: (event) => apply(event.data),
        onError: (err) => {
          if (isUnauthorized(err)) onUnauthorized();
        },
        // "Live" only once the node has confirmed the subscription (onStarted), not when a socket opens.
        onConnectionStateChange: (s) => {
          if (s.state === 'connecting' && started.current) setStatus('reconnecting');
        },
      },
    ),
  );

  const value = useMemo(() => ({ ...state, status }), [state, status]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
