import { relative } from 'node:path';
import type { DemoState } from './state.js';

export const SUMMARY_HEADLINE = 'CityLink demo network is up';

const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
};

/** What the demo prints once every node answers: nodes, accounts, commands to try. */
export function renderSummary(state: DemoState, cwd = process.cwd()): string[] {
  const { paths, accounts, nodes } = state;
  const show = (p: string) => (relative(cwd, p).startsWith('..') ? p : relative(cwd, p) || '.');
  const cred = (node: string, user: string) =>
    accounts.nodes.find((n) => n.node === node)?.accounts.find((a) => a.username === user)?.password ?? '?';
  const url = (node: string) => nodes.find((n) => n.spec.node === node)!.url;
  const madison = url('wi-madison');
  const milwaukee = url('wi-milwaukee');
  const hub = url('wi-hub');
  return [
    '',
    `${SUMMARY_HEADLINE} (state in ${show(paths.dir)}; Ctrl-C stops it; --fresh starts over)`,
    '',
    ...table([['node', 'role', 'url', 'name'], ...nodes.map((n) => [n.spec.node, n.spec.role, n.url, n.spec.name])]),
    '',
    `Accounts (also in ${show(paths.accounts)}):`,
    ...table([
      ['node', 'username', 'password', 'roles'],
      ...accounts.nodes.flatMap((n) => n.accounts.map((a) => [n.node, a.username, a.password, a.roles.join(',')])),
    ]),
    '',
    'Try (in another terminal, from the repository root):',
    `  npx citylink post ${show(paths.exampleBulletin)} --node ${madison} --user staff --password ${cred('wi-madison', 'staff')}`,
    `  npx citylink feed --node ${milwaukee} --user staff --password ${cred('wi-milwaukee', 'staff')} --follow`,
    `  npx citylink feed --json --node ${hub} --user official --password ${cred('wi-hub', 'official')} \\`,
    `    | npx citylink verify --node ${hub} --peer ${madison} --peer ${milwaukee} --peer ${url('wi-green-bay')}`,
    '',
  ];
}
