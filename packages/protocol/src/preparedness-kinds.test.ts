import { describe, expect, it } from 'vitest';
import {
  defaultPreparednessMarking,
  EMPTY_EVIDENCE,
  EVIDENCE_FIELD,
  isPreparednessKind,
  OBJECT_KINDS,
  PREPAREDNESS_KINDS,
  SignedObjectSchema,
  widerThanDefault,
} from './index.js';

const training = {
  period: { from: '2026-01-01', to: '2026-06-30' },
  course: 'Spear-phishing basics',
  coversSpearPhishing: true,
  staffWithAccess: 20,
  trained: 19,
};
const object = (body: unknown, marking = defaultPreparednessMarking('wi-hub')) => ({
  v: 1,
  kind: 'training-summary',
  origin: 'wi-madison',
  created: '2026-11-03T14:00:00.000Z',
  ...marking,
  body,
});

describe('preparedness kinds', () => {
  it('are all signed object kinds, each with a place in the scorecard input', () => {
    for (const kind of PREPAREDNESS_KINDS) {
      expect(OBJECT_KINDS).toContain(kind);
      expect(isPreparednessKind(kind)).toBe(true);
      expect(Object.keys(EMPTY_EVIDENCE)).toContain(EVIDENCE_FIELD[kind]);
    }
    expect(isPreparednessKind('bulletin')).toBe(false);
    expect(isPreparednessKind('toString')).toBe(false);
  });

  it('default to AMBER+STRICT for the hub alone', () => {
    expect(defaultPreparednessMarking('wi-hub')).toEqual({ tlp: 'AMBER+STRICT', audience: ['wi-hub'] });
    expect(SignedObjectSchema.safeParse(object(training)).success).toBe(true);
  });

  it('a training summary only counts: a list of people is refused', () => {
    const people = { ...training, people: [{ name: 'Pat', completed: '2026-02-01' }] };
    expect(SignedObjectSchema.safeParse(object(people)).success).toBe(false);
    expect(SignedObjectSchema.safeParse(object({ ...training, trained: 21 })).success).toBe(false);
  });

  it('say why a marking is wider than the default, and nothing for the default or stricter', () => {
    expect(widerThanDefault({ tlp: 'AMBER+STRICT', audience: ['wi-hub'] }, 'wi-hub')).toBeUndefined();
    expect(widerThanDefault({ tlp: 'RED', audience: ['wi-hub'] }, 'wi-hub')).toBeUndefined();
    expect(widerThanDefault({ tlp: 'AMBER', audience: ['wi-hub'] }, 'wi-hub')).toMatch(/looser/);
    expect(widerThanDefault({ tlp: 'GREEN', audience: ['*'] }, 'wi-hub')).toMatch(/looser/);
    expect(widerThanDefault({ tlp: 'AMBER+STRICT', audience: ['wi-hub', 'wi-green-bay'] }, 'wi-hub')).toBe(
      'shared with wi-green-bay besides the hub',
    );
  });
});
