import type { AppRouter } from '@citylink/node';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { TRPCProvider } from '../lib/api';
import { type Enrollment, EnrollmentQueue, sortEnrollments } from './membership';

afterEach(cleanup);

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const KID = 'kQ3v1uPz0wTtqkWcD6Xb2mHn8sLr5aYe4fGj7hNi9oM';

const enrollments: Enrollment[] = [
  {
    id: 'b'.repeat(43),
    node: 'ogdenville',
    name: 'City of Ogdenville',
    baseUrl: 'https://citylink.ogdenville.example',
    kid: 'x'.repeat(43),
    contact: 'clerk@ogdenville.example',
    county: null,
    population: null,
    status: 'rejected',
    reason: 'Unknown contact',
    receivedAt: '2026-11-02T09:00:00.000Z',
    decidedAt: '2026-11-02T10:00:00.000Z',
    decidedBy: 'olivia',
    competing: 0,
  },
  {
    id: 'a'.repeat(43),
    node: 'north-haverbrook',
    name: `North Haverbrook ${HOSTILE}`,
    baseUrl: 'https://citylink.nh.example',
    kid: KID,
    contact: 'Lyle, +1 555 0100',
    county: 'Springfield',
    population: 3_000,
    status: 'pending',
    reason: null,
    receivedAt: '2026-11-01T09:00:00.000Z',
    decidedAt: null,
    decidedBy: null,
    competing: 0,
  },
];

type Handler = (path: string, input: unknown) => unknown;

/** A tRPC client whose link answers from `handler` (throw to answer with an error) and records every call. */
function renderWith(ui: ReactNode, handler: Handler) {
  const calls: { path: string; input: unknown }[] = [];
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        calls.push({ path: op.path, input: op.input });
        try {
          observer.next({ result: { type: 'data', data: handler(op.path, op.input) } });
          observer.complete();
        } catch (err) {
          observer.error(
            TRPCClientError.from({
              error: { code: -32009, message: (err as Error).message, data: { code: 'CONFLICT', httpStatus: 409 } },
            }),
          );
        }
        return () => undefined;
      });
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {ui}
      </TRPCProvider>
    </QueryClientProvider>,
  );
  return calls;
}

const answers =
  (extra: Record<string, (input: unknown) => unknown> = {}): Handler =>
  (path, input) => {
    if (extra[path]) return extra[path](input);
    if (path === 'hub.enrollments') return enrollments;
    throw new Error(`unexpected call ${path}`);
  };

describe('the enrollment queue', () => {
  it('marks competing requests for one node id and shows an expired one without buttons', async () => {
    const contested = (id: string, status: Enrollment['status'], competing: number): Enrollment => ({
      ...enrollments[1]!,
      id: id.repeat(43),
      node: 'springfield',
      status,
      competing,
    });
    const list = [contested('c', 'pending', 1), contested('d', 'pending', 1), contested('e', 'expired', 0)];
    renderWith(<EnrollmentQueue />, (path) => (path === 'hub.enrollments' ? list : undefined));
    await screen.findByText('Enrollment requests (2 waiting)');
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => within(li).queryByTestId('competing')?.textContent ?? null)).toEqual([
      '1 competing request',
      '1 competing request',
      null,
    ]);
    const expired = within(items[2]!);
    expect(expired.getByText(/the city must send a new request/)).toBeTruthy();
    expect(expired.queryByRole('button')).toBeNull();
  });

  it('lists pending requests first, with node id, name, URL, contact, fingerprint and received time', async () => {
    expect(sortEnrollments(enrollments).map((e) => e.status)).toEqual(['pending', 'rejected']);
    renderWith(<EnrollmentQueue />, answers());
    await screen.findByText('Enrollment requests (1 waiting)');
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-enrollment'))).toEqual(['a'.repeat(43), 'b'.repeat(43)]);
    const first = within(items[0]!);
    expect(first.getByText('north-haverbrook', { selector: 'code' })).toBeTruthy();
    expect(first.getByText(`North Haverbrook ${HOSTILE}`)).toBeTruthy();
    expect(first.getByText('https://citylink.nh.example')).toBeTruthy();
    expect(first.getByText('Lyle, +1 555 0100')).toBeTruthy();
    expect(first.getByTestId('kid').textContent).toBe(KID);
    expect(first.getByText('Received')).toBeTruthy();
    expect(first.getByRole('button', { name: 'Approve north-haverbrook' })).toBeTruthy();
    // A decided request shows the decision, and no buttons.
    const second = within(items[1]!);
    expect(second.getByText(/Unknown contact/)).toBeTruthy();
    expect(second.queryByRole('button')).toBeNull();
    expect(document.querySelectorAll('img, [onerror]').length).toBe(0);
  });

  it('approves with the request id', async () => {
    const calls = renderWith(<EnrollmentQueue />, answers({ 'hub.approveEnrollment': () => ({ version: 3 }) }));
    fireEvent.click(await screen.findByRole('button', { name: 'Approve north-haverbrook' }));
    await screen.findByText(/Approved: north-haverbrook/);
    expect(calls.find((c) => c.path === 'hub.approveEnrollment')?.input).toEqual({ id: 'a'.repeat(43) });
  });

  it('shows the server error next to the action', async () => {
    renderWith(
      <EnrollmentQueue />,
      answers({
        'hub.approveEnrollment': () => {
          throw new Error(`enrollment ${'a'.repeat(43)} was already decided`);
        },
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Approve north-haverbrook' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Approving failed');
    expect(alert.textContent).toContain('was already decided');
    expect(alert.closest('li')?.getAttribute('data-enrollment')).toBe('a'.repeat(43));
  });

  it('requires a reason to reject, then sends it', async () => {
    const calls = renderWith(<EnrollmentQueue />, answers({ 'hub.rejectEnrollment': () => ({ ok: true }) }));
    fireEvent.click(await screen.findByRole('button', { name: 'Reject… north-haverbrook' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reject the request' }));
    expect(screen.getByText(/Give a reason/)).toBeTruthy();
    expect(calls.some((c) => c.path === 'hub.rejectEnrollment')).toBe(false);
    const reason = screen.getByLabelText(/Reason for rejecting north-haverbrook/);
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(reason, { target: { value: '  The fingerprint did not match  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Reject the request' }));
    await waitFor(() =>
      expect(calls.find((c) => c.path === 'hub.rejectEnrollment')?.input).toEqual({
        id: 'a'.repeat(43),
        reason: 'The fingerprint did not match',
      }),
    );
  });
});
