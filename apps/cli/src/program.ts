import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parseInitOptions, parsePort, type RawInitOptions } from './commands/init-options.js';
import { parseAt, parseCityProfile, parseEnrollmentId, parseKid, parseNodeId } from './commands/membership-options.js';
import { DEFAULT_DEMO_DIR } from './demo/layout.js';
import { CliError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { parseNodeUrl } from './node-url.js';
import { credentialsFrom } from './session.js';

const collect = (value: string, previous: string[]) => [...previous, value];
type CityProfileOpts = { county?: string; population?: string };

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

const CREDENTIALS_HELP = 'credentials: --user/--password, or the CITYLINK_USER/CITYLINK_PASSWORD environment variables';

function addCredentialOptions(cmd: Command): Command {
  return cmd
    .option('--user <username>', 'account on that node (default: $CITYLINK_USER)')
    .option('--password <password>', 'its password (default: $CITYLINK_PASSWORD)');
}

/** The `citylink` command tree. Command modules load on use, so `post` never loads the database layer. */
export function createProgram(io: Io): Command {
  const program = new Command('citylink')
    .description('CityLink: run the demo network, create nodes and accounts, post, follow and verify signed objects')
    .version(version)
    .exitOverride()
    // Options after a subcommand belong to it: `enroll --node …` and `enroll status --node …` both work.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });

  program
    .command('demo')
    .description('start a hub and three cities (Wisconsin) as separate processes, with accounts; Ctrl-C stops them')
    .option('--dir <dir>', 'where keys, configs, databases and accounts.json are kept', DEFAULT_DEMO_DIR)
    .option('--fresh', 'delete the directory first and start with new keys, data and passwords', false)
    .addOption(new Option('--base-port <n>', 'hub port; cities use the next three').hideHelp())
    .option('--hub-processes <n>', 'run the hub as n processes on one PostgreSQL database (needs --database-url)', '1')
    .option('--database-url <url>', "the hub's PostgreSQL database (postgres://…), for a new demo (or with --fresh)")
    .action(
      async (opts: { dir: string; fresh: boolean; basePort?: string; hubProcesses: string; databaseUrl?: string }) => {
        const basePort = opts.basePort === undefined ? undefined : parsePort(opts.basePort, '--base-port');
        if (basePort !== undefined && basePort > 65_532) throw new UsageError('--base-port: at most 65532');
        const { demo } = await import('./commands/demo.js');
        await demo(io, {
          dir: opts.dir,
          fresh: opts.fresh,
          basePort,
          hubProcesses: Number(opts.hubProcesses),
          databaseUrl: opts.databaseUrl,
          color: Boolean(process.stdout.isTTY) && !io.env.NO_COLOR,
        });
      },
    );

  addCredentialOptions(
    program
      .command('post')
      .description('sign in and post a bulletin or note from a JSON file; prints the new object id')
      .argument('<file>', 'JSON: { "kind": "bulletin"|"note", "tlp", "audience", "recipients"?, "body" }')
      .requiredOption('--node <url>', 'base URL of your node, e.g. http://127.0.0.1:4001'),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (file: string, opts: { node: string; user?: string; password?: string }) => {
      const node = parseNodeUrl(opts.node);
      const creds = credentialsFrom(opts, io.env);
      const { post } = await import('./commands/post.js');
      await post(io, { file, node, creds });
    });

  addCredentialOptions(
    program
      .command('status')
      .description(
        "set a bulletin's status (its author city, or a hub official triaging); prints the status object's id",
      )
      .argument('<id>', 'the bulletin')
      .argument('<status>', 'acknowledged, investigating, confirmed, unfounded, duplicate, mitigated or closed')
      .option('--duplicate-of <id>', 'with status duplicate: the report it repeats')
      .option('--note <text>', 'a note for everyone who may read the report')
      .requiredOption('--node <url>', 'base URL of your node'),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(
      async (
        id: string,
        status: string,
        opts: { node: string; duplicateOf?: string; note?: string; user?: string; password?: string },
      ) => {
        const node = parseNodeUrl(opts.node);
        const creds = credentialsFrom(opts, io.env);
        const { setStatus } = await import('./commands/status.js');
        await setStatus(io, { id, status, duplicateOf: opts.duplicateOf, note: opts.note, node, creds });
      },
    );

  addCredentialOptions(
    program
      .command('checkin')
      .description('check in for the open operational period (all quiet unless --issues); prints the check-in id')
      .requiredOption('--node <url>', 'base URL of your city node')
      .option('--note <text>', 'a short note for the hub')
      .option('--issues', 'report issues instead of all quiet', false),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: { node: string; note?: string; issues: boolean; user?: string; password?: string }) => {
      const node = parseNodeUrl(opts.node);
      const creds = credentialsFrom(opts, io.env);
      const { checkin } = await import('./commands/checkin.js');
      await checkin(io, { node, creds, note: opts.note, issues: opts.issues });
    });

  addCredentialOptions(
    program
      .command('feed')
      .description('print every object this account may see on a node, oldest first, one per line')
      .requiredOption('--node <url>', 'base URL of the node')
      .option('--json', 'print each entry as one JSON object (with its exact JWS)', false)
      .option('--follow', 'after the backlog, keep printing new objects until Ctrl-C', false),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: { node: string; json: boolean; follow: boolean; user?: string; password?: string }) => {
      const node = parseNodeUrl(opts.node);
      const creds = credentialsFrom(opts, io.env);
      const { feed } = await import('./commands/feed.js');
      await feed(io, { node, creds, json: opts.json, follow: opts.follow });
    });

  addCredentialOptions(
    program
      .command('scorecard')
      .description("where the city stands on the ten recommendations; with --state, the hub's grid of every city")
      .requiredOption('--node <url>', 'base URL of the node (the hub for --state)')
      .option('--state', "the statewide grid, cities × recommendations (the hub's officials only)", false)
      .option('--county <name>', 'with --state: only the cities of this county (e.g. Dane)')
      .addOption(
        new Option(
          '--size <class>',
          'with --state: only cities of this size (small < 50,000 ≤ medium < 250,000 ≤ large)',
        ).choices(['small', 'medium', 'large']),
      )
      .option('--json', 'print JSON: an array of rows', false),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(
      async (opts: {
        node: string;
        json: boolean;
        state: boolean;
        county?: string;
        size?: 'small' | 'medium' | 'large';
        user?: string;
        password?: string;
      }) => {
        const node = parseNodeUrl(opts.node);
        if ((opts.county || opts.size) && !opts.state) throw new UsageError('--county and --size go with --state');
        const { county } = parseCityProfile({ ...(opts.county !== undefined && { county: opts.county }) });
        const creds = credentialsFrom(opts, io.env);
        const { scorecard } = await import('./commands/scorecard.js');
        await scorecard(io, { node, creds, json: opts.json, state: opts.state, county, size: opts.size });
      },
    );

  addCredentialOptions(
    program
      .command('verify')
      .description(
        "check signed objects (compact JWS or `feed --json` lines) against published keys or the hub's roster, or a joint statement's bundle offline",
      )
      .argument('[file]', 'input file; - or nothing for standard input')
      .option('--node <url>', 'a node whose keys to use (from its /.well-known/jwks.json)')
      .option('--peer <url>', 'another node whose keys to use (repeatable)', collect, [])
      .option(
        '--keys <[node=]url>',
        'a JWKS URL to use (repeatable); the node id is looked up unless given',
        collect,
        [],
      )
      .option('--roster', "use the hub-signed roster --node holds (signs in): any member's keys", false)
      .option(
        '--hub-fingerprint <kid>',
        "with --roster: check the roster against this hub key (default: the hub's JWKS)",
      ),
  )
    .addHelpText('after', `\nwith --roster, ${CREDENTIALS_HELP}`)
    .action(
      async (
        file: string | undefined,
        opts: {
          node?: string;
          peer: string[];
          keys: string[];
          roster: boolean;
          hubFingerprint?: string;
          user?: string;
          password?: string;
        },
      ) => {
        // The input is read once (a file, or standard input for `-` or no file).
        const { readTextInput } = await import('./input-files.js');
        const text = await readTextInput(file, io);
        // A joint statement's verification bundle is checked offline, with what it carries.
        const { asStatementBundle, verifyStatement } = await import('./commands/verify-statement.js');
        const bundle = asStatementBundle(text);
        if (bundle) {
          const hubFingerprint =
            opts.hubFingerprint === undefined ? undefined : parseKid(opts.hubFingerprint, '--hub-fingerprint');
          await verifyStatement(io, bundle, { ...(hubFingerprint && { hubFingerprint }) });
          return;
        }
        if (opts.roster) {
          if (!opts.node) throw new UsageError('--roster needs --node URL: the node whose roster to use');
          if (opts.peer.length > 0 || opts.keys.length > 0) {
            throw new UsageError('--roster uses the roster alone: leave out --peer and --keys');
          }
          const node = parseNodeUrl(opts.node);
          const hubFingerprint =
            opts.hubFingerprint === undefined ? undefined : parseKid(opts.hubFingerprint, '--hub-fingerprint');
          const creds = credentialsFrom(opts, io.env);
          const { loadRosterKeys } = await import('./commands/roster-keys.js');
          const { verify } = await import('./commands/verify.js');
          await verify(io, {
            input: file,
            text,
            keys: () => loadRosterKeys(io, { node, creds, ...(hubFingerprint && { hubFingerprint }) }),
          });
          return;
        }
        if (opts.hubFingerprint !== undefined) throw new UsageError('--hub-fingerprint: only with --roster');
        const nodeUrls = [
          ...(opts.node ? [parseNodeUrl(opts.node)] : []),
          ...opts.peer.map((p) => parseNodeUrl(p, '--peer')),
        ];
        const { parseKeysOption, loadWellKnownKeys } = await import('./commands/key-directory.js');
        opts.keys.forEach(parseKeysOption);
        if (nodeUrls.length === 0 && opts.keys.length === 0) {
          throw new UsageError(
            'verify needs keys: pass --node URL (and --peer URL / --keys URL as needed), or --roster',
          );
        }
        const { verify } = await import('./commands/verify.js');
        await verify(io, { input: file, text, keys: () => loadWellKnownKeys({ nodeUrls, jwks: opts.keys }) });
      },
    );

  program
    .command('init')
    .description('create a directory for a real node: key (0600), config, public key record')
    .addOption(new Option('--role <role>', 'city or hub').choices(['city', 'hub']).makeOptionMandatory())
    .requiredOption('--id <node-id>', 'node id, e.g. wi-madison (lowercase letters, digits, dashes)')
    .requiredOption('--name <name>', 'display name, e.g. "City of Madison"')
    .requiredOption('--dir <dir>', 'directory to create the files in')
    .option('--port <n>', 'port to listen on (default 4000 for a hub, 4001 for a city)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--base-url <url>', 'public URL other nodes reach this one at (default http://host:port)')
    .option('--network <id>', "network id (default: the hub's, or its node id with --hub-jwk)")
    .option('--hub-url <url>', 'city: the hub URL')
    .option(
      '--hub-fingerprint <kid>',
      "city: the hub key's fingerprint (from its operator); the key is fetched and checked",
    )
    .option('--hub-jwk <file-or-json>', "city: the hub's public key (its public-key.json, a JWKS or a JWK)")
    .option('--hub-id <node-id>', "city: the hub's node id, if --hub-jwk does not name it")
    .action(async (raw: RawInitOptions) => {
      const { init } = await import('./commands/init.js');
      await init(io, parseInitOptions(raw));
    });

  const user = program.command('user').description('manage accounts of a node');
  user
    .command('add')
    .description("create an account in a node's database (works while the node runs)")
    .requiredOption('--config <file>', "the node's config JSON (DATABASE_URL overrides its database)")
    .requiredOption('--username <name>', 'login name')
    .requiredOption(
      '--roles <list>',
      'comma-separated: staff, signer, admin, hub-official, red-recipient (may be named on TLP:RED)',
    )
    .option('--password <password>', 'at least 12 characters (default: generate and print one)')
    .option('--password-stdin', 'read the password from the first line of standard input', false)
    .option('--display-name <name>', 'full name, shown in consoles and signature blocks (default: the username)')
    .option('--title <title>', 'title under the name in a signature block, e.g. "Mayor of Madison"')
    .action(
      async (opts: {
        config: string;
        username: string;
        roles: string;
        password?: string;
        passwordStdin: boolean;
        displayName?: string;
        title?: string;
      }) => {
        const { userAdd } = await import('./commands/user-add.js');
        await userAdd(io, opts);
      },
    );

  const token = program.command('token').description("machine accounts' API tokens (TAXII, MISP feed) of a node");
  const tokenModule = () => import('./commands/token.js');
  token
    .command('add')
    .description("create an API token in a node's database; printed once, only its hash is kept")
    .requiredOption('--config <file>', "the node's config JSON (DATABASE_URL overrides its database)")
    .requiredOption('--name <name>', 'what the token is for (e.g. siem); names stay taken after a revocation')
    .option('--role <role>', 'feed-reader', 'feed-reader')
    .action(async (opts: { config: string; name: string; role: string }) => (await tokenModule()).tokenAdd(io, opts));
  token
    .command('revoke')
    .description('revoke an API token at once (it answers 401 from then on)')
    .requiredOption('--config <file>', "the node's config JSON")
    .requiredOption('--name <name>', 'the token to revoke')
    .action(async (opts: { config: string; name: string }) => (await tokenModule()).tokenRevoke(io, opts));
  token
    .command('list')
    .description('list API tokens (names, roles, when created, last used, revoked)')
    .requiredOption('--config <file>', "the node's config JSON")
    .option('--json', 'print JSON', false)
    .action(async (opts: { config: string; json: boolean }) => (await tokenModule()).tokenList(io, opts));

  const enroll = addCredentialOptions(
    program
      .command('enroll')
      .description("city: send this node's signed enrollment request to the hub (as an admin of this node)")
      .option('--node <url>', "base URL of this city's own node (required)")
      .option('--contact <email>', 'whom the hub operator should contact about it (required)')
      .option('--county <name>', 'the county, as in the Census atlas without "County" (e.g. Dane)')
      .option('--population <n>', 'residents, for the size classes of the hub grid'),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: CityProfileOpts & { node?: string; contact?: string; user?: string; password?: string }) => {
      if (!opts.node) throw new UsageError("enroll needs --node URL: this city's own node");
      const node = parseNodeUrl(opts.node);
      const contact = opts.contact?.trim() ?? '';
      if (contact.length < 3 || contact.length > 320) {
        throw new UsageError('enroll needs --contact EMAIL (3 to 320 characters): whom the hub operator calls');
      }
      const profile = parseCityProfile(opts);
      const creds = credentialsFrom(opts, io.env);
      const { enroll } = await import('./commands/enroll.js');
      await enroll(io, { node, contact, creds, ...profile });
    });
  addCredentialOptions(
    enroll
      .command('status')
      .description("print the hub's decision (exit 0 approved, 3 pending, 1 rejected)")
      .requiredOption('--node <url>', "base URL of this city's own node"),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: { node: string; user?: string; password?: string }) => {
      const node = parseNodeUrl(opts.node);
      const creds = credentialsFrom(opts, io.env);
      const { enrollStatus } = await import('./commands/enroll.js');
      await enrollStatus(io, { node, creds });
    });

  const hub = program
    .command('hub')
    .description('state hub: enrollments and membership (as a hub official or admin of the hub)');
  /** A `hub` subcommand: `--node` (the hub) and credentials, then its own arguments and options. */
  const hubCommand = (name: string, description: string) =>
    addCredentialOptions(
      hub.command(name).description(description).requiredOption('--node <url>', 'base URL of the hub'),
    ).addHelpText('after', `\n${CREDENTIALS_HELP}`);
  const session = (opts: { node: string; user?: string; password?: string }) => ({
    node: parseNodeUrl(opts.node),
    creds: credentialsFrom(opts, io.env),
  });
  type HubOpts = { node: string; user?: string; password?: string };
  const hubModule = () => import('./commands/hub.js');

  hubCommand('import', 'import a STIX 2.1 bundle as hub-signed bulletins (as a hub official)')
    .argument('<bundle>', 'a STIX 2.1 bundle (JSON file)')
    .option('--source <name>', 'recorded as provenance (default: the file name)')
    .addOption(
      new Option('--default-tlp <tlp>', 'for objects without a TLP marking')
        .choices(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'])
        .default('AMBER'),
    )
    .option('--json', 'print the report as JSON', false)
    .action(
      async (
        file: string,
        opts: HubOpts & { source?: string; defaultTlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT'; json: boolean },
      ) => {
        const { hubImport } = await import('./commands/hub-import.js');
        await hubImport(io, {
          ...session(opts),
          file,
          defaultTlp: opts.defaultTlp,
          json: opts.json,
          ...(opts.source && { source: opts.source }),
        });
      },
    );
  hubCommand('enrollments', 'list enrollment requests, newest first')
    .addOption(new Option('--status <status>', 'only these').choices(['pending', 'approved', 'rejected']))
    .option('--json', 'one JSON object per line', false)
    .action(async (opts: HubOpts & { status?: 'pending' | 'approved' | 'rejected'; json: boolean }) => {
      const s = session(opts);
      await (await hubModule()).hubEnrollments(io, {
        ...s,
        json: opts.json,
        ...(opts.status && { status: opts.status }),
      });
    });
  hubCommand('approve', 'approve an enrollment: the node becomes an active member')
    .argument('<id>', 'enrollment id (from `hub enrollments`)')
    .option('--county <name>', "the city's county (in place of what the request says), e.g. Dane")
    .option('--population <n>', 'residents (in place of what the request says)')
    .action(async (id: string, opts: HubOpts & CityProfileOpts) => {
      const profile = parseCityProfile(opts);
      const args = { id: parseEnrollmentId(id), ...profile, ...session(opts) };
      await (await hubModule()).hubApprove(io, args);
    });
  hubCommand('reject', 'reject an enrollment, with a reason the city sees')
    .argument('<id>', 'enrollment id (from `hub enrollments`)')
    .requiredOption('--reason <text>', 'why (shown to the city by `enroll status`)')
    .action(async (id: string, opts: HubOpts & { reason: string }) => {
      const reason = opts.reason.trim();
      if (reason.length === 0 || reason.length > 2000) throw new UsageError('--reason must be 1 to 2000 characters');
      const args = { id: parseEnrollmentId(id), reason, ...session(opts) };
      await (await hubModule()).hubReject(io, args);
    });
  const statusCommand = (
    name: string,
    status: 'active' | 'suspended' | 'revoked' | 'decommissioned',
    what: string,
    at: boolean,
  ) => {
    const cmd = hubCommand(name, what).argument('<node>', 'node id of the member');
    if (at) cmd.option('--at <iso>', 'effective from (default: now), e.g. 2026-05-01T12:00:00Z');
    cmd.action(async (member: string, opts: HubOpts & { at?: string }) => {
      const args = {
        member: parseNodeId(member),
        status,
        ...(opts.at !== undefined && { at: parseAt(opts.at) }),
        ...session(opts),
      };
      await (await hubModule()).hubSetStatus(io, args);
    });
  };
  statusCommand('suspend', 'suspended', 'suspend a member (reversible): its objects and calls are refused', false);
  statusCommand('reinstate', 'active', 'make a suspended (or revoked) member active again', false);
  statusCommand('revoke', 'revoked', 'revoke a member: its keys are revoked from --at; older objects stay valid', true);
  statusCommand('decommission', 'decommissioned', 'retire a member that leaves the network for good', true);
  hubCommand('revoke-key', "revoke one of a member's keys")
    .argument('<node>', 'node id of the member')
    .argument('<kid>', 'the key (fingerprint)')
    .option('--compromised', 'distrust everything the key ever signed (it may have been used by someone else)', false)
    .option('--at <iso>', 'effective from (default: now), e.g. 2026-05-01T12:00:00Z')
    .action(async (member: string, kid: string, opts: HubOpts & { compromised: boolean; at?: string }) => {
      const args = {
        member: parseNodeId(member),
        kid: parseKid(kid),
        compromised: opts.compromised,
        ...(opts.at !== undefined && { at: parseAt(opts.at) }),
        ...session(opts),
      };
      await (await hubModule()).hubRevokeKey(io, args);
    });
  hubCommand('set-url', "change a member's base URL")
    .argument('<node>', 'node id of the member')
    .argument('<url>', 'its new base URL, e.g. https://citylink.madison.example')
    .action(async (member: string, url: string, opts: HubOpts) => {
      const args = { member: parseNodeId(member), url: parseNodeUrl(url, 'URL'), ...session(opts) };
      await (await hubModule()).hubSetUrl(io, args);
    });
  hubCommand('members', 'list the members: status, last contact, delivery backlog, key age')
    .option('--json', 'one JSON object per line', false)
    .action(async (opts: HubOpts & { json: boolean }) => {
      await (await hubModule()).hubMembers(io, { ...session(opts), json: opts.json });
    });
  hubCommand('replace-key', 'admin: give a member a new key when it cannot rotate (lost or stolen key)')
    .argument('<node>', 'node id of the member')
    .argument('<file>', 'its new public key (printed by `citylink keys new`, or a public-key.json or JWK)')
    .action(async (member: string, file: string, opts: HubOpts) => {
      const args = { member: parseNodeId(member), file, ...session(opts) };
      await (await hubModule()).hubReplaceKey(io, args);
    });

  const keys = program.command('keys').description("a node's signing keys");
  addCredentialOptions(
    keys
      .command('rotate')
      .description('replace the signing key of a node (as its admin); the old key keeps verifying what it signed')
      .requiredOption('--node <url>', 'base URL of the node'),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: HubOpts) => {
      const { keysRotate } = await import('./commands/keys.js');
      await keysRotate(io, session(opts));
    });
  keys
    .command('show')
    .description('print the keys a node publishes (/.well-known/jwks.json) with their validity windows')
    .requiredOption('--node <url>', 'base URL of the node')
    .action(async (opts: { node: string }) => {
      const { keysShow } = await import('./commands/keys.js');
      await keysShow(io, { node: parseNodeUrl(opts.node) });
    });
  keys
    .command('new')
    .description('write a new key file (0600) and print its public record, to recover from a lost key')
    .requiredOption('--out <file>', 'where to write the private key (never overwritten)')
    .action(async (opts: { out: string }) => {
      const { keysNew } = await import('./commands/keys.js');
      await keysNew(io, opts);
    });

  addCredentialOptions(
    program
      .command('audit')
      .description("print a node's audit trail, newest first (as an admin or hub official)")
      .requiredOption('--node <url>', 'base URL of the node')
      .option('--action <action>', 'only this action, e.g. membership.status, key.revoked, enrollment.received')
      .option('--limit <n>', 'at most this many entries (1-500)', '100')
      .option('--json', 'one JSON object per line', false),
  )
    .addHelpText('after', `\n${CREDENTIALS_HELP}`)
    .action(async (opts: HubOpts & { action?: string; limit: string; json: boolean }) => {
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit) || limit < 1 || limit > 500)
        throw new UsageError('--limit: a number from 1 to 500');
      const { audit } = await import('./commands/audit.js');
      await audit(io, { ...session(opts), limit, json: opts.json, ...(opts.action && { action: opts.action }) });
    });

  return program;
}

/** Parses `argv` and runs the command; returns the exit code. Errors become one line on stderr. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv as string[]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.err(`citylink: ${err.message}`);
      return err.exitCode;
    }
    io.err(`citylink: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
