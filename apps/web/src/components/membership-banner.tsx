import { useSession } from '../lib/session';

/**
 * When the hub has suspended or removed this node, the console would otherwise just go
 * quiet: say what happened, what it means here, and whom to call (the hub's contact from
 * the hub-signed roster).
 */
export function MembershipBanner() {
  const session = useSession();
  const me = session.roster.find((m) => m.node === session.node.node);
  if (!me || me.status === 'active' || session.node.role === 'hub') return null;
  const hub = session.roster.find((m) => m.role === 'hub');
  const hubName = hub?.name ?? 'the state hub';
  const what =
    me.status === 'suspended'
      ? `${hubName} has suspended ${me.name} from the network.`
      : `${hubName} has removed ${me.name} from the network (${me.status}).`;
  return (
    <aside className="membership-banner" role="alert" aria-label="Membership">
      <strong>{what}</strong> Other cities and the hub do not accept reports from this node now, and nothing new reaches
      it. What you write here stays on this node until the membership is restored.{' '}
      <span>
        To ask why or to be reinstated, call {hubName}
        {hub?.contact && (
          <>
            : <span className="untrusted">{hub.contact}</span>
          </>
        )}
        .
      </span>
    </aside>
  );
}
