import { describe, expect, it } from 'vitest';
import { searchTextOf } from './search.js';

describe('searchTextOf', () => {
  it('joins the searchable fields, indicators, location and origin, lower-cased', () => {
    const text = searchTextOf({
      origin: 'wi-madison',
      body: {
        title: 'Phishing',
        narrative: 'Look-alike DOMAIN',
        severity: 'high',
        indicators: [{ type: 'domain', value: 'Evil.example' }],
        location: { description: 'Ward 7' },
      },
    });
    expect(text.split('\n')).toEqual(['phishing', 'look-alike domain', 'wi-madison', 'evil.example', 'ward 7']);
  });

  it('takes the note fields and ignores what is not text', () => {
    const text = searchTextOf({
      origin: 'mi-detroit',
      body: { title: 'Drop boxes', problem: 'Queues', whatWorked: 'Signs', whatDidNot: 'Cones', count: 3 },
    });
    expect(text).toBe('drop boxes\nqueues\nsigns\ncones\nmi-detroit');
  });
});
