import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../src/accounts/accounts.js';
import { isInvited, statementPermissions } from '../src/statements/statement-permissions.js';

const user = (roles: SessionUser['roles']): SessionUser => ({ username: 'u', displayName: 'U', roles }) as SessionUser;
const mayor = user(['signer', 'staff']);
const staff = user(['staff']);

const open = {
  originator: 'shelbyville',
  invited: ['springfield'],
  phase: 'sign-on open',
  signOn: { text: { title: 't' } },
  signers: [
    { node: 'shelbyville', signature: 'sig-s', status: 'signed' },
    { node: 'springfield', signature: null, status: 'not signed' },
  ],
  final: null,
};

describe('statement `can`: the rules the node enforces, asked for one person', () => {
  it('lets the mayor of a city that takes part sign while sign-on is open, and nobody else', () => {
    expect(statementPermissions('springfield', mayor, open)).toEqual({
      sign: true,
      withdraw: false,
      comment: true,
      manage: false,
    });
    expect(statementPermissions('springfield', staff, open).sign).toBe(false);
    expect(statementPermissions('ogdenville', mayor, open).sign).toBe(false);
    expect(statementPermissions('springfield', mayor, { ...open, phase: 'closed' }).sign).toBe(false);
    expect(statementPermissions('springfield', mayor, { ...open, signOn: null }).sign).toBe(false);
  });

  it('lets the originator manage and withdraw its standing signature, but not comment on its own text', () => {
    expect(statementPermissions('shelbyville', mayor, open)).toEqual({
      sign: true,
      withdraw: true,
      comment: false,
      manage: true,
    });
    const withdrawn = { ...open, signers: [{ node: 'shelbyville', signature: 'sig-s', status: 'withdrawn' }] };
    expect(statementPermissions('shelbyville', mayor, withdrawn).withdraw).toBe(false);
    expect(statementPermissions('shelbyville', staff, open).withdraw).toBe(false);
  });

  it('closes comments once final, and only the originator and invited cities take part', () => {
    expect(statementPermissions('springfield', staff, { ...open, final: { id: 'f' } }).comment).toBe(false);
    expect(isInvited(open, 'shelbyville')).toBe(true);
    expect(isInvited(open, 'springfield')).toBe(true);
    expect(isInvited(open, 'ogdenville')).toBe(false);
  });
});
