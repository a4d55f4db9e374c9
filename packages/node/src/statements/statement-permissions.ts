import type { SessionUser } from '../accounts/accounts.js';

/** Who takes part in a statement: its originator and the cities it invited. */
export function isInvited(s: { originator: string; invited: readonly string[] }, node: string): boolean {
  return node === s.originator || s.invited.includes(node);
}

/** What the signed-in person may do with a statement here; the console shows exactly these. */
export interface StatementPermissions {
  /** Sign for this city (the mayor, while sign-on is open, in a city that takes part). */
  sign: boolean;
  /** Withdraw this city's standing signature. */
  withdraw: boolean;
  /** Comment or propose an amendment (an invited city, before final). */
  comment: boolean;
  /** Revise, decide, open sign-on, finalize and record deliveries (the originator). */
  manage: boolean;
}

export function statementPermissions(
  self: string,
  user: SessionUser,
  s: {
    originator: string;
    invited: readonly string[];
    phase: string;
    signOn: { text: unknown } | null;
    signers: readonly { node: string; signature: string | null; status: string }[];
    final: unknown;
  },
): StatementPermissions {
  const signer = user.roles.includes('signer');
  const mine = s.signers.find((x) => x.node === self);
  return {
    sign: signer && s.phase === 'sign-on open' && !!s.signOn?.text && isInvited(s, self),
    withdraw: signer && !!mine?.signature && mine.status !== 'withdrawn',
    comment: isInvited(s, self) && s.originator !== self && !s.final,
    manage: s.originator === self,
  };
}
