import { join } from 'node:path';
import type { Role } from '@citylink/store';

export const DEMO_NETWORK = 'wi';
export const DEFAULT_BASE_PORT = 4000;
export const DEFAULT_DEMO_DIR = '.citylink/demo';

export interface DemoNodeSpec {
  node: string;
  role: 'hub' | 'city';
  name: string;
  /** Port = base port + offset. */
  offset: number;
  /** A city's county, for the situation room's map (the hub's `operations.cityCounties`). */
  county?: string;
}

export const DEMO_NODES: readonly DemoNodeSpec[] = [
  { node: 'wi-hub', role: 'hub', name: 'Wisconsin Elections Commission (demo)', offset: 0 },
  { node: 'wi-madison', role: 'city', name: 'City of Madison (demo)', offset: 1, county: 'Dane' },
  { node: 'wi-milwaukee', role: 'city', name: 'City of Milwaukee (demo)', offset: 2, county: 'Milwaukee' },
  { node: 'wi-green-bay', role: 'city', name: 'City of Green Bay (demo)', offset: 3, county: 'Brown' },
];

export const HUB_SPEC = DEMO_NODES[0]!;

export interface DemoAccountSpec {
  username: string;
  displayName: string;
  roles: Role[];
  hubOnly?: boolean;
}

export const DEMO_ACCOUNTS: readonly DemoAccountSpec[] = [
  { username: 'staff', displayName: 'Election staff', roles: ['staff'] },
  { username: 'mayor', displayName: 'Mayor', roles: ['signer', 'staff', 'red-recipient'] },
  { username: 'admin', displayName: 'Administrator', roles: ['admin', 'staff'] },
  {
    username: 'official',
    displayName: 'State election official',
    roles: ['hub-official', 'staff', 'red-recipient'],
    hubOnly: true,
  },
];

export const nodeUrl = (basePort: number, spec: DemoNodeSpec) => `http://127.0.0.1:${basePort + spec.offset}`;

/** Every file of a demo directory. */
export function demoPaths(dir: string) {
  return {
    dir,
    /** Marks the directory as a demo's, so `--fresh` only ever deletes one of ours. */
    marker: join(dir, 'citylink-demo.json'),
    accounts: join(dir, 'accounts.json'),
    members: join(dir, 'members.json'),
    exampleBulletin: join(dir, 'example-bulletin.json'),
    keyFile: (node: string) => join(dir, `${node}.key.json`),
    config: (node: string) => join(dir, `${node}.config.json`),
    database: (node: string) => join(dir, `${node}.db`),
  };
}
export type DemoPaths = ReturnType<typeof demoPaths>;
