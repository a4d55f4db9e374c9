import { useQuery } from '@tanstack/react-query';
import { TlpLabel } from '../components/tlp';
import { type RouterOutputs, useTRPC } from '../lib/api';
import { FORMS } from './preparedness/forms';

type City = RouterOutputs['public']['preparedness'][number];
type Entry = City['entries'][number];

/** "Proclaimed 2026-10-01 · town hall 2026-10-15, City-County Building". */
function describe(e: Entry): string {
  const b = e.body as Record<string, unknown>;
  if (e.kind === 'security-day') {
    const day = b as { proclamation?: string; townHall?: { date: string; place: string } };
    return [
      day.proclamation && `proclaimed ${day.proclamation}`,
      day.townHall && `town hall ${day.townHall.date}, ${day.townHall.place}`,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  return String(b.title ?? b.course ?? b.item ?? b.with ?? b.kind ?? b.chartered ?? '');
}

/**
 * What the cities chose to publish of their preparedness (TLP:CLEAR objects only: an
 * election-security day, say). The node answers CLEAR objects alone; the list checks
 * the label again, as the rest of the public page does.
 */
export function PublicPreparedness() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.public.preparedness.queryOptions(), staleTime: 60_000 });
  const cities = (q.data ?? [])
    .map((c) => ({ ...c, entries: c.entries.filter((e) => e.tlp === 'CLEAR') }))
    .filter((c) => c.entries.length > 0);
  if (cities.length === 0) return null;
  return (
    <section className="stack-tight" aria-labelledby="public-preparedness">
      <h2 id="public-preparedness">Election-security preparedness</h2>
      <ul className="plain stack-tight">
        {cities.flatMap((c) =>
          c.entries.map((e) => (
            <li key={e.id} className="card" data-kind={e.kind}>
              <TlpLabel tlp={e.tlp} /> <strong>{FORMS[e.kind].title}</strong> · {c.name}
              <div className="untrusted">{describe(e)}</div>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}
