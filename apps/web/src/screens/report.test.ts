import { describe, expect, it } from 'vitest';
import { issuesToErrors } from '../components/fields';
import { DEFAULT_MARKING } from '../components/marking';
import { draftToBody, EMPTY_DRAFT, markingErrors, validateBulletin } from './report';

describe('the report form', () => {
  it('names every missing field next to where it belongs', () => {
    const errors = validateBulletin(EMPTY_DRAFT, DEFAULT_MARKING);
    expect(Object.keys(errors).sort()).toEqual(['category', 'narrative', 'severity', 'title']);
    expect(errors.title).toMatch(/title/);
  });

  it('asks for the subcategory, an indicator value, and a well-formed contact', () => {
    const errors = validateBulletin(
      {
        ...EMPTY_DRAFT,
        title: 'x',
        narrative: 'y',
        category: 'cyber',
        severity: 'low',
        indicators: [{ type: 'url', value: '', note: 'the link in the mail' }],
      },
      DEFAULT_MARKING,
    );
    expect(errors).toEqual({
      category: 'Choose what kind of incident it is.',
      'indicators.0.value': 'Enter the indicator value, or remove the row.',
    });
  });

  it('builds the signed body without empty optional fields', () => {
    const body = draftToBody(
      {
        ...EMPTY_DRAFT,
        title: ' Title ',
        narrative: 'N',
        category: 'cyber',
        subcategory: 'phishing',
        severity: 'medium',
        observedAt: '2026-11-03T07:30',
        location: 'Main St',
        indicators: [
          { type: 'domain', value: 'evil.example', note: '' },
          { type: 'ip', value: '', note: '' },
        ],
      },
      'A'.repeat(43),
    );
    expect(body).toEqual({
      title: 'Title',
      narrative: 'N',
      category: 'cyber.phishing',
      severity: 'medium',
      observedAt: new Date('2026-11-03T07:30').toISOString(),
      location: { description: 'Main St' },
      indicators: [{ type: 'domain', value: 'evil.example' }],
      supersedes: 'A'.repeat(43),
    });
  });

  it('refuses a marking that reaches nobody', () => {
    expect(markingErrors({ tlp: 'AMBER', wholeNetwork: false, nodes: [], people: [] })).toHaveProperty('audience');
    expect(markingErrors({ tlp: 'RED', wholeNetwork: false, nodes: [], people: [] })).toEqual({
      recipients: 'Tick at least one person for TLP:RED.',
    });
    expect(
      markingErrors({ tlp: 'RED', wholeNetwork: false, nodes: [], people: [{ node: 'state-hub', user: 'olivia' }] }),
    ).toEqual({});
    expect(markingErrors(DEFAULT_MARKING)).toEqual({});
  });

  it('maps the node’s validation issues to the same field keys', () => {
    expect(
      issuesToErrors([
        { path: ['body', 'title'], message: 'Too small' },
        { path: ['body', 'indicators', 0, 'value'], message: 'Too small' },
        { path: ['recipients', 1, 'user'], message: 'Too small' },
        { path: [], message: 'whole form' },
      ]),
    ).toEqual({
      title: 'Too small',
      'indicators.0.value': 'Too small',
      'recipients.1.user': 'Too small',
      form: 'whole form',
    });
  });
});
