import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parseInitOptions, parsePort, type RawInitOptions } from './commands/init-options.js';
import { DEFAULT_DEMO_DIR } from './demo/layout.js';
import { CliError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { parseNodeUrl } from './node-url.js';
import { credentialsFrom } from './session.js';

const collect = (value: string, previous: string[]) => [...previous, value];
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
    .action(async (opts: { dir: string; fresh: boolean; basePort?: string }) => {
      const basePort = opts.basePort === undefined ? undefined : parsePort(opts.basePort, '--base-port');
      if (basePort !== undefined && basePort > 65_532) throw new UsageError('--base-port: at most 65532');
      const { demo } = await import('./commands/demo.js');
      await demo(io, {
        dir: opts.dir,
        fresh: opts.fresh,
        basePort,
        color: Boolean(process.stdout.isTTY) && !io.env.NO_COLOR,
      });
    });

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

  program
    .command('verify')
    .description("check signed objects (compact JWS or `feed --json` lines) against their origin's published keys")
    .argument('[file]', 'input file; - or nothing for standard input')
    .option('--node <url>', 'a node whose keys to use (from its /.well-known/jwks.json)')
    .option('--peer <url>', 'another node whose keys to use (repeatable)', collect, [])
    .option('--keys <[node=]url>', 'a JWKS URL to use (repeatable); the node id is looked up unless given', collect, [])
    .action(async (file: string | undefined, opts: { node?: string; peer: string[]; keys: string[] }) => {
      const nodeUrls = [
        ...(opts.node ? [parseNodeUrl(opts.node)] : []),
        ...opts.peer.map((p) => parseNodeUrl(p, '--peer')),
      ];
      const { parseKeysOption, loadWellKnownKeys } = await import('./commands/key-directory.js');
      opts.keys.forEach(parseKeysOption);
      if (nodeUrls.length === 0 && opts.keys.length === 0) {
        throw new UsageError('verify needs keys: pass --node URL (and --peer URL / --keys URL as needed)');
      }
      const { verify } = await import('./commands/verify.js');
      await verify(io, { input: file, keys: () => loadWellKnownKeys({ nodeUrls, jwks: opts.keys }) });
    });

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
    .option('--network <id>', "network id (default: the hub's node id)")
    .option('--hub-url <url>', 'city: the hub URL')
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
    .requiredOption('--roles <list>', 'comma-separated: staff, signer, admin, hub-official')
    .option('--password <password>', 'at least 12 characters (default: generate and print one)')
    .option('--password-stdin', 'read the password from the first line of standard input', false)
    .option('--display-name <name>', 'name shown in consoles (default: the username)')
    .action(
      async (opts: {
        config: string;
        username: string;
        roles: string;
        password?: string;
        passwordStdin: boolean;
        displayName?: string;
      }) => {
        const { userAdd } = await import('./commands/user-add.js');
        await userAdd(io, opts);
      },
    );

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
