/**
 * Election Day vectors (docs/protocol/vectors/operations.json): an operational
 * period signed by the hub (wi-hub, the pinned hub key of membership.json) and a
 * check-in signed by wi-madison (keys.json) answering it, and a hub shift note
 * about the period. Built by vectors.ts.
 */
import { canonicalJson, type SignedObject } from '@citylink/protocol';
import { type NodeKey, signObject } from '../src/index.js';

export async function buildOperationsVectors(keys: { hub: NodeKey; city: NodeKey }) {
  const period: SignedObject = {
    v: 1,
    kind: 'operational-period',
    origin: 'wi-hub',
    created: '2026-10-20T12:00:00.000Z',
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      name: 'General election, Nov 3',
      start: '2026-10-20T13:00:00.000Z',
      end: '2026-11-04T06:00:00.000Z',
      earlyVoting: [{ start: '2026-10-20T13:00:00.000Z', end: '2026-11-01T23:00:00.000Z' }],
      checkInMinutes: 120,
      ackTargets: {
        emergency: 15,
        severe: 30,
        high: 60,
        medium: 240,
        low: null,
        'baseline-minor': null,
        'baseline-negligible': null,
      },
      timeZone: 'America/Chicago',
    },
  };
  const signedPeriod = await signObject(period, keys.hub);
  const checkIn: SignedObject = {
    v: 1,
    kind: 'checkin',
    origin: 'wi-madison',
    created: '2026-11-03T14:00:00.000Z',
    tlp: 'AMBER',
    audience: ['wi-hub'],
    body: {
      period: signedPeriod.id,
      state: 'issues',
      note: 'One ballot scanner jammed at Ward 12; paper backup in use.',
    },
  };
  const signedCheckIn = await signObject(checkIn, keys.city);
  const shiftNote: SignedObject = {
    v: 1,
    kind: 'shift-note',
    origin: 'wi-hub',
    created: '2026-11-03T14:20:00.000Z',
    tlp: 'AMBER',
    audience: ['wi-hub'],
    body: {
      period: signedPeriod.id,
      type: 'decision',
      by: 'Jo Official',
      text: 'Asked Madison to keep the paper backup pollbooks in use until the scanner is replaced.',
    },
  };
  const signedShiftNote = await signObject(shiftNote, keys.hub);
  const entry = (name: string, input: SignedObject, s: { id: string; jws: string }, key: NodeKey) => ({
    name,
    input,
    canonical: canonicalJson(input),
    id: s.id,
    kid: key.kid,
    jws: s.jws,
  });
  return {
    note: 'The period verifies with the pinned hub key of membership.json, the check-in with the current key of keys.json; the check-in and the shift note name the period by its id.',
    vectors: [
      entry('operational-period', period, signedPeriod, keys.hub),
      entry('checkin', checkIn, signedCheckIn, keys.city),
      entry('shift-note', shiftNote, signedShiftNote, keys.hub),
    ],
  };
}
