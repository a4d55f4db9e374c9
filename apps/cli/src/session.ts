import { type CityLinkClient, signIn } from '@citylink/client';
import { UsageError } from './errors.js';
import { remoteError } from './remote-errors.js';

export interface Credentials {
  user: string;
  password: string;
}

/** `--user` / `--password`, falling back to CITYLINK_USER / CITYLINK_PASSWORD. */
export function credentialsFrom(opts: { user?: string; password?: string }, env: NodeJS.ProcessEnv): Credentials {
  const user = opts.user ?? env.CITYLINK_USER;
  const password = opts.password ?? env.CITYLINK_PASSWORD;
  if (!user) throw new UsageError('no account: pass --user or set CITYLINK_USER');
  if (!password) throw new UsageError('no password: pass --password or set CITYLINK_PASSWORD');
  return { user, password };
}

export async function connect(url: string, creds: Credentials): Promise<CityLinkClient> {
  try {
    return await signIn(url, creds.user, creds.password);
  } catch (err) {
    throw remoteError(err, url, `sign-in as ${creds.user}`);
  }
}
