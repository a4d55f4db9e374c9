import { Migration20261125124332 } from './Migration20261125124332.js';

/** Applied in order at start-up. Keep in step with ../sqlite: same names, same meaning. */
export const postgresqlMigrations = [{ name: 'Migration20261125124332', class: Migration20261125124332 }];
