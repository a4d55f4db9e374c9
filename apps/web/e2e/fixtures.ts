import type { NodeSpec } from './network';

/** The e2e network: the state hub and two cities, with the people who use them. */
export const HUB: NodeSpec = {
  id: 'state-hub',
  name: 'State Election Office',
  accounts: [
    { username: 'olivia', displayName: 'Olivia Official', roles: ['hub-official', 'staff', 'red-recipient'] },
    { username: 'sam', displayName: 'Sam Staff', roles: ['staff'] },
  ],
};
export const SPRINGFIELD: NodeSpec = {
  id: 'springfield',
  name: 'City of Springfield',
  county: 'Sangamon',
  population: 114_394,
  accounts: [
    { username: 'ana', displayName: 'Ana Alvarez', roles: ['staff'] },
    { username: 'mayor', displayName: 'Mayor Quimby', roles: ['signer', 'staff'] },
  ],
};
export const SHELBYVILLE: NodeSpec = {
  id: 'shelbyville',
  name: 'City of Shelbyville',
  county: 'Shelby',
  population: 4_325,
  accounts: [{ username: 'ben', displayName: 'Ben Brooks', roles: ['staff'] }],
};
