import { Link, useLocation } from '../lib/router';

/** The hub official's views, under the page title of each. */
export function HubNav() {
  const { path } = useLocation();
  const links: [string, string][] = [
    ['/hub', 'Situation'],
    ['/hub/network', 'Network health'],
    ['/hub/membership', 'Membership'],
    ['/hub/preparedness', 'Preparedness'],
    ['/hub/liaisons', 'Liaison directory'],
    ['/hub/shift', 'On call and shift log'],
  ];
  return (
    <nav aria-label="Hub views" className="subnav">
      {links.map(([to, label]) => (
        <Link key={to} to={to} aria-current={path === to ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
