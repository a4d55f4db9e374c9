import { basename } from 'node:path';
import { CliError } from '../errors.js';
import { readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { remoteCall } from '../remote-errors.js';
import { connect } from '../session.js';
import type { HubSession } from './hub.js';

export type ImportTlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT';

/**
 * `citylink hub import bundle.json`: the hub signs each STIX object it can carry as a
 * bulletin with its provenance; prints one line per object (imported, duplicate,
 * refused with the reason). Exits 1 if any object was refused.
 */
export async function hubImport(
  io: Io,
  s: HubSession & { file: string; source?: string; defaultTlp: ImportTlp; json: boolean },
): Promise<void> {
  const bundle = await readJsonFile(s.file);
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) {
    throw new CliError(`${s.file}: not a STIX bundle (a JSON object with "objects")`);
  }
  const client = await connect(s.node, s.creds);
  const report = await remoteCall(s.node, 'importing the bundle', () =>
    client.hub.importBundle.mutate({
      source: s.source ?? basename(s.file),
      defaultTlp: s.defaultTlp,
      bundle: bundle as Record<string, unknown>,
    }),
  );
  if (s.json) io.out(JSON.stringify(report));
  else {
    for (const i of report.imported) io.out(`${i.action}\t${i.stixId}\t${i.modified}\t${i.id}`);
    for (const d of report.duplicates) io.out(`duplicate\t${d.stixId}\t${d.modified}`);
    for (const r of report.refused) io.out(`refused\t${r.stixId ?? `objects[${r.index}]`}\t${r.reason}`);
  }
  io.err(
    `${report.imported.length} imported, ${report.duplicates.length} duplicates, ${report.refused.length} refused`,
  );
  if (report.refused.length > 0) throw new CliError('some objects were refused (see above)');
}
