import { countyKey as key } from '@citylink/protocol';
import { geoAlbers, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import counties from 'us-atlas/counties-10m.json';
import type { Board } from './escalation-queue';

type CountyProps = { name: string };

/**
 * Counties of the state, coloured by open reports and by cities overdue on check-in (keyed by
 * the roster's county of each city); no tiles, no network.
 */
export default function CountyMap({ board }: { board: Board }) {
  const topo = counties as unknown as Topology<{ counties: GeometryCollection<CountyProps> }>;
  const all = feature(topo, topo.objects.counties);
  const state = { ...all, features: all.features.filter((f) => String(f.id).startsWith(board.stateFips)) };
  const width = 900;
  const height = 700;
  const projection = geoAlbers().fitSize([width, height], state);
  const path = geoPath(projection);
  const open = new Map<string, number>();
  for (const c of board.clocks) if (c.county) open.set(key(c.county), (open.get(key(c.county)) ?? 0) + 1);
  const quiet = new Set(board.overdue.filter((o) => o.county).map((o) => key(o.county)));
  return (
    <figure className="county-map">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Map of counties: open reports and overdue check-ins"
      >
        {state.features.map((f) => {
          const k = key(f.properties.name);
          const n = open.get(k) ?? 0;
          const cls = n > 0 ? (n > 2 ? 'county hot' : 'county warm') : quiet.has(k) ? 'county quiet' : 'county';
          return (
            <path key={String(f.id)} d={path(f) ?? ''} className={cls}>
              <title>
                {f.properties.name} County: {n} open report{n === 1 ? '' : 's'}
                {quiet.has(k) ? ', a city overdue on check-in' : ''}
              </title>
            </path>
          );
        })}
      </svg>
      <figcaption>
        Red: open reports (darker: more than two). Striped amber: a city overdue on check-in.{' '}
        {state.features
          .filter((f) => open.has(key(f.properties.name)))
          .map((f) => `${f.properties.name} County: ${open.get(key(f.properties.name))}`)
          .join(' · ')}
      </figcaption>
    </figure>
  );
}
