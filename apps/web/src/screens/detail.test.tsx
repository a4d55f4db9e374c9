import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectDetail } from '../lib/api';
import { HOSTILE, ID, renderWithSession, testSession } from '../testing';
import { deliveryState, ObjectView } from './detail';

afterEach(cleanup);

const created = '2026-11-03T10:00:00.000Z';
const detail = {
  seq: 7,
  id: ID('a'),
  kind: 'bulletin',
  origin: 'springfield',
  created,
  tlp: 'GREEN',
  audience: ['*'],
  target: null,
  jws: 'eyJ.eyJ.sig',
  kid: 'K'.repeat(43),
  receivedAt: created,
  receivedFrom: 'local',
  recipients: null,
  item: { status: 'acknowledged', retracted: false, supersededBy: null },
  object: {
    v: 1,
    kind: 'bulletin',
    origin: 'springfield',
    created,
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: HOSTILE,
      narrative: '<a href="javascript:alert(1)">click me</a>',
      category: 'cyber.phishing',
      severity: 'low',
      indicators: [{ type: 'url', value: 'javascript:alert(document.domain)' }],
    },
  },
  related: [
    {
      id: ID('b'),
      kind: 'bulletin-status',
      origin: 'state-hub',
      created: '2026-11-03T10:05:00.000Z',
      object: {
        v: 1,
        kind: 'bulletin-status',
        origin: 'state-hub',
        created: '2026-11-03T10:05:00.000Z',
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: ID('a'), status: 'acknowledged', note: '<b onmouseover=alert(1)>bold</b>' },
      },
    },
    {
      id: ID('c'),
      kind: 'acknowledgement',
      origin: 'shelbyville',
      created: '2026-11-03T10:06:00.000Z',
      object: {
        v: 1,
        kind: 'acknowledgement',
        origin: 'shelbyville',
        created: '2026-11-03T10:06:00.000Z',
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: ID('a'), seenHere: true },
      },
    },
  ],
  deliveries: [
    {
      recipient: 'state-hub',
      outcome: 'accepted',
      reason: null,
      attempts: 1,
      nextAttemptAt: null,
      lastError: null,
      deliveredAt: created,
      via: null,
    },
  ],
  relayReportAvailable: true,
} as unknown as ObjectDetail;

/** What the node answers in `can` to each viewer of this bulletin (packages/node/src/views/permissions.ts). */
const CAN: Record<string, ObjectDetail['can']> = {
  shelbyville: { acknowledge: true, endorse: false, setStatus: false, retract: false, correct: false },
  springfield: { acknowledge: false, endorse: false, setStatus: true, retract: true, correct: true },
};
const renderDetail = (d: ObjectDetail, node: string) =>
  renderWithSession(<ObjectView detail={{ ...d, can: CAN[node]! }} />, testSession(node));

describe('object detail', () => {
  it('shows markup from another city as text, and never makes a link of it', () => {
    const { container } = renderDetail(detail, 'shelbyville');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(HOSTILE);
    expect(screen.getByText('<a href="javascript:alert(1)">click me</a>')).toBeTruthy();
    expect(screen.getByText('javascript:alert(document.domain)').tagName).toBe('CODE');
    expect(container.querySelectorAll('script, img, [onerror], [onmouseover], b').length).toBe(0);
    for (const a of container.querySelectorAll('a')) expect(a.getAttribute('href')).toMatch(/^\/(?!\/)/);
  });

  it('says who verified the signature, with which key, and what the hub and the cities said', () => {
    renderDetail(detail, 'shelbyville');
    expect(screen.getByText('Signature verified by this node on receipt')).toBeTruthy();
    expect(screen.getByText('K'.repeat(43))).toBeTruthy();
    expect(screen.getByText('Acknowledged by the hub')).toBeTruthy();
    expect(screen.getByText(/“Seen it here too”/)).toBeTruthy();
    // Not the author: no delivery table, but the acknowledge action.
    expect(screen.queryByText('Delivery to each recipient')).toBeNull();
    expect(screen.getByRole('button', { name: 'Send “seen it here too”' })).toBeTruthy();
  });

  it('shows the author the delivery state per recipient, and the author’s actions', () => {
    renderDetail(detail, 'springfield');
    const row = screen.getByText('State Election Office', { selector: 'td' }).closest('tr')!;
    expect(row.textContent).toContain('Delivered');
    expect(screen.getByRole('button', { name: 'Retract' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Publish a correction' }).getAttribute('href')).toBe(
      `/report?supersedes=${ID('a')}`,
    );
    expect(screen.queryByRole('button', { name: 'Send “seen it here too”' })).toBeNull();
  });

  it('the hub’s own network-wide objects do not say they go to the state hub', () => {
    const own = { ...detail, origin: 'state-hub', can: CAN.springfield! } as ObjectDetail;
    const session = testSession('state-hub');
    renderWithSession(<ObjectView detail={own} />, { ...session, node: { ...session.node, role: 'hub' } });
    expect(screen.getByText(/the state hub \(this node\) delivers it to every member/)).toBeTruthy();
    expect(screen.queryByText(/this node delivers it to the state hub/)).toBeNull();
  });

  it('shows on the timeline when the acknowledgement went overdue and was escalated (issue 16)', () => {
    const escalated = { ...detail, escalations: [{ kind: 'ack', at: '2026-11-03T10:35:00.000Z' }] } as ObjectDetail;
    renderDetail(escalated, 'springfield');
    const timeline = screen.getByRole('heading', { name: 'Status history' }).closest('section')!;
    expect(timeline.textContent).toContain('Acknowledgement overdue: escalated to the on-call officials');
  });

  it('describes each delivery outcome in words', () => {
    const base = {
      recipient: 'x',
      reason: null,
      attempts: 3,
      nextAttemptAt: null,
      lastError: null,
      deliveredAt: null,
      via: null,
    };
    expect(deliveryState({ ...base, outcome: 'duplicate' }).label).toBe('Delivered');
    expect(deliveryState({ ...base, outcome: 'rejected', reason: 'tlp_violation' })).toEqual({
      label: 'Rejected',
      detail: 'reason: tlp_violation',
    });
    const queued = deliveryState({
      ...base,
      outcome: 'pending',
      nextAttemptAt: new Date(Date.now() + 120_000).toISOString(),
      lastError: 'ECONNREFUSED',
    });
    expect(queued.label).toBe('Queued');
    expect(queued.detail).toMatch(/next retry in 2 minutes, 3 attempts so far; last error: ECONNREFUSED/);
  });
});
