import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedRecipient, RosterMember } from '../lib/api';
import { DEFAULT_MARKING, MarkingPicker, type MarkingValue, previewRecipients, toWire } from './marking';

afterEach(cleanup);

const roster: RosterMember[] = [
  { node: 'state-hub', name: 'State Election Office', role: 'hub', status: 'active' },
  { node: 'springfield', name: 'City of Springfield', role: 'city', status: 'active' },
  { node: 'shelbyville', name: 'City of Shelbyville', role: 'city', status: 'active' },
  { node: 'ogdenville', name: 'City of Ogdenville', role: 'city', status: 'suspended' },
];
const names = (ms: RosterMember[]) => ms.map((m) => m.node);
const directory: RedRecipient[] = [
  {
    node: 'state-hub',
    nodeName: 'State Election Office',
    user: 'olivia',
    name: 'Olivia Official',
    title: 'state election official',
  },
  { node: 'springfield', nodeName: 'City of Springfield', user: 'mayor', name: 'Mayor Quimby', title: 'mayor' },
];

describe('marking', () => {
  it('GREEN for the whole network reaches every active member; the wire audience is "*"', () => {
    expect(toWire(DEFAULT_MARKING)).toEqual({ tlp: 'GREEN', audience: ['*'] });
    expect(names(previewRecipients(DEFAULT_MARKING, 'springfield', roster).receive)).toEqual([
      'state-hub',
      'shelbyville',
    ]);
  });

  it('AMBER reaches only the organizations picked, even if "whole network" was ticked before', () => {
    const m: MarkingValue = { tlp: 'AMBER', wholeNetwork: true, nodes: ['state-hub'], people: [] };
    expect(toWire(m)).toEqual({ tlp: 'AMBER', audience: ['state-hub'] });
    expect(names(previewRecipients(m, 'springfield', roster).receive)).toEqual(['state-hub']);
  });

  it('RED reaches only the nodes of the named people', () => {
    const m: MarkingValue = {
      tlp: 'RED',
      wholeNetwork: true,
      nodes: ['shelbyville'],
      people: [{ node: 'state-hub', user: ' olivia ' }],
    };
    expect(toWire(m)).toEqual({
      tlp: 'RED',
      audience: ['state-hub'],
      recipients: [{ node: 'state-hub', user: 'olivia' }],
    });
    const p = previewRecipients(m, 'springfield', roster);
    expect(names(p.receive)).toEqual(['state-hub']);
    expect(names(p.excluded)).toEqual(['shelbyville']);
  });

  it('the picker says in plain words who will see it, and previews the recipients', () => {
    let value: MarkingValue = DEFAULT_MARKING;
    const { rerender } = render(
      <MarkingPicker
        form="t"
        value={value}
        onChange={(v) => (value = v)}
        self="springfield"
        roster={roster}
        directory={directory}
        errors={{}}
      />,
    );
    const preview = screen.getByRole('region', { name: 'Who will receive it' });
    expect(within(preview).getByText(/Every member of this state network/)).toBeTruthy();
    expect(within(preview).getByText('City of Shelbyville')).toBeTruthy();

    fireEvent.click(
      screen.getByRole('radio', { name: /TLP:AMBER Only the organizations you pick, on a need-to-know/ }),
    );
    expect(value.tlp).toBe('AMBER');
    rerender(
      <MarkingPicker
        form="t"
        value={value}
        onChange={(v) => (value = v)}
        self="springfield"
        roster={roster}
        directory={directory}
        errors={{ audience: 'Pick at least one organization.' }}
      />,
    );
    expect(screen.getByText('No other organization will receive it.', { exact: false })).toBeTruthy();
    expect(screen.getByText('Pick at least one organization.')).toBeTruthy();
    // The labels carry the words; the colours only repeat them.
    expect(screen.getAllByText('TLP:AMBER').length).toBeGreaterThan(0);
  });

  it('RED names people only from the directory, and says that nobody else opens it, not even the author city mayor', () => {
    let value: MarkingValue = { ...DEFAULT_MARKING, tlp: 'RED', people: [{ node: 'shelbyville', user: 'gone' }] };
    render(
      <MarkingPicker
        form="t"
        value={value}
        onChange={(v) => (value = v)}
        self="springfield"
        roster={roster}
        directory={directory}
        errors={{}}
      />,
    );
    // No free-text user names: people are ticked from the directory.
    expect(screen.queryByRole('textbox')).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: /Olivia Official/ }));
    expect(value.people).toEqual([
      { node: 'shelbyville', user: 'gone' },
      { node: 'state-hub', user: 'olivia' },
    ]);
    expect(screen.getByRole('group', { name: 'City of Springfield (your organization)' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/Not in the directory.*gone at shelbyville/s);
    const preview = screen.getByRole('region', { name: 'Who will receive it' });
    expect(within(preview).getByText(/not your colleagues here, not your mayor/)).toBeTruthy();
    expect(within(preview).queryByText(/Colleagues signed in to your own node can see it/)).toBeNull();
  });
});
