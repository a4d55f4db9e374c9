import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE, ID, renderWithSession, testSession } from '../testing';
import { type DiffPart, DiffText, RevisionChanges, type StatementState, StatementView } from './statements';

afterEach(cleanup);

const created = '2026-11-03T10:00:00.000Z';
const deadline = new Date(Date.now() + 86_400_000).toISOString();
const HASH = 'h'.repeat(43);

const statement = {
  id: ID('a'),
  originator: 'shelbyville',
  phase: 'sign-on open',
  tlp: 'AMBER',
  audience: ['springfield', 'state-hub'],
  title: `Joint statement ${HOSTILE}`,
  addressees: ['The Governor'],
  invited: ['springfield'],
  revisions: [
    {
      id: ID('a'),
      number: 1,
      parent: null,
      created,
      title: 'Joint statement',
      text: 'We ask for funding.',
      addressees: ['The Governor'],
    },
  ],
  comments: [],
  signOn: {
    id: ID('s'),
    revision: ID('a'),
    textHash: HASH,
    deadline,
    text: {
      v: 1,
      kind: 'statement-text',
      statement: ID('a'),
      revision: ID('a'),
      title: 'Joint statement',
      addressees: ['The Governor'],
      text: `We ask for funding. ${HOSTILE}`,
    },
  },
  signers: [
    {
      node: 'shelbyville',
      name: 'City of Shelbyville',
      status: 'signed',
      block: { name: 'Mayor Ben', title: 'Mayor', city: 'Shelbyville' },
      signature: ID('x'),
      signedAt: created,
      problem: null,
    },
    {
      node: 'springfield',
      name: 'City of Springfield',
      status: 'not signed',
      block: null,
      signature: null,
      signedAt: null,
      problem: null,
    },
  ],
  counted: [ID('x')],
  final: null,
  addenda: [],
  deliveries: [],
  // What the node answers the mayor of Springfield (packages/node/src/statements/statement-permissions.ts).
  can: { sign: true, withdraw: false, comment: true, manage: false },
} as unknown as StatementState;
/** What the node answers staff of Springfield without the signer role, and anyone once sign-on closed. */
const cannotSign = { ...statement.can, sign: false };

describe('statement diff', () => {
  const parts: DiffPart[] = [
    { text: 'We ', change: 'same' },
    { text: 'ask', change: 'removed' },
    { text: 'demand', change: 'added' },
    { text: ' for ', change: 'same' },
    { text: '<b>funding</b>', change: 'added' },
  ];

  it('marks additions and removals with text markers as well as colour, and shows markup as text', () => {
    const { container } = render(<DiffText parts={parts} label="Changes from revision 1 to revision 2" />);
    const para = container.querySelector('p')!;
    const ins = para.querySelectorAll('ins');
    const del = para.querySelectorAll('del');
    expect([...ins].map((i) => i.textContent)).toEqual(['[added: +demand]', '[added: +<b>funding</b>]']);
    expect([...del].map((d) => d.textContent)).toEqual(['[removed: −ask]']);
    expect(ins[0]!.className).toBe('diff-added');
    expect(del[0]!.className).toBe('diff-removed');
    expect(container.querySelectorAll('b').length).toBe(0);
    expect(screen.getByText(/Changes from revision 1 to revision 2: 2 added, 1 removed/)).toBeTruthy();
  });
});

describe('revisions too different to compare word by word', () => {
  it('says so, and shows the whole of each text as removed and added', () => {
    const diff = {
      wordByWord: false,
      parts: [
        { text: 'Old text entirely.', change: 'removed' as const },
        { text: `New text ${HOSTILE}`, change: 'added' as const },
      ],
    };
    const { container } = render(<RevisionChanges diff={diff} label="Changes from revision 1 to revision 2" />);
    expect(screen.getByRole('status').textContent).toMatch(/too different to show word by word/);
    expect(container.querySelector('p.narrative del')!.textContent).toBe('[removed: −Old text entirely.]');
    expect(container.querySelector('p.narrative ins')!.textContent).toBe(`[added: +New text ${HOSTILE}]`);
    expect(container.querySelectorAll('script, img, [onerror]').length).toBe(0);
  });

  it('shows a word diff without the note', () => {
    const diff = { wordByWord: true, parts: [{ text: 'We ', change: 'same' as const }] };
    render(<RevisionChanges diff={diff} label="Changes" />);
    expect(screen.queryByText(/too different/)).toBeNull();
  });
});

describe('the signing panel', () => {
  it('shows the mayor of an invited city the frozen text and its hash, then Sign', () => {
    const { container } = renderWithSession(
      <StatementView s={statement} />,
      testSession('springfield', { username: 'q', displayName: 'Mayor Quimby', roles: ['signer', 'staff'] }),
    );
    const panel = screen.getByRole('region', { name: /Sign for/ });
    expect(within(panel).getByTestId('frozen-text').textContent).toBe(`We ask for funding. ${HOSTILE}`);
    expect(within(panel).getByTestId('text-hash').textContent).toBe(HASH);
    expect(within(panel).getByLabelText('Name')).toBeTruthy();
    expect(within(panel).getByLabelText('Title')).toBeTruthy();
    expect(within(panel).getByRole('button', { name: 'Sign' })).toBeTruthy();
    expect(container.querySelectorAll('script, img, [onerror]').length).toBe(0);
  });

  it('fills the signature block from the signer’s profile (full name and title), not "Mayor / Mayor"', () => {
    renderWithSession(
      <StatementView s={statement} />,
      testSession('springfield', {
        username: 'q',
        displayName: 'Joe Quimby',
        title: 'Mayor of Springfield',
        roles: ['signer', 'staff'],
      }),
    );
    const panel = screen.getByRole('region', { name: /Sign for/ });
    expect((within(panel).getByLabelText('Name') as HTMLInputElement).value).toBe('Joe Quimby');
    expect((within(panel).getByLabelText('Title') as HTMLInputElement).value).toBe('Mayor of Springfield');
    expect((within(panel).getByLabelText(/Remember them in my profile/) as HTMLInputElement).checked).toBe(false);
  });

  it('is not shown to staff without the signer role', () => {
    renderWithSession(
      <StatementView s={{ ...statement, can: cannotSign }} />,
      testSession('springfield', { username: 'q', displayName: 'Mayor Quimby', roles: ['staff'] }),
    );
    expect(screen.queryByRole('region', { name: /Sign for/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign' })).toBeNull();
    // The roster still says who signed, in words.
    const row = screen.getByText('City of Springfield', { selector: 'td' }).closest('tr')!;
    expect(row.textContent).toContain('Not signed yet');
  });

  it('is not shown when sign-on is not open', () => {
    renderWithSession(
      <StatementView s={{ ...statement, phase: 'closed', can: cannotSign }} />,
      testSession('springfield', { username: 'q', displayName: 'Mayor Quimby', roles: ['signer', 'staff'] }),
    );
    expect(screen.queryByRole('button', { name: 'Sign' })).toBeNull();
  });
});

describe('comments, withdrawal and finalizing', () => {
  const mayor = () =>
    testSession('springfield', { username: 'q', displayName: 'Mayor Quimby', roles: ['signer', 'staff'] });

  it('starts an amendment from the current text', () => {
    renderWithSession(<StatementView s={statement} />, mayor());
    expect((screen.getByLabelText(/Proposed text/) as HTMLTextAreaElement).value).toBe('We ask for funding.');
  });

  it('asks before withdrawing a signature, naming what happens, and can be cancelled', () => {
    const signed = {
      ...statement,
      signers: statement.signers.map((x) => (x.node === 'springfield' ? { ...x, status: 'signed' } : x)),
      can: { ...statement.can, sign: false, withdraw: true },
    } as StatementState;
    renderWithSession(<StatementView s={signed} />, mayor());
    fireEvent.click(screen.getByRole('button', { name: 'Withdraw the signature' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Withdraw the signature' });
    expect(dialog.textContent).toMatch(/signature on “Joint statement .*” will no longer count/);
    expect(within(dialog).getByRole('button', { name: 'Yes, withdraw our signature' })).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('button', { name: 'Withdraw the signature' })).toBeTruthy();
  });

  it('asks the originator before finalizing, with the count of signatures it will carry', () => {
    const own = { ...statement, can: { sign: false, withdraw: false, comment: false, manage: true } } as StatementState;
    renderWithSession(
      <StatementView s={own} />,
      testSession('shelbyville', { username: 'b', displayName: 'Mayor Ben', roles: ['signer', 'staff'] }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Finalize the statement' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Finalize the statement' });
    expect(dialog.textContent).toMatch(/closes the sign-on now and issues the final document with the 1 signature/);
    expect(within(dialog).getByRole('button', { name: 'Yes, finalize it now' })).toBeTruthy();
  });
});
