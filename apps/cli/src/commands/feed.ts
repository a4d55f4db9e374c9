import type { CityLinkClient } from '@citylink/client';
import { interruptSignal } from '../interrupt.js';
import type { Io } from '../io.js';
import { remoteError } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { type FeedEntry, feedHumanLine, feedJsonLine } from './feed-format.js';

export interface FeedOptions {
  node: string;
  creds: Credentials;
  json: boolean;
  follow: boolean;
}

const PAGE = 500;

/** Prints every object the account may see, in log order; with `follow`, keeps printing new ones. */
export async function feed(io: Io, opts: FeedOptions): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  const print = (entry: FeedEntry) => io.out(opts.json ? feedJsonLine(entry) : feedHumanLine(entry));
  let after: number;
  try {
    after = await printBacklog(client, print);
  } catch (err) {
    throw remoteError(err, opts.node, 'reading the feed');
  }
  if (opts.follow) await follow(client, io, opts.node, after, print);
}

/** Pages through `staff.objects` from the start of the log; returns the last sequence number read. */
async function printBacklog(client: CityLinkClient, print: (e: FeedEntry) => void): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await client.staff.objects.query({ after, limit: PAGE });
    for (const entry of page.items) print(entry);
    // Stop at the head, and also if the cursor did not move (an empty log, or a node rewinding).
    if (page.next <= after || page.next >= page.head) return Math.max(after, page.next);
    after = page.next;
  }
}

/** Subscribes to `staff.onFeed` from `after` (the last log entry read) until SIGINT or SIGTERM. */
async function follow(
  client: CityLinkClient,
  io: Io,
  url: string,
  after: number,
  print: (e: FeedEntry) => void,
): Promise<void> {
  const interrupt = interruptSignal();
  let lost = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const sub = client.staff.onFeed.subscribe(
        { lastEventId: after },
        {
          onData: (event) => print(event.data),
          onError: (err) => {
            sub.unsubscribe();
            reject(remoteError(err, url, 'following the feed'));
          },
          onConnectionStateChange: (state) => {
            if (state.state === 'connecting' && state.error && !lost) {
              lost = true;
              io.err(`connection to ${url} lost (${state.error.message}); reconnecting…`);
            } else if (state.state === 'pending' && lost) {
              lost = false;
              io.err(`reconnected to ${url}`);
            }
          },
        },
      );
      interrupt.signal.addEventListener('abort', () => {
        sub.unsubscribe();
        resolve();
      });
    });
  } finally {
    interrupt.dispose();
  }
}
