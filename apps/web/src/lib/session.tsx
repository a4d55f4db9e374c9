import { createContext, useContext } from 'react';
import type { NodeInfo, RosterMember, SessionUser } from './api';

export interface Session {
  node: NodeInfo;
  user: SessionUser;
  roster: RosterMember[];
  /** Hub official (or admin) signed in at the hub: may see the situation view and triage. */
  isHubOfficial: boolean;
  nodeName(node: string): string;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

export function hubOfficial(node: NodeInfo, user: SessionUser): boolean {
  return node.role === 'hub' && user.roles.some((r) => r === 'hub-official' || r === 'admin');
}

/** "Springfield (springfield)", or the id alone when the roster does not know it. */
export function describeNode(roster: RosterMember[], node: string): string {
  const m = roster.find((r) => r.node === node);
  return m ? m.name : node;
}
