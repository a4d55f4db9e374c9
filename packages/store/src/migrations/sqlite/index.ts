import { Migration20261125124332 } from './Migration20261125124332.js';
import { Migration20261125130922 } from './Migration20261125130922.js';
import { Migration20261125135631 } from './Migration20261125135631.js';
import { Migration20261201090442 } from './Migration20261201090442.js';
import { Migration20261201095609 } from './Migration20261201095609.js';
import { Migration20261201103000 } from './Migration20261201103000.js';
import { Migration20261202120000 } from './Migration20261202120000.js';
import { Migration20261202130000 } from './Migration20261202130000.js';
import { Migration20261202140000 } from './Migration20261202140000.js';
import { Migration20261202150000 } from './Migration20261202150000.js';
import { Migration20261202160000 } from './Migration20261202160000.js';
import { Migration20261202170000 } from './Migration20261202170000.js';
import { Migration20261203100000 } from './Migration20261203100000.js';
import { Migration20261203110000 } from './Migration20261203110000.js';
import { Migration20261203110100 } from './Migration20261203110100.js';
import { Migration20261203140000 } from './Migration20261203140000.js';

/** Applied in order at start-up. Append new migrations; never edit one that has shipped. */
export const sqliteMigrations = [
  { name: 'Migration20261125124332', class: Migration20261125124332 },
  { name: 'Migration20261125130922', class: Migration20261125130922 },
  { name: 'Migration20261125135631', class: Migration20261125135631 },
  { name: 'Migration20261201090442', class: Migration20261201090442 },
  { name: 'Migration20261201095609', class: Migration20261201095609 },
  { name: 'Migration20261201103000', class: Migration20261201103000 },
  { name: 'Migration20261202120000', class: Migration20261202120000 },
  { name: 'Migration20261202130000', class: Migration20261202130000 },
  { name: 'Migration20261202140000', class: Migration20261202140000 },
  { name: 'Migration20261202150000', class: Migration20261202150000 },
  { name: 'Migration20261202170000', class: Migration20261202170000 },
  { name: 'Migration20261202160000', class: Migration20261202160000 },
  { name: 'Migration20261203100000', class: Migration20261203100000 },
  { name: 'Migration20261203110000', class: Migration20261203110000 },
  { name: 'Migration20261203110100', class: Migration20261203110100 },
  { name: 'Migration20261203140000', class: Migration20261203140000 },
];
